"""The newsletter's jobs, run by the task queue (django-tasks: docs/decisions.md): in the web
process with the immediate backend, in `manage.py db_worker` processes with the database one."""

import functools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db import connection as db
from django.db.models import Min, Q
from django.utils import timezone
from django_tasks import default_task_backend, task

from socialleaders.mail import is_temporary, later, sendmail_when

from .emails import confirmation_message, email_for
from .models import Delivery, Mailing, Subscriber

logger = logging.getLogger(__name__)


@task()
def send_confirmation(subscriber_id):
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status != Subscriber.Status.PENDING:
        return
    confirmation_message(subscriber).send()


def piece_of(kind, pk):
    from blog.models import Post
    from interviews.models import Interview

    model = Interview if kind == "interview" else Post
    return model.objects.filter(pk=pk).first()


def too_old_to_mail(piece, now):
    """Live for longer than NEWSLETTER_MAX_PIECE_AGE_HOURS (the archive, an old import): its
    email is never sent, unless a mailing was already waiting for it."""
    age = timedelta(hours=settings.NEWSLETTER_MAX_PIECE_AGE_HOURS)
    return piece.is_published(now) and now - piece.publish_at > age


@task()
def mail_piece(kind, pk, created=False):
    """A piece was saved: start its email if it is live and was never mailed; if it is
    scheduled, come back at its time. Safe to run any number of times."""
    piece = piece_of(kind, pk)
    if piece is None:
        return
    now = timezone.now()
    live = piece.is_published(now)
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().filter(**{kind: piece}).first()
        if mailing is None:
            # A piece live for long before (the archive, an old import) is not mailed; one
            # not live yet, or gone live lately, is. Not by which save's job runs first: two
            # workers take a draft's job and its publishing's in either order.
            old = too_old_to_mail(piece, now)
            state = Mailing.State.SKIPPED if old else Mailing.State.PENDING
            try:
                with transaction.atomic():
                    mailing = Mailing.objects.create(**{kind: piece}, state=state)
            except IntegrityError:  # the other job made it meanwhile
                mailing = Mailing.objects.select_for_update().get(**{kind: piece})
        if mailing.state != Mailing.State.PENDING or not mailing.send:
            return
        if live:
            start_mailing(mailing, now)
            return
    if piece.is_scheduled and default_task_backend.supports_defer:
        mail_piece.using(run_after=piece.publish_at + timedelta(seconds=1)).enqueue(kind, pk)


@task()
def mail_waiting_pieces():
    """Start every mailing waiting for a piece that is now live."""
    waiting = Mailing.objects.filter(state=Mailing.State.PENDING, send=True)
    for mailing in waiting.filter(Q(interview__isnull=False) | Q(post__isnull=False)):
        piece = mailing.piece
        if piece.is_published():
            mail_piece.enqueue(mailing.kind, piece.pk)


@task()
def mail_due_pieces():
    """Start every mailing waiting for a piece that is now live (for backends that cannot
    defer a job to the piece's time) and resume unfinished ones: `manage.py newsletter_send_due`
    (with issues and the digest: newsletter.due)."""
    mail_waiting_pieces.call()
    # And a send whose workers all died: its remaining rows are picked up again.
    for mailing_id in Mailing.objects.filter(state=Mailing.State.SENDING).values_list(
        "pk", flat=True
    ):
        send_mailing.enqueue(mailing_id)


# Who gets each kind of email, among confirmed subscribers: an issue goes to all of them
# (docs/newsletter.md, "Issues").
WANTS = {"interview": "wants_interviews", "post": "wants_blog", "digest": "wants_digest"}


def recipients_of(mailing):
    confirmed = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED)
    want = WANTS.get(mailing.kind)
    return confirmed.filter(**{want: True}) if want else confirmed


def start_mailing(mailing, now):
    """Write one Delivery per subscriber who wants it (before anything is sent), then queue
    the sending. Called inside the transaction holding the mailing's row."""
    recipients = recipients_of(mailing)
    rows = (
        Delivery(mailing=mailing, subscriber_id=pk, email=email, next_attempt_at=now)
        for pk, email in recipients.values_list("pk", "email").iterator(chunk_size=2000)
    )
    Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    mailing.state, mailing.started_at = Mailing.State.SENDING, now
    mailing.save(update_fields=["state", "started_at"])
    mailing_id = mailing.pk
    # Chains of batch jobs: as many workers as this can send it at once.
    chains = settings.NEWSLETTER_PARALLEL_SENDS if default_task_backend.supports_defer else 1
    for _ in range(chains):
        transaction.on_commit(lambda: send_mailing.enqueue(mailing_id))


