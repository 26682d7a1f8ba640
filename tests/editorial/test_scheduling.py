"""Scheduling at its edges, with the clock controlled, and the publishing record."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from editorial.models import PublicationRecord
from interviews.models import Interview
from socialleaders.publishing import Status
from tests import factories

# A cache of its own per test (the sitemap response is cached for a while).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

PUBLISH_AT = datetime(2030, 3, 4, 7, 0, tzinfo=UTC)  # a Monday, 7 a.m.


@pytest.fixture
def clock(monkeypatch):
    """Set the time every part of the site reads (timezone.now)."""

    class Clock:
        now = PUBLISH_AT

        def set(self, value):
            self.now = value

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def scheduled(clock):
    clock.set(PUBLISH_AT - timedelta(days=2))
    return factories.interview(
        title="Scheduled for Monday", status=Status.PUBLISHED, publish_at=PUBLISH_AT
    )


def visible_everywhere(client, interview):
    """What a reader sees: the page, the list, the feed and the sitemap, which must agree."""
    detail = client.get(interview.get_absolute_url()).status_code == 200
    listed = interview.title in client.get(reverse("interviews:list")).text
    feed = interview.title in client.get("/interviews/feed/").text
    sitemap = interview.get_absolute_url() in client.get(reverse("sitemap")).text
    published = Interview.objects.published().filter(pk=interview.pk).exists()
    assert detail == listed == feed == sitemap == published, (detail, listed, feed, sitemap)
    return detail


@pytest.mark.parametrize(
    "offset, expected",
    [(timedelta(minutes=-1), False), (timedelta(0), True), (timedelta(minutes=1), True)],
    ids=["a minute before", "at", "a minute after"],
)
def test_a_scheduled_interview_appears_at_its_time(client, clock, scheduled, offset, expected):
    clock.set(PUBLISH_AT + offset)
    assert visible_everywhere(client, scheduled) is expected


def test_the_page_cache_lets_a_scheduled_item_appear_on_time(client, clock, scheduled, page_cache):
    clock.set(PUBLISH_AT - timedelta(minutes=1))
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    first = client.get(reverse("interviews:list"))
    assert scheduled.title not in first.text
    assert client.get(reverse("interviews:list"))["X-Cache"] == "hit"
    clock.set(PUBLISH_AT)
    assert scheduled.title in client.get(reverse("interviews:list")).text
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_unpublish_after_takes_it_down_at_its_time(client, clock):
    clock.set(PUBLISH_AT - timedelta(days=1))
    item = factories.interview(
        status=Status.PUBLISHED,
        publish_at=PUBLISH_AT - timedelta(days=1),
        unpublish_at=PUBLISH_AT,
    )
    clock.set(PUBLISH_AT - timedelta(minutes=1))
    assert visible_everywhere(client, item) is True
    clock.set(PUBLISH_AT)
    assert visible_everywhere(client, item) is False


def test_the_sitemap_follows_the_schedule_without_waiting_for_its_cache(client, clock, scheduled):
    clock.set(PUBLISH_AT - timedelta(minutes=1))
    assert scheduled.get_absolute_url() not in client.get(reverse("sitemap")).text
    clock.set(PUBLISH_AT)
    assert scheduled.get_absolute_url() in client.get(reverse("sitemap")).text


def test_bulk_publish_keeps_the_schedule_and_records_who_and_when(client, clock, editor):
    clock.set(PUBLISH_AT - timedelta(days=1))
    later = factories.interview(published=False, publish_at=PUBLISH_AT)
    now_item = factories.interview(published=False, publish_at=PUBLISH_AT - timedelta(days=2))
    client.force_login(editor)
    response = client.post(
        reverse("admin:interviews_interview_changelist"),
        {"action": "publish", "_selected_action": [later.pk, now_item.pk]},
    )
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.status == Status.PUBLISHED and later.publish_at == PUBLISH_AT
    records = {r.object_id: r for r in PublicationRecord.objects.all()}
    assert records[later.pk].action == "scheduled"
    assert records[now_item.pk].action == "published"
    assert all(
        r.user == editor and r.at == PUBLISH_AT - timedelta(days=1) for r in records.values()
    )
    assert all(r.how == "bulk" for r in records.values())
    # Shown on the interview's page in the admin.
    page = client.get(reverse("admin:interviews_interview_change", args=[later.pk]))
    assert "who published this, and when" in page.text.lower()
    assert "Scheduled" in page.text


def test_bulk_unpublish_of_posts_is_recorded(client, clock, editor):
    clock.set(PUBLISH_AT)
    post = factories.post(published=True)
    client.force_login(editor)
    client.post(
        reverse("admin:blog_post_changelist"),
        {"action": "make_draft", "_selected_action": [post.pk]},
    )
    post.refresh_from_db()
    assert post.status == Status.DRAFT
    record = PublicationRecord.objects.get(object_id=post.pk)
    assert (record.action, record.user, record.at) == ("unpublished", editor, PUBLISH_AT)
    assert client.get(post.get_absolute_url()).status_code == 200  # the editor previews it
    client.logout()
    assert client.get(post.get_absolute_url()).status_code == 404
