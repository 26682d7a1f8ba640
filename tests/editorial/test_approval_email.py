"""Sending an interview to its leader: the link is emailed (to the leader's address or one typed
in) with the editor's message, once the link is saved; without an address it is only shown."""

import pytest
from django.core import mail
from django.urls import reverse

from editorial.models import ApprovalLink
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    leader = f.leader(name="Ada Example", email="ada@example.org")
    interview = f.interview(published=False, title="Ada on listening", leader=leader)
    f.answer(interview=interview, body="Listen first.")
    return interview


def url_for(interview):
    return reverse("admin:interviews_interview_approval_link", args=[interview.pk])


def test_the_form_starts_with_the_leaders_address_and_a_message(editor_client, draft):
    form = editor_client.get(url_for(draft)).context["form"]
    assert form.initial["to"] == "ada@example.org"
    assert form.initial["message"].startswith("Dear Ada,")


def test_the_link_is_emailed_with_the_editors_message(
    editor_client, editor, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            url_for(draft),
            {"to": "office@example.org", "message": "Dear Ada,\r\nHere it is.", "days": 7},
        )
    assert response.status_code == 200
    assert "Emailed to office@example.org" in response.text
    assert "js/copy.js" in response.text  # the copy button's script (static, CSP-safe)
    [message] = mail.outbox
    assert message.to == ["office@example.org"] and message.reply_to == [editor.email]
    assert "Here it is." in message.body and "Ada on listening" in message.subject
    assert response.context["url"] in message.body
    link = ApprovalLink.objects.get()
    assert link.note == "emailed to office@example.org"
    path = response.context["url"].replace("http://testserver", "")
    editor_client.logout()
    assert editor_client.get(path).status_code == 200  # the emailed link works


def test_without_an_address_the_link_is_only_shown(
    editor_client, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url_for(draft), {"to": "", "message": "", "days": 7})
    assert response.context["url"] and mail.outbox == []
    assert ApprovalLink.objects.get().note == ""


def test_a_bad_address_is_a_form_error_and_makes_no_link(editor_client, draft):
    response = editor_client.post(url_for(draft), {"to": "not an address", "days": 7})
    assert "Enter a valid email address." in response.text
    assert response.context["form"]["to"].value() == "not an address"  # kept as typed
    assert not ApprovalLink.objects.exists() and mail.outbox == []
