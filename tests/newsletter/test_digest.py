"""The weekly digest: at the chosen weekday and hour (site time zone) the week's new interviews
and posts go once to confirmed subscribers who want the digest; nothing for an empty week."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from interviews.models import Interview
from newsletter.digest import mail_digest, next_slot, slot_before
from newsletter.due import mail_due
from newsletter.models import Delivery, Digest, DigestSettings, Mailing
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

# Friday 4 December 2026, 08:00 in London (GMT): the digest time set below.
SLOT = timezone.make_aware(datetime(2026, 12, 4, 8, 0))


def readers():
    digest = factories.subscriber(
        email="digest@example.org", wants_interviews=False, wants_digest=True
    )
    factories.subscriber(email="interviews@example.org")  # no digest asked for
    factories.subscriber(email="pending@example.org", status="pending", wants_digest=True)
    return digest


def week_content():
    """Published during the week before SLOT: an interview and a post; one older and one
    scheduled after SLOT stay out."""
    interview = factories.interview(title="Being you online", publish_at=SLOT - timedelta(days=3))
    answer = factories.answer(interview=interview, body="Just **start**: share what you see.")
    factories.quote(interview=interview, answer=answer, text="Be you, dive in, share stuff.")
    factories.post(title="A note from the editors", publish_at=SLOT - timedelta(days=1))
    factories.interview(title="Last month", publish_at=SLOT - timedelta(days=8))
    factories.interview(title="Next week", publish_at=SLOT + timedelta(days=2))
    Mailing.objects.all().delete()  # their own emails are not what this is about


@pytest.fixture
def friday_at_eight(db):
    return factories.digest_settings(weekday=DigestSettings.Weekday.FRIDAY, hour=8)


def test_the_weeks_digest_goes_once_to_those_who_want_it(smtp, friday_at_eight):
    readers()
    with time_machine.travel(SLOT - timedelta(days=4)):
        week_content()
    with time_machine.travel(SLOT - timedelta(minutes=1)):
        mail_due.enqueue()  # not its hour yet
    assert smtp.messages == []
    with time_machine.travel(SLOT + timedelta(minutes=2)):
        mail_due.enqueue()
        mail_digest.enqueue()  # a re-run, or a second worker
    with time_machine.travel(SLOT + timedelta(hours=5)):
        mail_digest.enqueue()
    assert [rcpts for rcpts, _ in smtp.messages] == [["digest@example.org"]]
    message = smtp.messages[0][1]
    assert message["Subject"] == "Social Leaders: the week to 4 December 2026"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    # Each interview as its own email shows it: leader, pull quote, first answer, link.
    interview = Interview.objects.get(title="Being you online")
    for part in (text, html):
        assert interview.leader.name in part
        assert "Be you, dive in, share stuff." in part
        assert "share what you see" in part
        assert f"http://testserver{interview.get_absolute_url()}" in part
        assert "A note from the editors" in part
        assert "Last month" not in part and "Next week" not in part
    assert "1 new interview and 1 new post" in text
    assert "/subscribe/unsubscribe/" in text
    digest = Digest.objects.get()
    assert (digest.starts_at, digest.ends_at) == (SLOT - timedelta(days=7), SLOT)
    assert digest.mailing.state == "done"
    assert Delivery.objects.get().email == "digest@example.org"


def test_nothing_is_sent_for_a_week_with_nothing_new(smtp, friday_at_eight):
    readers()
    with time_machine.travel(SLOT - timedelta(days=4)):
        week_content()
    with time_machine.travel(SLOT + timedelta(minutes=1)):
        mail_digest.enqueue()
    assert len(smtp.messages) == 1
    # The next week: nothing went live (the interview scheduled for it is two days in, so it
    # is in this week's; move it out).
    Interview.objects.filter(title="Next week").update(publish_at=SLOT + timedelta(days=9))
    with time_machine.travel(SLOT + timedelta(days=7, minutes=1)):
        mail_digest.enqueue()
        mail_digest.enqueue()
    assert len(smtp.messages) == 1
    empty = Digest.objects.get(ends_at=SLOT + timedelta(days=7))
    assert empty.mailing.state == "skipped" and not empty.mailing.deliveries.exists()


def test_a_digest_hour_long_past_is_not_sent_late_and_an_off_switch_sends_nothing(
    smtp, friday_at_eight
):
    readers()
    with time_machine.travel(SLOT - timedelta(days=4)):
        week_content()
    with time_machine.travel(SLOT + timedelta(days=2)):  # no worker ran for two days
        mail_digest.enqueue()
    assert smtp.messages == []
    factories.digest_settings(enabled=False)
    with time_machine.travel(SLOT + timedelta(days=7, minutes=1)):
        factories.post(title="Fresh", publish_at=timezone.now() - timedelta(hours=1))
        Mailing.objects.filter(post__title="Fresh").delete()
        mail_digest.enqueue()
    assert smtp.messages == [] and not Digest.objects.exists()


def test_the_digest_time_is_in_the_site_time_zone_across_summer_time():
    # London: Friday 08:00 is 08:00 UTC in winter and 07:00 UTC in summer.
    winter = timezone.make_aware(datetime(2026, 12, 4, 9, 30))
    assert slot_before(winter, 4, 8).isoformat() == "2026-12-04T08:00:00+00:00"
    summer = timezone.make_aware(datetime(2026, 7, 3, 8, 0))
    assert slot_before(summer, 4, 8).isoformat() == "2026-07-03T07:00:00+00:00"
    # The week that ends on 30 October 2026 (after the clocks go back on 25 October).
    assert next_slot(timezone.make_aware(datetime(2026, 10, 24, 9)), 4, 8).isoformat() == (
        "2026-10-30T08:00:00+00:00"
    )
    assert slot_before(timezone.make_aware(datetime(2026, 10, 30, 7, 59)), 4, 8).isoformat() == (
        "2026-10-23T07:00:00+00:00"
    )


def test_with_a_worker_queue_the_next_digest_is_queued_for_its_hour_once(settings, friday_at_eight):
    """No cron: saving a piece queues the digest check for the next digest time, once
    however many pieces go live; the check queues the one after."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    digests = DBTaskResult.objects.filter(task_path="newsletter.digest.mail_digest")
    with time_machine.travel(SLOT - timedelta(days=2)):
        for title in ("One", "Two"):
            interview = factories.interview(title=title, published=False)
            interview.status, interview.publish_at = "published", timezone.now()
            interview.save()
            for job in DBTaskResult.objects.filter(task_path="newsletter.tasks.mail_piece"):
                job.task.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
                job.delete()
    assert [job.run_after for job in digests.all()] == [SLOT + timedelta(seconds=1)]
    with time_machine.travel(SLOT + timedelta(seconds=1)):
        digests.get().task.call()
    assert Digest.objects.get().ends_at == SLOT
    assert sorted(job.run_after for job in digests.all()) == [
        SLOT + timedelta(seconds=1),
        SLOT + timedelta(days=7, seconds=1),
    ]
