"""What became of a send, for the admin's lists: queued, sent, failed, bounced, complained and
unsubscribed afterwards, each a correlated subquery, so a list of sends is one query whatever
its length.

Bounced and complained count the deliveries the provider reported so (``Delivery.feedback``,
from its webhooks). Unsubscribed counts a delivery whose subscriber left after it was sent
(docs/newsletter.md, "Per send")."""

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Delivery, Subscriber

COLUMNS = ("queued", "sent", "failed", "bounced", "complained", "unsubscribed")


def _count(mailing_ref, rows):
    counted = (
        rows.filter(mailing=OuterRef(mailing_ref))
        .order_by()
        .values("mailing")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def send_counts(mailing_ref="pk"):
    """Annotations ``n_queued`` … ``n_unsubscribed`` for a queryset whose ``mailing_ref`` is a
    Mailing's id (``"pk"`` on mailings, ``"mailing"`` on issues)."""
    sent = Delivery.objects.filter(state=Delivery.State.SENT)
    return {
        "n_queued": _count(mailing_ref, Delivery.objects.all()),
        "n_sent": _count(mailing_ref, sent),
        "n_failed": _count(mailing_ref, Delivery.objects.filter(state=Delivery.State.FAILED)),
        "n_bounced": _count(
            mailing_ref, Delivery.objects.filter(feedback=Delivery.Feedback.BOUNCED)
        ),
        "n_complained": _count(
            mailing_ref, Delivery.objects.filter(feedback=Delivery.Feedback.COMPLAINED)
        ),
        "n_unsubscribed": _count(
            mailing_ref,
            sent.filter(
                Q(subscriber__status=Subscriber.Status.UNSUBSCRIBED),
                subscriber__unsubscribed_at__gte=F("sent_at"),
            ),
        ),
    }


def _column(name):
    def column(self, obj):
        return getattr(obj, f"n_{name}")

    column.short_description = name
    column.admin_order_field = f"n_{name}"
    column.__name__ = name
    return column


class SendCountsMixin:
    """Admin list columns for the counts: the queryset must carry ``send_counts()``."""

    queued = _column("queued")
    sent = _column("sent")
    failed = _column("failed")
    bounced = _column("bounced")
    complained = _column("complained")
    unsubscribed = _column("unsubscribed")
