"""Writes of the newsletter: sign-up, confirmation, preferences, leaving."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import links
from .models import Subscriber, new_key


def _confirmation_due(subscriber, now):
    sent = subscriber.confirmation_sent_at
    return sent is None or now - sent >= timedelta(
        seconds=settings.NEWSLETTER_CONFIRM_EVERY_SECONDS
    )


def subscribe(*, email, wants, path, consent_text, source="form"):
    """Record a sign-up and queue the confirmation email. Whatever the address's state the
    caller shows the same page: a confirmed address changes nothing, a bounced or complained
    one is never mailed again, and no address gets more than one confirmation an hour."""
    from . import tasks

    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email__iexact=email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(email=email, source=source)
            except IntegrityError:  # the same address signed up at the same moment
                return
        elif subscriber.status not in (Subscriber.Status.PENDING, Subscriber.Status.UNSUBSCRIBED):
            return
        subscriber.status = Subscriber.Status.PENDING
        subscriber.wants_interviews = wants["interviews"]
        subscriber.wants_blog = wants["blog"]
        subscriber.wants_digest = wants["digest"]
        subscriber.consent_at, subscriber.consent_path = now, path[:300]
        subscriber.consent_text = consent_text
        if _confirmation_due(subscriber, now):
            subscriber.confirmation_sent_at = now
            subscriber.confirm_nonce = new_key()
            transaction.on_commit(lambda: tasks.send_confirmation.enqueue(subscriber.pk))
        subscriber.save()


def confirm(token):
    """Confirm the address of a confirmation link; BadLink (nothing changed) if it is not
    valid, expired or already used."""
    pk, nonce = links.read_confirm_token(token)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=pk).first()
        if subscriber is None or not nonce or subscriber.confirm_nonce != nonce:
            raise links.BadLink(
                "This confirmation link was already used or replaced by a newer one."
            )
        if subscriber.status != Subscriber.Status.PENDING:
            raise links.BadLink("This address is no longer waiting for confirmation.")
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.confirm_nonce = ""
        subscriber.save()
    return subscriber


def unsubscribe(subscriber):
    if subscriber.status in (Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED):
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.confirm_nonce = ""
        subscriber.save(update_fields=["status", "unsubscribed_at", "confirm_nonce"])


def update_preferences(subscriber, wants):
    subscriber.wants_interviews = wants["interviews"]
    subscriber.wants_blog = wants["blog"]
    subscriber.wants_digest = wants["digest"]
    subscriber.save(update_fields=["wants_interviews", "wants_blog", "wants_digest"])
