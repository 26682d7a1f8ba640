"""A subscriber's data on request, as comments do (comments.services.export_commenter and
erase_commenter): everything held about an address as plain data, and its erasure, which keeps
each mailing's counts (the deliveries stay, with nothing left that names the person)."""

from django.db import transaction

from .models import Delivery, Subscriber


def _when(value):
    return value.isoformat() if value else None


def export_subscriber(email):
    """Everything held about a subscriber (by email), as plain data; None if nobody."""
    subscriber = Subscriber.objects.filter(email__iexact=email).first()
    if subscriber is None:
        return None
    deliveries = (
        Delivery.objects.filter(subscriber=subscriber)
        .select_related("mailing__interview", "mailing__post")
        .order_by("id")
    )
    return {
        "email": subscriber.email,
        "status": subscriber.status,
        "wants": {
            "interviews": subscriber.wants_interviews,
            "blog": subscriber.wants_blog,
            "digest": subscriber.wants_digest,
        },
        "source": subscriber.source,
        "consent": {
            "given_at": _when(subscriber.consent_at),
            "on_page": subscriber.consent_path,
            "wording": subscriber.consent_text,
        },
        "created_at": _when(subscriber.created_at),
        "confirmed_at": _when(subscriber.confirmed_at),
        "unsubscribed_at": _when(subscriber.unsubscribed_at),
        "confirmation_sent_at": _when(subscriber.confirmation_sent_at),
        "emails": [
            {
                "of": str(delivery.mailing.piece),
                "to": delivery.email,
                "state": delivery.state,
                "attempts": delivery.attempts,
                "sent_at": _when(delivery.sent_at),
                "error": delivery.error,
                "provider_reported": delivery.feedback,
                "reported_at": _when(delivery.feedback_at),
            }
            for delivery in deliveries
        ],
    }


def erase_subscriber(email):
    """Delete the subscriber; their deliveries lose the address, the error (it may quote the
    address) and the link to them, and stay as numbers on their mailings; one not yet sent is
    never sent. Returns (subscribers deleted, deliveries anonymised)."""
    with transaction.atomic():
        subscribers = list(
            Subscriber.objects.select_for_update()
            .filter(email__iexact=email)
            .values_list("pk", flat=True)
        )
        if not subscribers:
            return 0, 0
        mine = Delivery.objects.filter(subscriber_id__in=subscribers)
        mine.filter(state__in=[Delivery.State.QUEUED, Delivery.State.CLAIMED]).update(
            state=Delivery.State.FAILED, error="erased on request"
        )
        mine.exclude(error="erased on request").update(error="")  # it may quote the address
        anonymised = mine.update(subscriber=None, email="")
        deleted, _ = Subscriber.objects.filter(pk__in=subscribers).delete()
    return deleted, anonymised
