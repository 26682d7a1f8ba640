"""The production path: jobs queued in PostgreSQL and run by real `manage.py db_worker`
processes, sending through the test's SMTP server."""

import time
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from newsletter.models import Delivery, Mailing, Subscriber
from tests import factories
from tests.processes import start_db_worker, stop

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="worker processes share the test database: PostgreSQL only (SQLite's is in memory)",
    ),
]

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def worker(smtp, **env):
    return start_db_worker(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        SITE_URL="http://testserver",
        NEWSLETTER_RETRY_SECONDS="0.3",
        REDIS_URL="",
        **env,
    )


def subscribers(count):
    now = timezone.now()
    return Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.org", status="confirmed", confirmed_at=now)
        for n in range(count)
    )


def publish_interview():
    interview = factories.interview(published=False)
    factories.answer(interview=interview, body="An answer worth reading.")
    interview.status, interview.publish_at = "published", timezone.now()
    interview.save()
    return interview


@pytest.fixture
def queued(settings, smtp):
    settings.TASKS = DATABASE_BACKEND
    return smtp


def wait_until(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_two_workers_send_every_subscriber_one_copy_retrying_a_refusal(queued):
    subscribers(60)
    queued.refuse = 2
    workers = [worker(queued), worker(queued)]
    try:
        interview = publish_interview()
        done = Mailing.objects.filter(interview=interview, state="done")
        assert wait_until(done.exists)
    finally:
        for process in workers:
            stop(process)
    copies = Counter(rcpt for rcpts, _ in queued.messages for rcpt in rcpts)
    assert len(copies) == 60 and set(copies.values()) == {1}
    assert queued.refused == 2
    assert Delivery.objects.filter(state="sent").count() == 60
    assert Delivery.objects.filter(attempts=2).count() == 2
    message = queued.messages[0][1]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_worker_killed_mid_send_then_another_finishes_with_no_copy_twice(queued):
    subscribers(80)
    slow = {"NEWSLETTER_BATCH_SIZE": "10", "NEWSLETTER_CLAIM_TIMEOUT_SECONDS": "2"}
    first = worker(queued, **slow)
    queued.delay = 0.05
    try:
        publish_interview()
        assert wait_until(lambda: len(queued.messages) >= 15)
    finally:
        first.kill()  # no goodbye: as a machine lost mid-send
        first.wait()
    killed_at = len(queued.messages)
    assert killed_at < 80
    second = worker(queued, **slow)
    try:
        assert wait_until(
            lambda: not Delivery.objects.filter(state__in=["queued", "claimed"]).exists()
        )
    finally:
        stop(second)
    copies = Counter(rcpt for rcpts, _ in queued.messages for rcpt in rcpts)
    assert set(copies.values()) == {1}
    # At most the one message in flight when the worker died is unaccounted for: the server
    # may or may not have taken it, and it is never sent again.
    unknown = list(Delivery.objects.filter(state="sending").values_list("email", flat=True))
    assert len(unknown) <= 1
    sent = set(Delivery.objects.filter(state="sent").values_list("email", flat=True))
    assert len(sent) == 80 - len(unknown)
    assert sent <= set(copies) <= sent | set(unknown)
