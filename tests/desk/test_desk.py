"""The editors' desk, the admin's home page: what is scheduled (with its day and time), drafts,
interviews waiting for their leader's approval and approved ones, comments waiting with Approve /
Spam right there, scheduled changes with Cancel; a bounded number of queries whatever the amount
of content."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment
from editorial.models import ApprovalEvent
from editorial.roles import AUTHOR, EDITOR, sync_roles
from socialleaders.publishing import Status
from tests import factories as f

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Tuesday 1 December 2026, 10:00 in London: "next Monday" is Mon 7 Dec.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)
INDEX = reverse("admin:index")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def roles():
    sync_roles(Group, Permission)


@pytest.fixture
def desk_editor(client, roles):
    user = f.staff("eddie", EDITOR, email="eddie@example.org")
    client.force_login(user)
    return user


def test_the_desk_shows_scheduled_items_with_their_day_and_time(frozen, client, desk_editor):
    monday = datetime(2026, 12, 7, 7, 0, tzinfo=LONDON)
    f.interview(title="Next week's interview", publish_at=monday)
    f.post(title="A post for Friday", publish_at=datetime(2026, 12, 4, 9, 30, tzinfo=LONDON))
    f.interview(title="Already live")
    page = client.get(INDEX).content.decode()
    scheduled = page.split('id="desk-scheduled"')[1].split("</table>")[0]
    assert "Scheduled for Fri 4 Dec, 09:30" in scheduled
    assert "Scheduled for Mon 7 Dec, 07:00" in scheduled
    assert scheduled.index("A post for Friday") < scheduled.index("Next week&#x27;s interview")
    assert "Already live" not in scheduled


def test_the_desk_lists_drafts_and_offers_the_next_interview_of_each_series(
    frozen, client, desk_editor
):
    series = f.series(title="#SocialLeaders")
    f.interview(title="Unfinished interview", published=False)
    f.post(title="Half a post", published=False)
    page = client.get(INDEX).content.decode()
    drafts = page.split('id="desk-drafts"')[1].split("</table>")[0]
    assert "Unfinished interview" in drafts and "Half a post" in drafts
    add = reverse("admin:interviews_interview_add")
    assert f'href="{add}?series={series.pk}"' in page
    assert "Write the next interview in #SocialLeaders" in page


def test_drafts_of_live_pieces_are_on_the_desk_until_published_or_scheduled(
    frozen, client, desk_editor
):
    live = f.interview(title="Live, being edited")
    f.interview(title="Live, untouched")
    draft = f.pending_changes(item=live, user=desk_editor)
    page = client.get(INDEX).content.decode()
    drafts = page.split('id="desk-drafts"')[1].split("</table>")[0]
    assert "Live, being edited" in drafts and "Live, untouched" not in drafts
    assert "Changes to a live interview, not published yet" in drafts
    # Scheduled, the draft moves to the scheduled table.
    draft.go_live_at = NOW + timedelta(days=6)
    draft.save()
    page = client.get(INDEX).content.decode()
    assert 'id="desk-drafts"' not in page
    scheduled = page.split('id="desk-scheduled"')[1].split("</table>")[0]
    assert "Live, being edited" in scheduled and "Changes scheduled for" in scheduled


def _scheduled_section(client):
    page = client.get(INDEX).content.decode()
    return page, page.split('id="desk-scheduled"')[1].split("</table>")[0]


def test_scheduled_changes_can_be_cancelled_from_the_desk_and_stay_a_draft(
    frozen, client, desk_editor
):
    live = f.interview(title="Live, changes for Monday")
    draft = f.pending_changes(
        item=live, user=desk_editor, go_live_at=NOW + timedelta(days=6), scheduled_by=desk_editor
    )
    cancel = reverse("admin:interviews_interview_cancel_schedule", args=[live.pk])
    _, scheduled = _scheduled_section(client)
    assert f'action="{cancel}"' in scheduled
    assert 'aria-label="Cancel the scheduled changes to Live, changes for Monday' in scheduled

    response = client.post(cancel, {"next": INDEX}, follow=True)
    assert response.redirect_chain == [(INDEX, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Schedule cancelled: the changes to “Live, changes for Monday” stay a draft; readers "
        "see the published version."
    ]
    draft.refresh_from_db()  # kept, with its changes, unscheduled
    assert draft.go_live_at is None and draft.scheduled_by is None
    assert draft.data == {"title": ["Live, changes for Monday, revised"]}
    live.refresh_from_db()  # the live version as it was
    assert live.title == "Live, changes for Monday" and live.is_published()
    page, scheduled = _scheduled_section(client)
    assert "Live, changes for Monday" not in scheduled
    drafts = page.split('id="desk-drafts"')[1].split("</table>")[0]
    assert "Live, changes for Monday" in drafts
    assert "Changes to a live interview, not published yet" in drafts

    # Again (a second tab, or published meanwhile): nothing to cancel, said so.
    response = client.post(cancel, {"next": "https://elsewhere.example/"}, follow=True)
    assert response.redirect_chain[0][0] == reverse(
        "admin:interviews_interview_change", args=[live.pk]
    )
    assert "are not scheduled" in str(list(response.context["messages"])[0])


def test_scheduled_pieces_have_no_cancel_only_scheduled_changes(frozen, client, desk_editor):
    f.interview(title="Next week's interview", publish_at=NOW + timedelta(days=6))
    _, scheduled = _scheduled_section(client)
    assert "Next week" in scheduled and "<button" not in scheduled


def test_cancelling_needs_a_post_with_its_csrf_token_and_the_publish_permission(frozen, roles):
    author = f.staff("writer", AUTHOR)
    live = f.interview(title="The author's live piece", owner=author)
    draft = f.pending_changes(item=live, go_live_at=NOW + timedelta(days=6))
    cancel = reverse("admin:interviews_interview_cancel_schedule", args=[live.pk])
    writer = Client()
    writer.force_login(author)
    _, scheduled = _scheduled_section(writer)
    assert "The author&#x27;s live piece" in scheduled and cancel not in scheduled
    assert writer.post(cancel).status_code == 403  # authors do not schedule, nor cancel
    change = reverse("admin:interviews_interview_change", args=[live.pk])
    assert writer.post(change, {"_cancel_schedule": "1"}).status_code == 403  # nor in the form
    editor = Client(enforce_csrf_checks=True)
    editor.force_login(f.staff("eddie", EDITOR))
    assert editor.get(cancel).status_code == 405
    assert editor.post(cancel).status_code == 403  # no CSRF token
    draft.refresh_from_db()
    assert draft.go_live_at == NOW + timedelta(days=6)


def test_the_desk_shows_when_approval_was_sent_opened_and_given(frozen, client, desk_editor):
    waiting = f.interview(title="Waiting for Ada", published=False)
    link, _token = f.approval_link(waiting, desk_editor, note="emailed to ada@example.org")
    f.approval_event(link=link, at=NOW + timedelta(minutes=30))
    unopened = f.interview(title="Not opened yet", published=False)
    f.approval_link(unopened, desk_editor)
    approved = f.interview(title="Approved by Grace", publish_at=NOW + timedelta(days=6))
    done, _token = f.approval_link(approved, desk_editor)
    done.approved_at, done.approved_by_name = NOW + timedelta(hours=2), "Grace Hopper"
    done.save()
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        page = client.get(INDEX).content.decode()
    approval = page.split('id="desk-approval"')[1].split("</table>")[0]
    rows = {
        row.split("</a>")[0].rsplit(">", 1)[1]: row
        for row in approval.split("<tr")[2:]  # after the heading row
    }
    assert "Tue 1 Dec, 10:00 (emailed to ada@example.org)" in rows["Waiting for Ada"]
    assert "Tue 1 Dec, 10:30" in rows["Waiting for Ada"] and "Waiting" in rows["Waiting for Ada"]
    assert "Not yet" in rows["Not opened yet"]
    assert "Approved</strong> Tue 1 Dec, 12:00 by Grace Hopper" in rows["Approved by Grace"]


def test_comments_waiting_can_be_approved_or_marked_spam_from_the_desk(client, desk_editor):
    post = f.post()
    good = f.comment(post=post, name="Kind Reader", status=Comment.Status.PENDING)
    bad = f.comment(post=post, name="Spammer", body="Buy now", status=Comment.Status.PENDING)
    page = client.get(INDEX).content.decode()
    assert "2 comments awaiting moderation" in page
    approve = reverse("admin:comments_comment_moderate", args=[good.pk, "approve"])
    spam = reverse("admin:comments_comment_moderate", args=[bad.pk, "spam"])
    assert f'action="{approve}"' in page and f'action="{spam}"' in page

    response = client.post(approve, {"next": INDEX})
    assert response.status_code == 302 and response["Location"] == INDEX
    response = client.post(spam, {"next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("admin:comments_comment_change", args=[bad.pk])
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == Comment.Status.APPROVED and bad.status == Comment.Status.SPAM
    assert "No comments awaiting moderation" in client.get(INDEX).content.decode()


def test_moderating_needs_a_post_with_its_csrf_token_and_the_permission(roles):
    comment = f.comment(status=Comment.Status.PENDING)
    approve = reverse("admin:comments_comment_moderate", args=[comment.pk, "approve"])
    author = f.staff("writer", AUTHOR)
    client = Client()
    client.force_login(author)
    assert client.post(approve).status_code == 403  # authors do not moderate
    editor = Client(enforce_csrf_checks=True)
    editor.force_login(f.staff("eddie", EDITOR))
    assert editor.get(approve).status_code == 405
    assert editor.post(approve).status_code == 403  # no CSRF token
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert "awaiting moderation" not in client.get(INDEX).content.decode()


def test_an_author_sees_only_their_own_drafts_on_the_desk(client, roles):
    author = f.staff("writer", AUTHOR)
    f.interview(title="Mine", published=False, owner=author)
    f.interview(title="Someone else's", published=False)
    client.force_login(author)
    page = client.get(INDEX).content.decode()
    assert "Mine" in page and "Someone else" not in page


def test_apps_editors_rarely_need_are_out_of_the_way(client, desk_editor):
    page = client.get(INDEX).content.decode()
    main, more = page.split('<details class="desk-more">')
    more = more.split("</details>")[0]
    assert "Authentication and Authorization" in more and "Taggit" in more
    assert "Authentication and Authorization" not in main.split('id="desk"')[1]
    assert main.index("app-interviews") < main.index("app-blog") < main.index("app-comments")


def make_content(size):
    editor = f.staff(f"maker-{size}")
    for i in range(size):
        f.interview(publish_at=NOW + timedelta(days=i + 1))
        f.post(published=False)
        link, _token = f.approval_link(f.interview(published=False), editor)
        ApprovalEvent.objects.create(link=link, kind=ApprovalEvent.Kind.OPENED)
        f.comment(status=Comment.Status.PENDING)
        f.pending_changes(item=f.post(), user=editor)  # a live post being edited


def test_the_desk_runs_the_same_number_of_queries_whatever_the_content(frozen, client, desk_editor):
    client.get(INDEX)  # per-process caches (content types) filled, as on a running site
    counts = []
    for size in (2, 12):
        make_content(size)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(INDEX).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 22, counts


def test_status_reads_scheduled_in_lists_save_message_and_preview(frozen, client, desk_editor):
    monday = datetime(2026, 12, 7, 7, 0, tzinfo=LONDON)
    interview = f.interview(title="Monday's", publish_at=monday)
    listing = client.get(reverse("admin:interviews_interview_changelist")).content.decode()
    assert "Scheduled for Mon 7 Dec, 07:00" in listing
    preview = client.get(interview.get_absolute_url()).content.decode()
    assert "Preview: Scheduled for Mon 7 Dec, 07:00" in preview
    post = f.post(title="Draft post", published=False, status=Status.DRAFT)
    assert "Preview: Draft" in client.get(post.get_absolute_url()).content.decode()
