"""The benchmark's app: its data generator and the floor page's route."""

import importlib

import pytest
from django.urls import NoReverseMatch, clear_url_caches, reverse

import socialleaders.urls
from bench.floor import FLOOR_PAGE


@pytest.fixture
def root_urls(settings):
    """Reload the root URLconf with BENCH_FLOOR set as asked; the normal one is restored after."""

    def load(bench_floor):
        settings.BENCH_FLOOR = bench_floor
        importlib.reload(socialleaders.urls)
        clear_url_caches()

    yield load
    load(False)


def test_floor_page_only_when_bench_floor_is_on(root_urls, client):
    root_urls(False)
    with pytest.raises(NoReverseMatch):
        reverse("bench-floor")

    root_urls(True)
    assert reverse("bench-floor") == "/bench/floor/"
    response = client.get("/bench/floor/")
    assert response.status_code == 200
    assert response.content == FLOOR_PAGE.encode()


def test_generate_bench_data_makes_a_proportional_threaded_data_set(db):
    from django.core.management import CommandError, call_command
    from django.db.models import F

    from blog.models import Post
    from comments.models import Comment
    from interviews.models import Answer, Interview, Platform, Quote, Theme
    from tests import factories

    call_command("generate_bench_data", scale=0.002, verbosity=0)
    assert Interview.objects.count() == 20
    assert Answer.objects.count() == 20 * 6
    assert Post.objects.count() == 40
    assert Comment.objects.count() == 1000
    assert Quote.objects.count() == 10
    assert Theme.objects.count() == 50
    assert Platform.objects.count() == 12
    assert Interview.objects.published().exists()

    showcase = Post.objects.get(slug="two-hundred-comments")
    assert showcase.is_published()
    approved = Comment.objects.filter(post=showcase, status=Comment.Status.APPROVED)
    assert approved.count() == 200
    assert approved.filter(parent__isnull=False).exists()  # threaded
    # Replies stay in their own post's thread.
    replies = Comment.objects.filter(parent__isnull=False, post__isnull=False)
    assert not replies.exclude(post_id=F("parent__post_id")).exists()

    # Comments were inserted with explicit ids: the sequence was moved past them.
    assert (
        factories.comment(post=showcase).pk
        > Comment.objects.exclude(body="A comment.").order_by("-pk").values_list("pk", flat=True)[0]
    )

    with pytest.raises(CommandError, match="already holds benchmark data"):
        call_command("generate_bench_data", scale=0.002, verbosity=0)
