from django.contrib import admin
from django.db.models import Count, Q

from .models import Delivery, Mailing, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "status",
        "wants_interviews",
        "wants_blog",
        "wants_digest",
        "source",
        "consent_at",
    )
    list_filter = ("status", "wants_interviews", "wants_blog", "wants_digest", "source")
    search_fields = ("email",)
    readonly_fields = (
        "consent_at",
        "consent_path",
        "consent_text",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "confirmation_sent_at",
    )


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    """One row per piece: untick "email it" on a scheduled piece to publish it without an email."""

    list_display = ("__str__", "send", "state", "queued", "sent", "failed", "started_at")
    list_filter = ("state", "send")
    list_editable = ("send",)
    autocomplete_fields = ("interview", "post")
    readonly_fields = ("state", "started_at", "finished_at")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("interview", "post")
            .annotate(
                n_queued=Count("deliveries"),
                n_sent=Count("deliveries", filter=Q(deliveries__state=Delivery.State.SENT)),
                n_failed=Count("deliveries", filter=Q(deliveries__state=Delivery.State.FAILED)),
            )
        )

    @admin.display(description="queued")
    def queued(self, obj):
        return obj.n_queued

    @admin.display(description="sent")
    def sent(self, obj):
        return obj.n_sent

    @admin.display(description="failed")
    def failed(self, obj):
        return obj.n_failed
