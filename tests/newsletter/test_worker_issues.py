"""Issues and the digest on the production path: jobs queued in PostgreSQL, run by real
`manage.py db_worker` processes, sent through the test's SMTP server."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter import digest, issues
from newsletter.models import Delivery, Digest, DigestSettings, Issue, Mailing
from tests import factories

from .test_worker import (
    DATABASE_BACKEND,
    pytestmark,  # noqa: F401 - PostgreSQL only, real transactions
    stop,
    subscribers,
    wait_until,
    worker,
)


@pytest.fixture
def queued(settings, smtp):
    settings.TASKS = DATABASE_BACKEND
    return smtp


def test_a_scheduled_issue_waits_in_the_queue_and_goes_at_its_time(queued):
    subscribers(30)
    workers = [worker(queued), worker(queued)]
    try:
        issue = factories.issue(subject="On time")
        issues.send_test.enqueue(issue.pk, "eddie@example.org")
        assert wait_until(lambda: queued.to("eddie@example.org"))  # the workers are up
        assert not Mailing.objects.exists() and not Delivery.objects.exists()  # no send
        send_at = timezone.now() + timedelta(seconds=3)
        Issue.objects.filter(pk=issue.pk).update(status="scheduled", send_at=send_at)
        issues.schedule(issue)  # as the admin does on save
        done = Mailing.objects.filter(issue=issue, state="done")
        assert wait_until(done.exists)
    finally:
        for process in workers:
            stop(process)
    copies = Counter(rcpt for rcpts, _ in queued.messages for rcpt in rcpts)
    assert copies.pop("eddie@example.org") == 1
    assert len(copies) == 30 and set(copies.values()) == {1}
    first_sent = Delivery.objects.order_by("sent_at").first().sent_at
    assert first_sent >= send_at  # not before its time
    assert Mailing.objects.get(issue=issue).started_at >= send_at
    assert Issue.objects.count() == 1


def test_two_workers_and_a_rerun_send_the_weeks_digest_once(queued):
    readers = subscribers(25)
    Delivery.objects.all().delete()
    for subscriber in readers:
        subscriber.wants_digest = True
        subscriber.wants_interviews = False
        subscriber.save()
    now = timezone.localtime()
    factories.digest_settings(weekday=now.weekday(), hour=now.hour)  # its hour has come
    interview = factories.interview(
        title="This week's", publish_at=timezone.now() - timedelta(days=1)
    )
    factories.answer(interview=interview, body="An answer worth reading.")
    Mailing.objects.all().delete()
    for _ in range(3):
        digest.mail_digest.enqueue()
    workers = [worker(queued), worker(queued)]
    try:
        assert wait_until(
            lambda: Mailing.objects.filter(digest__isnull=False, state="done").exists()
        )
        assert wait_until(lambda: len(queued.messages) >= 25)
        digest.mail_digest.enqueue()  # a re-run once it is sent
        assert wait_until(
            lambda: not Delivery.objects.filter(state__in=["queued", "claimed"]).exists()
        )
    finally:
        for process in workers:
            stop(process)
    copies = Counter(rcpt for rcpts, _ in queued.messages for rcpt in rcpts)
    assert len(copies) == 25 and set(copies.values()) == {1}
    assert Digest.objects.count() == 1
    assert "This week's" in queued.messages[0][1].get_body(preferencelist=("plain",)).get_content()
    # The check for next week's is queued once, for its hour.
    config = DigestSettings.load()
    assert config.queued_for == digest.next_slot(timezone.now(), config.weekday, config.hour)
