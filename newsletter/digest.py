"""The weekly digest: at the chosen weekday and hour (DigestSettings, the site's time zone) the
week's new interviews and posts go to confirmed subscribers who want the digest, through the
same Mailing and Deliveries as a piece. Nothing goes for a week with nothing new; one Digest
row per week makes a re-run or a second worker send nothing more (docs/newsletter.md)."""

from datetime import UTC, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from .models import Digest, DigestSettings, Mailing
from .selectors import archive_changed, week_pieces
from .tasks import start_mailing

WEEK = timedelta(days=7)


def slot_before(now, weekday, hour):
    """The latest digest time (weekday, hour, site time zone) at or before ``now``."""
    local = timezone.localtime(now)
    slot = local.replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(
        days=(local.weekday() - weekday) % 7
    )
    if slot > local:
        slot -= WEEK
    # Wall-clock arithmetic: the same hour across a change of summer time.
    return timezone.make_aware(slot.replace(tzinfo=None)).astimezone(UTC)


def next_slot(now, weekday, hour):
    local = timezone.localtime(slot_before(now, weekday, hour)).replace(tzinfo=None) + WEEK
    return timezone.make_aware(local).astimezone(UTC)


@task()
def mail_digest():
    """Send the digest of the week that ended at the last digest time, once; then queue the
    check for the next one. Safe to run at any time and any number of times."""
    config = DigestSettings.load()
    now = timezone.now()
    if config.enabled:
        ends_at = slot_before(now, config.weekday, config.hour)
        late = now - ends_at > timedelta(hours=settings.NEWSLETTER_DIGEST_LATE_HOURS)
        if not late:
            start_digest(ends_at, now)
    queue_next_check(now)


def start_digest(ends_at, now):
    """The week's Digest row is the claim: whoever writes it sends it, anyone else stops."""
    last = Digest.objects.filter(ends_at__lt=ends_at).order_by("-ends_at").first()
    starts_at = ends_at - WEEK
    if last is not None and last.ends_at > starts_at:  # the day moved: no piece twice
        starts_at = last.ends_at
    with transaction.atomic():
        try:
            with transaction.atomic():
                digest = Digest.objects.create(starts_at=starts_at, ends_at=ends_at)
        except IntegrityError:
            return None
        if not week_pieces(starts_at, ends_at):
            return Mailing.objects.create(digest=digest, state=Mailing.State.SKIPPED)
        mailing = Mailing.objects.create(digest=digest)
        start_mailing(mailing, now)
        archive_changed()
        return mailing


def queue_next_check(now=None):
    """Queue ``mail_digest`` for the next digest time, unless it is queued already (one
    conditional update decides, whichever process asks). Backends that cannot defer run
    `manage.py newsletter_send_due` instead."""
    if not default_task_backend.supports_defer:
        return
    now = now or timezone.now()
    config = DigestSettings.load()
    if not config.enabled:
        return
    due = next_slot(now, config.weekday, config.hour)
    claimed = (
        DigestSettings.objects.filter(pk=config.pk).exclude(queued_for=due).update(queued_for=due)
    )
    if claimed:
        transaction.on_commit(
            lambda: mail_digest.using(run_after=due + timedelta(seconds=1)).enqueue()
        )