def claim_batch(mailing_id, now):
    """Hand a batch of due deliveries to this worker, within the per-minute rate; returns
    (deliveries, seconds to wait before the next batch, or None when nothing is left). A batch
    a dead worker claimed and never started is claimed again after the claim timeout."""
    stale = now - timedelta(seconds=settings.NEWSLETTER_CLAIM_TIMEOUT_SECONDS)
    with transaction.atomic():
        # Claims are made one worker at a time (the mailing's row lock), so the rate holds.
        Mailing.objects.select_for_update().get(pk=mailing_id)
        mine = Delivery.objects.filter(mailing_id=mailing_id)
        mine.filter(state=Delivery.State.CLAIMED, claimed_at__lte=stale).update(
            state=Delivery.State.QUEUED
        )
        queued = mine.filter(state=Delivery.State.QUEUED)
        minute_ago = now - timedelta(seconds=60)
        recent = Delivery.objects.filter(claimed_at__gt=minute_ago)
        allowance = min(
            settings.NEWSLETTER_BATCH_SIZE, settings.NEWSLETTER_RATE_PER_MINUTE - recent.count()
        )
        if allowance <= 0:
            oldest = recent.aggregate(Min("claimed_at"))["claimed_at__min"]
            return [], max((oldest - minute_ago).total_seconds(), 0.1)
        due = list(
            queued.filter(next_attempt_at__lte=now)
            .select_related("subscriber")
            .order_by("next_attempt_at", "id")[:allowance]
        )
        # Who left since the send started is not sent to. Checked in this batch only: over
        # every queued row it cost each batch a scan of the whole rest of the send.
        gone = [d.pk for d in due if d.subscriber.status != Subscriber.Status.CONFIRMED]
        if gone:
            Delivery.objects.filter(pk__in=gone).update(
                state=Delivery.State.FAILED, error="left before it was sent"
            )
            due = [d for d in due if d.pk not in gone]
            if not due:
                return [], 0
        if not due:
            upcoming = queued.aggregate(Min("next_attempt_at"))["next_attempt_at__min"]
            claimed = mine.filter(state=Delivery.State.CLAIMED).aggregate(Min("claimed_at"))
            waits = []
            if upcoming is not None:
                waits.append(max((upcoming - now).total_seconds(), 0.05))
            if claimed["claimed_at__min"] is not None:
                waits.append(max((claimed["claimed_at__min"] - stale).total_seconds(), 0.05))
            return [], min(waits) if waits else None
        Delivery.objects.filter(pk__in=[d.pk for d in due]).update(
            state=Delivery.State.CLAIMED, claimed_at=now
        )
    return due, 0


def send_batch(mailing_id):
    """Send one batch; returns the seconds until the next one is due, or None when done."""
    now = timezone.now()
    due, wait = claim_batch(mailing_id, now)
    if not due:
        if wait is None:
            finish(mailing_id)
        return wait
    mailing = Mailing.objects.select_related("interview__leader", "post", "issue", "digest").get(
        pk=mailing_id
    )
    email = email_for(mailing)
    connection = get_connection()
    wire = email.wire(connection)  # None: each message built and sent by Django's backend
    sent = None  # (pk, when) of the last copy that left, marked SENT with the next one's start
    cursor = db.cursor()  # the batch's marks, one statement each
    # With the wire form, each mark is written by a helper thread (its own connection) while
    # the message goes out; only the dot that ends DATA waits for it (sendmail_when). Not
    # inside a transaction (tests running a batch in-process): the helper would not see it.
    marker = None if wire is None or db.in_atomic_block else ThreadPoolExecutor(1)
    try:
        for delivery in due:
            data = wire and wire.bytes_for(delivery.subscriber)
            previous, sent = sent, None
            if data is not None and marker is not None:
                started = marker.submit(start_sending, delivery.pk, previous).result
            else:
                # Marked just before it leaves: a worker killed now leaves one row whose fate
                # is unknown, and it is never sent again.
                if not start_sending(delivery.pk, previous, cursor):
                    continue  # taken back after the claim timeout
                started = lambda: True  # noqa: E731 - the same question as the helper's mark
            delivery.attempts += 1
            try:
                # One SMTP session for the whole batch (send() alone would open and close one
                # per message); reopened after a failure closed it.
                connection.open()
                if data is not None:
                    to = [delivery.subscriber.email]
                    if not sendmail_when(connection.connection, wire.from_email, to, data, started):
                        connection.close()  # dropped mid-DATA: the row was taken back
                        continue
                else:
                    message = email.message_for(delivery.subscriber, connection=connection)
                    # Sent back by anymail's providers with a bounce or complaint (webhooks.py).
                    message.metadata = {"delivery": str(delivery.pk)}
                    message.send()
            except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
                connection.close()
                if started():
                    record_failure(delivery, error)
            else:
                sent = (delivery.pk, timezone.now())
        if sent is not None:
            mark_sent(*sent)
    finally:
        if marker is not None:
            # The helper thread's own connection (`db.close` looked up here is this thread's).
            marker.submit(lambda: db.close()).result()
            marker.shutdown()
        cursor.close()
        connection.close()
    return 0


