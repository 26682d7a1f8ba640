"""Approval links: the leader reads their draft interview without an account and approves it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from editorial.models import ApprovalEvent, ApprovalLink
from tests import factories

# The shared page cache is on, as in production: approval pages must never go into it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


@pytest.fixture
def draft(editor):
    interview = factories.interview(published=False, title="Draft with Ada Example")
    factories.answer(interview=interview, body="Be yourself, always.")
    return interview


def create_link(client, editor, interview, **data):
    """An editor creates the link from the interview's admin page; it is shown once."""
    client.force_login(editor)
    url = reverse("admin:interviews_interview_approval_link", args=[interview.pk])
    response = client.post(url, {"note": "Ada's PA", "days": 7, **data})
    assert response.status_code == 200
    link_url = response.context["url"]
    assert link_url
    client.logout()
    return link_url.replace("http://testserver", "")


def test_editor_creates_a_link_that_expires_in_seven_days_and_is_stored_hashed(
    client, editor, draft
):
    page = client.force_login(editor) or client.get(
        reverse("admin:interviews_interview_change", args=[draft.pk])
    )
    assert "Send to the leader for approval" in page.text
    path = create_link(client, editor, draft)
    link = ApprovalLink.objects.get()
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert link.token_hash not in path and token.split(":")[0] not in link.token_hash
    assert len(link.token_hash) == 64
    expected = timezone.now() + timedelta(days=7)
    assert abs((link.expires_at - expected).total_seconds()) < 60
    assert link.created_by == editor


def test_the_leader_reads_the_real_page_marked_as_a_preview_never_cached(client, editor, draft):
    path = create_link(client, editor, draft)
    response = client.get(path)
    assert response.status_code == 200
    text = response.text
    assert "Draft with Ada Example" in text and "Be yourself, always." in text
    assert "Preview for approval" in text
    assert 'class="transcript"' in text  # the interview's own template
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["X-Cache"] != "hit"
    again = client.get(path)
    assert again["X-Cache"] != "hit"
    assert ApprovalEvent.objects.filter(kind="opened").count() == 2
    # Readers still cannot see the draft.
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_approving_is_recorded_and_shown_in_the_admin(
    client, editor, draft, django_capture_on_commit_callbacks
):
    path = create_link(client, editor, draft)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"name": "Ada Example", "message": "", "decision": "approve"})
    assert response.status_code == 302
    link = ApprovalLink.objects.get()
    assert link.approved_at is not None and link.approved_by_name == "Ada Example"
    assert list(link.events.values_list("kind", flat=True)) == ["approved"]
    assert len(mail.outbox) == 1 and "approved" in mail.outbox[0].subject
    page = client.get(response["Location"])
    assert "Approved: thank you" in page.text and "Already approved" not in page.text
    client.force_login(editor)
    admin_page = client.get(reverse("admin:interviews_interview_change", args=[draft.pk]))
    assert "Approved</strong> by Ada Example" in admin_page.text
    assert "Opened" in admin_page.text


def test_comments_are_sent_back_and_the_link_stays_open(
    client, editor, draft, django_capture_on_commit_callbacks
):
    path = create_link(client, editor, draft)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            path, {"name": "Ada", "message": "Please say 'Chief Executive'.", "decision": "comment"}
        )
    assert response.status_code == 302
    link = ApprovalLink.objects.get()
    assert link.approved_at is None
    event = link.events.get(kind="commented")
    assert event.message == "Please say 'Chief Executive'."
    assert "Please say" in mail.outbox[0].body
    # Comments without any text are refused with a clear message, not a 500.
    response = client.post(path, {"name": "Ada", "message": " ", "decision": "comment"})
    assert response.status_code == 400
    assert "Write your comments" in response.text


def test_reused_after_approval_shows_already_approved_and_approves_only_once(client, editor, draft):
    path = create_link(client, editor, draft)
    client.post(path, {"name": "Ada Example", "message": "", "decision": "approve"})
    first = ApprovalLink.objects.get().approved_at
    response = client.post(path, {"name": "Someone else", "message": "", "decision": "approve"})
    assert response.status_code == 200
    assert "Already approved" in response.text
    assert 'name="decision"' not in response.text  # no form any more
    link = ApprovalLink.objects.get()
    assert link.approved_at == first and link.approved_by_name == "Ada Example"
    assert link.events.filter(kind="approved").count() == 1


def test_an_expired_link_is_refused(client, editor, draft):
    path = create_link(client, editor, draft)
    ApprovalLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.text
    assert "Draft with Ada Example" not in response.text
    assert "no-store" in response["Cache-Control"]
    response = client.post(path, {"name": "Ada", "message": "", "decision": "approve"})
    assert response.status_code == 410
    assert ApprovalLink.objects.get().approved_at is None
    assert not ApprovalEvent.objects.exists()


def test_a_revoked_link_is_refused(client, editor, draft):
    path = create_link(client, editor, draft)
    link = ApprovalLink.objects.get()
    client.force_login(editor)
    revoke = reverse("admin:interviews_interview_revoke_approval", args=[draft.pk, link.pk])
    assert client.post(revoke).status_code == 302
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    assert "withdrawn" in response.text
    assert "Draft with Ada Example" not in response.text


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: "x" + t,  # token changed, signature kept
        lambda t: t.split(":")[0],  # signature removed
        lambda t: "nonsense",
    ],
    ids=["signature", "token", "unsigned", "garbage"],
)
def test_a_tampered_link_is_not_found(client, editor, draft, tamper):
    path = create_link(client, editor, draft)
    token = re.search(r"/approve/([^/]+)/", path).group(1)
    response = client.get(f"/approve/{tamper(token)}/")
    assert response.status_code == 404
    assert "not valid" in response.text
    assert "Draft with Ada Example" not in response.text
    assert not ApprovalEvent.objects.exists()


def test_only_editors_create_links(client, draft):
    author = factories.staff("ann", "Author", password="x")
    draft.owner = author
    draft.save()
    client.force_login(author)
    url = reverse("admin:interviews_interview_approval_link", args=[draft.pk])
    assert client.post(url, {"days": 7}).status_code == 403
    assert not ApprovalLink.objects.exists()
