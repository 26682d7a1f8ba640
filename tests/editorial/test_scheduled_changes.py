"""Scheduled changes of a live piece: an editor schedules a draft of a published interview or
post for a date and time (site time); readers keep the published version until then, and at
that time the changes go live on the first request, without cron, making only the piece's
pages stale. The desk shows the schedule; it can be cancelled."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from editorial.models import PendingChanges
from tests import factories
from tests.admin_support import change_form_data

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)  # Tuesday; "Monday" is Mon 7 Dec
MONDAY_7 = datetime(2026, 12, 7, 7, 0, tzinfo=LONDON)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def live(page_cache, clock):
    from comments.models import ModerationSettings

    ModerationSettings.load()
    interview = factories.interview(
        published=True, publish_at=NOW - timedelta(days=3), introduction="The published intro."
    )
    factories.answer(interview=interview, body="The published answer.")
    return interview


def _change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _schedule(client, obj, at, **changes):
    url = _change_url(obj)
    data = change_form_data(client.get(url))
    data.update(changes)
    # As the browser sends it: the row is at the form's top (typed in) and bottom (left empty).
    data.update({"_schedule_changes": "1", "_changes_at": [at, ""]})
    return client.post(url, data)


def test_scheduled_changes_reach_readers_at_their_time_and_only_the_pieces_pages_refresh(
    editor_client, live, clock, django_capture_on_commit_callbacks, django_assert_num_queries
):
    other = factories.interview(published=True, publish_at=NOW - timedelta(days=5))
    reader = Client()
    page, other_page = live.get_absolute_url(), other.get_absolute_url()
    assert "The published answer." in reader.get(page).text
    reader.get(other_page)

    with django_capture_on_commit_callbacks(execute=True):
        response = _schedule(
            editor_client, live, "2026-12-01T10:05", **{"answers-0-body": "The new answer."}
        )
    assert response.status_code == 302
    at = NOW + timedelta(minutes=5)
    pending = PendingChanges.for_item(live)
    assert pending.go_live_at == at
    form = editor_client.get(_change_url(live))
    assert any("Changes scheduled for Tue 1 Dec, 10:05" in str(m) for m in form.context["messages"])
    assert "Changes scheduled for Tue 1 Dec, 10:05" in form.text
    assert 'name="_cancel_schedule"' in form.text

    # Until then readers see the published version, from the cache.
    clock.move_to(at - timedelta(seconds=1))
    reader.get(page)  # the schedule's instant is looked up once (it was reset)
    with django_assert_num_queries(0):  # then a hit costs no query, schedule or not
        before = reader.get(page)
    assert before["X-Cache"] == "hit" and "The published answer." in before.text

    clock.move_to(at + timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        after = reader.get(page)
    assert after["X-Cache"] == "miss"
    assert "The new answer." in after.text and "The published answer." not in after.text
    assert reader.get(other_page)["X-Cache"] == "hit"  # the generation did not move
    assert reader.get(page)["X-Cache"] == "hit"  # stored again, with the changes
    assert PendingChanges.for_item(live) is None
    assert live.answers.get().body == "The new answer."
    revision = Version.objects.get_for_object(live).first().revision
    assert revision.comment.startswith("Scheduled changes published")
    assert revision.user.username == "editor"


def test_with_the_page_cache_off_the_first_request_after_the_time_publishes_them(
    editor_client, live, clock, settings
):
    settings.PAGE_CACHE = False
    assert (
        _schedule(editor_client, live, "2026-12-07 07:00", introduction="New intro.").status_code
        == 302
    )
    clock.move_to(MONDAY_7 - timedelta(seconds=1))
    assert "The published intro." in Client().get(live.get_absolute_url()).text
    clock.move_to(MONDAY_7)
    # A signed-in editor's request (never cached) checks the schedule too.
    assert "New intro." in editor_client.get(live.get_absolute_url()).text
    live.refresh_from_db()
    assert live.introduction == "New intro."


def test_a_post_can_have_its_changes_scheduled(editor_client, page_cache, clock):
    post = factories.post(published=True, publish_at=NOW - timedelta(days=1), body="Old body.")
    assert _schedule(editor_client, post, "2026-12-02T09:30", body="New body.").status_code == 302
    reader = Client()
    assert "Old body." in reader.get(post.get_absolute_url()).text
    clock.move_to(datetime(2026, 12, 2, 9, 31, tzinfo=LONDON))
    assert "New body." in reader.get(post.get_absolute_url()).text


def test_the_desk_shows_scheduled_changes_with_their_day_and_time(editor_client, live):
    _schedule(editor_client, live, "2026-12-07T07:00", introduction="Monday's intro.")
    desk = editor_client.get(reverse("admin:index")).text
    scheduled = desk.split('id="desk-scheduled"')[1].split("</table>")[0]
    assert "Changes scheduled for Mon 7 Dec, 07:00" in scheduled
    assert live.title in scheduled and "Changes to a live interview" in scheduled


@pytest.mark.parametrize(
    "typed, says",
    [
        ("", "give the date and time they go live"),
        ("next monday", "is not a date and time"),
        ("2026-11-30T07:00", "has passed"),
    ],
)
def test_a_bad_time_is_refused_with_a_clear_error_and_keeps_what_was_typed(
    editor_client, live, typed, says
):
    response = _schedule(editor_client, live, typed, **{"answers-0-body": "Typed, kept."})
    assert response.status_code == 200
    assert says in response.text
    assert "Typed, kept." in response.text
    assert f'value="{typed}"' in response.text
    assert PendingChanges.objects.count() == 0


def test_cancelling_the_schedule_keeps_the_draft_and_nothing_goes_live(editor_client, live, clock):
    _schedule(editor_client, live, "2026-12-07T07:00", introduction="Not yet.")
    response = editor_client.post(_change_url(live), {"_cancel_schedule": "1"})
    assert response.status_code == 302
    pending = PendingChanges.for_item(live)
    assert pending is not None and pending.go_live_at is None
    clock.move_to(MONDAY_7 + timedelta(hours=1))
    assert "The published intro." in Client().get(live.get_absolute_url()).text
    live.refresh_from_db()
    assert live.introduction == "The published intro."
    assert 'id="scheduled-changes"' not in editor_client.get(_change_url(live)).text


def test_saving_the_draft_again_keeps_the_schedule_with_the_latest_text(editor_client, live, clock):
    _schedule(editor_client, live, "2026-12-07T07:00", introduction="First try.")
    url = _change_url(live)
    data = change_form_data(editor_client.get(url))
    data.update({"introduction": "Second try.", "_continue": "1"})
    assert editor_client.post(url, data).status_code == 302
    assert PendingChanges.for_item(live).go_live_at == MONDAY_7
    clock.move_to(MONDAY_7)
    assert "Second try." in Client().get(live.get_absolute_url()).text


def test_only_editors_who_may_publish_can_schedule(client, live):
    from django.contrib.auth.models import Group, Permission

    from editorial.roles import AUTHOR, sync_roles

    sync_roles(Group, Permission)
    author = factories.staff("writer", AUTHOR)
    live.owner = author
    live.save()
    client.force_login(author)
    form = client.get(_change_url(live)).text
    assert 'name="_schedule_changes"' not in form
    assert _schedule(client, live, "2026-12-07T07:00").status_code == 403


def test_a_draft_that_no_longer_fits_the_form_stays_a_draft_unscheduled(editor_client, live, clock):
    _schedule(editor_client, live, "2026-12-07T07:00", introduction="Fine.")
    pending = PendingChanges.for_item(live)
    pending.data["title"] = [""]  # as if the form had changed since: a required field is empty
    pending.save()
    clock.move_to(MONDAY_7 + timedelta(minutes=1))
    assert "The published intro." in Client().get(live.get_absolute_url()).text
    pending.refresh_from_db()
    assert pending.go_live_at is None
    live.refresh_from_db()
    assert live.introduction == "The published intro."