def mark_sent(pk, when):
    Delivery.objects.filter(pk=pk).update(state=Delivery.State.SENT, sent_at=when, error="")


def start_sending(pk, sent=None, cursor=None):
    """Mark a claimed row `sending`; True if it still was claimed (not taken back). The copy
    sent before it, ``sent`` = (pk, when), is marked `sent` in the same statement: one round
    trip and one commit per message (bench/newsletter_send.py), still one row at most in doubt.
    ``cursor``: the batch's own, else one is opened for this call."""
    if cursor is None:
        with db.cursor() as cursor:
            return start_sending(pk, sent, cursor)
    previous, when = sent or (None, None)
    params = {
        "pk": pk,
        "previous": previous,
        "when": None if when is None else db.ops.adapt_datetimefield_value(when),
        "claimed": Delivery.State.CLAIMED,
        "sending": Delivery.State.SENDING,
        "sent": Delivery.State.SENT,
    }
    cursor.execute(start_sending_sql(), params)
    return any(row[0] == pk for row in cursor.fetchall())


@functools.cache
def start_sending_sql():
    # Written once (it ran for every message): `id = NULL` matches no row, for a first copy.
    table = db.ops.quote_name(Delivery._meta.db_table)
    return (
        f"UPDATE {table} SET "  # noqa: S608 - the table's name, quoted; values are parameters
        "state = CASE WHEN id = %(pk)s THEN %(sending)s ELSE %(sent)s END, "
        "attempts = attempts + CASE WHEN id = %(pk)s THEN 1 ELSE 0 END, "
        "sent_at = CASE WHEN id = %(pk)s THEN sent_at ELSE %(when)s END, "
        "error = CASE WHEN id = %(pk)s THEN error ELSE '' END "
        "WHERE (id = %(pk)s AND state = %(claimed)s) OR id = %(previous)s RETURNING id"
    )


def record_failure(delivery, error):
    retry = is_temporary(error) and delivery.attempts < settings.NEWSLETTER_MAX_ATTEMPTS
    logger.warning(
        "newsletter: sending to subscriber %s failed (attempt %s, %s): %r",
        delivery.subscriber_id,
        delivery.attempts,
        "will retry" if retry else "gave up",
        error,
    )
    backoff = settings.NEWSLETTER_RETRY_SECONDS * 2 ** (delivery.attempts - 1)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.QUEUED if retry else Delivery.State.FAILED,
        next_attempt_at=timezone.now() + timedelta(seconds=backoff),
        error=repr(error)[:300],
    )


def finish(mailing_id):
    Mailing.objects.filter(pk=mailing_id, state=Mailing.State.SENDING).exclude(
        deliveries__state__in=[Delivery.State.QUEUED, Delivery.State.CLAIMED]
    ).update(state=Mailing.State.DONE, finished_at=timezone.now())


@task()
def send_mailing(mailing_id):
    """Send a mailing batch by batch. With a deferring backend each batch is its own job (so
    several workers share the send); with the immediate one it loops here until done."""
    while True:
        wait = send_batch(mailing_id)
        if wait is None:
            return
        if default_task_backend.supports_defer:
            later(send_mailing, wait, mailing_id)
            return
        time.sleep(wait)
