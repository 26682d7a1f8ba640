"""The publishing rule (socialleaders/publishing.py): what published() and is_published()
let through at their edges, and slugs."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from blog.models import Post
from interviews.models import Interview
from socialleaders.publishing import Status
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
SECOND = timedelta(seconds=1)


def make(model, **kw):
    factory = f.interview if model is Interview else f.post
    return factory(**kw)


# (description, fields, visible at NOW)
EDGES = [
    ("published yesterday", {"publish_at": NOW - timedelta(days=1)}, True),
    ("published one second ago", {"publish_at": NOW - SECOND}, True),
    ("publish date exactly now", {"publish_at": NOW}, True),
    ("scheduled one second ahead", {"publish_at": NOW + SECOND}, False),
    ("scheduled next week", {"publish_at": NOW + timedelta(days=7)}, False),
    ("draft dated in the past", {"published": False, "publish_at": NOW - timedelta(days=1)}, False),
    ("draft dated in the future", {"published": False, "publish_at": NOW + SECOND}, False),
    (
        "unpublish date passed",
        {"publish_at": NOW - timedelta(days=2), "unpublish_at": NOW - SECOND},
        False,
    ),
    (
        "unpublish date exactly now",
        {"publish_at": NOW - timedelta(days=2), "unpublish_at": NOW},
        False,
    ),
    (
        "unpublish date not reached",
        {"publish_at": NOW - timedelta(days=2), "unpublish_at": NOW + SECOND},
        True,
    ),
    (
        "scheduled, with an unpublish date",
        {"publish_at": NOW + SECOND, "unpublish_at": NOW + timedelta(days=1)},
        False,
    ),
]


@pytest.mark.parametrize("model", [Interview, Post], ids=lambda m: m.__name__)
@pytest.mark.parametrize("label, fields, visible", EDGES, ids=[e[0] for e in EDGES])
def test_published_edges(model, label, fields, visible):
    item = make(model, **fields)
    f.interview() if model is Interview else f.post()  # an ordinary live item alongside

    assert (item in model.objects.published(now=NOW)) is visible, label
    assert item.is_published(now=NOW) is visible, label

    # Without now=, "now" is the clock's: freeze it at NOW.
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        assert model.objects.filter(pk=item.pk).published().exists() is visible, label
        assert item.is_published() is visible, label


@pytest.mark.parametrize("model", [Interview, Post], ids=lambda m: m.__name__)
def test_scheduled_item_appears_when_its_time_comes(model):
    item = make(model, publish_at=NOW + timedelta(hours=1))
    assert not model.objects.published(now=NOW).filter(pk=item.pk).exists()
    assert item.is_scheduled
    later = NOW + timedelta(hours=1, seconds=1)
    assert model.objects.published(now=later).filter(pk=item.pk).exists()


@pytest.mark.parametrize("model", [Interview, Post], ids=lambda m: m.__name__)
def test_new_items_are_drafts(model):
    kw = {"leader": f.leader()} if model is Interview else {"author": f.author()}
    item = model.objects.create(title="Fresh", slug="fresh", **kw)
    assert item.status == Status.DRAFT
    assert not model.objects.published().filter(pk=item.pk).exists()


def test_slug_is_made_from_the_title_when_left_empty():
    interview = f.interview(title="Ada Lovelace: on #SocialLeaders", slug="")
    assert interview.slug == "ada-lovelace-on-socialleaders"
    post = f.post(title="Why councils should tweet!", slug="")
    assert post.slug == "why-councils-should-tweet"
