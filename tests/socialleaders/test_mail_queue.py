"""Comment notifications, moderation notices and approval links go through the job queue: sent
after the commit, and tried again when the mail server refuses for now (451), through a real
SMTP server; on PostgreSQL also through a real `manage.py db_worker`."""

import logging

import pytest
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from comments import services
from socialleaders import mail
from tests import factories
from tests.newsletter import conftest as newsletter_fixtures
from tests.newsletter.test_worker import DATABASE_BACKEND, stop, wait_until, worker

# The newsletter tests' real SMTP server (aiosmtpd) and the site sending through it.
smtp_server, smtp = newsletter_fixtures.smtp_server, newsletter_fixtures.smtp


def approve_a_followed_comment(commit=True):
    """An editor approves a comment on a post someone follows; the transaction commits."""
    post = factories.post()
    factories.subscription(post=post, email="follower@example.org")
    comment = factories.comment(post=post, status="pending", body="Worth a reply.")
    if not commit:
        services.approve([comment])
        return comment
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.approve([comment])
    return comment


@pytest.mark.django_db
def test_a_comment_notification_refused_once_is_sent_once_after_a_retry(smtp):
    smtp.refuse = 1
    approve_a_followed_comment()
    assert smtp.refused == 1
    sent = smtp.to("follower@example.org")
    assert len(sent) == 1
    assert "Worth a reply." in sent[0].get_content()
    assert sent[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.django_db
def test_a_server_that_keeps_refusing_is_given_up_after_the_attempts_and_logged(
    smtp, settings, caplog
):
    settings.MAIL_MAX_ATTEMPTS = 3
    smtp.refuse = 10
    with caplog.at_level(logging.WARNING, logger="comments"):
        approve_a_followed_comment()
    assert smtp.refused == 3 and smtp.messages == []
    assert any("gave up" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_a_permanent_refusal_is_not_retried(smtp, monkeypatch, caplog):
    import smtplib

    calls = []

    def refuse(self, *args, **kwargs):
        calls.append(1)
        raise smtplib.SMTPDataError(550, b"5.1.1 no such mailbox")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with caplog.at_level(logging.ERROR, logger="comments"):
        approve_a_followed_comment()
    assert len(calls) == 1
    assert any("could not send" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_the_moderation_notice_is_sent_after_a_retry(smtp, editor):
    smtp.refuse = 1
    post = factories.post(title="On trust")
    comment = factories.comment(post=post, status="pending", body="Hold me.")
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.notify_moderators(comment.pk)
    sent = smtp.to("editor@example.com")
    assert smtp.refused == 1 and len(sent) == 1
    assert 'awaiting moderation on "On trust"' in sent[0]["Subject"]


@pytest.mark.django_db
def test_the_approval_link_is_sent_after_a_retry_with_the_editors_reply_to(
    smtp, client, editor, django_capture_on_commit_callbacks
):
    smtp.refuse = 1
    client.force_login(editor)
    interview = factories.interview(published=False, title="Ada on listening")
    url = reverse("admin:interviews_interview_approval_link", args=[interview.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"to": "office@example.org", "message": "Dear Ada,", "days": 7})
    sent = smtp.to("office@example.org")
    assert smtp.refused == 1 and len(sent) == 1
    assert sent[0]["Reply-To"] == "editor@example.com"
    assert "The link works until" in sent[0].get_content()


@pytest.mark.django_db
def test_nothing_is_queued_before_the_commit(smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approve_a_followed_comment(commit=False)
    assert smtp.messages == []
    with TestCase.captureOnCommitCallbacks(execute=True):  # the commit
        for callback in callbacks:
            callback()
    assert len(smtp.to("follower@example.org")) == 1


def test_a_message_survives_the_queue_whole():
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(
        "Subject",
        "Text",
        "from@example.org",
        ["to@example.org"],
        reply_to=["r@example.org"],
        headers={"List-Unsubscribe": "<https://example.org/u>"},
    )
    message.attach_alternative("<p>HTML</p>", "text/html")
    copy = mail.deserialise(mail.serialise(message))
    for field in ("subject", "body", "from_email", "to", "reply_to", "extra_headers"):
        assert getattr(copy, field) == getattr(message, field)
    assert copy.alternatives[0][:2] == ("<p>HTML</p>", "text/html")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="worker processes share the test database: PostgreSQL only (SQLite's is in memory)",
)
def test_a_real_worker_sends_the_notification_once_after_a_refusal(smtp, settings):
    settings.TASKS = DATABASE_BACKEND
    smtp.refuse = 1
    process = worker(smtp, MAIL_RETRY_SECONDS="0.3")
    try:
        approve_a_followed_comment()
        assert wait_until(lambda: smtp.to("follower@example.org"), timeout=60)
        wait_until(lambda: False, timeout=1.5)  # time for a wrong second copy to arrive
    finally:
        stop(process)
    assert smtp.refused == 1
    assert len(smtp.to("follower@example.org")) == 1
