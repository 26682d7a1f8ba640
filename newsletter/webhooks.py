"""Bounces and complaints the email provider reports (django-anymail's tracking webhooks for
Amazon SES, Postmark and Mailgun): the address is marked bounced or complained, so nothing is
sent to it again, and the delivery it answers counts them on its mailing."""

from anymail.signals import EventType
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from .models import Delivery, Subscriber

# Each endpoint, and the anymail setting it cannot be safe without: an endpoint whose check is
# not set up answers 404 (anymail would only warn and take anyone's posts).
ENDPOINTS = {
    "amazon_ses": (AmazonSESTrackingWebhookView, "WEBHOOK_SECRET"),
    "postmark": (PostmarkTrackingWebhookView, "WEBHOOK_SECRET"),
    "mailgun": (MailgunTrackingWebhookView, "MAILGUN_WEBHOOK_SIGNING_KEY"),
}


def endpoint(esp):
    view_class, needs = ENDPOINTS[esp]
    view = view_class.as_view()

    def tracking_view(request, *args, **kwargs):
        if not getattr(settings, "ANYMAIL", {}).get(needs):
            raise Http404(f"The {esp} webhook is not set up (ANYMAIL {needs}).")
        return view(request, *args, **kwargs)

    tracking_view.csrf_exempt = True
    return tracking_view


def is_permanent(event):
    """A bounce that means the address does not work: anymail counts some temporary ones as
    "bounced" too (Amazon SES's Transient, Postmark's SoftBounce), which are left alone."""
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    if raw.get("Type") == "SoftBounce":  # Postmark
        return False
    return not (event.description or "").startswith("Transient")  # Amazon SES


def record(email, feedback, *, delivery_id=None, when=None):
    """Mark ``email`` bounced or complained and note it on the delivery it answers (the one
    the event names, else the latest sent to that address). A complaint outranks a bounce."""
    when = when or timezone.now()
    status = {
        Delivery.Feedback.BOUNCED: Subscriber.Status.BOUNCED,
        Delivery.Feedback.COMPLAINED: Subscriber.Status.COMPLAINED,
    }[feedback]
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email__iexact=email).first()
        if subscriber is not None and subscriber.status != Subscriber.Status.COMPLAINED:
            subscriber.status = status
            subscriber.confirm_nonce = ""
            subscriber.save(update_fields=["status", "confirm_nonce"])
        deliveries = Delivery.objects.filter(email__iexact=email, state=Delivery.State.SENT)
        delivery = None
        if delivery_id and str(delivery_id).isdigit():
            delivery = deliveries.filter(pk=int(delivery_id)).first()
        if delivery is None:
            latest = deliveries.order_by("-sent_at")
            delivery = latest.filter(sent_at__lte=when).first() or latest.first()
        if delivery is not None and delivery.feedback != Delivery.Feedback.COMPLAINED:
            delivery.feedback, delivery.feedback_at = feedback, when
            delivery.save(update_fields=["feedback", "feedback_at"])


def on_tracking(sender, event, esp_name, **kwargs):
    """anymail's `tracking` signal: every event of every endpoint comes here."""
    if not event.recipient:
        return
    if event.event_type == EventType.BOUNCED and is_permanent(event):
        feedback = Delivery.Feedback.BOUNCED
    elif event.event_type == EventType.COMPLAINED:
        feedback = Delivery.Feedback.COMPLAINED
    else:
        return
    metadata = event.metadata or {}
    record(
        event.recipient,
        feedback,
        delivery_id=metadata.get("delivery"),
        when=event.timestamp,
    )


def connect():
    from anymail.signals import tracking

    tracking.connect(on_tracking, dispatch_uid="newsletter-anymail-tracking")
