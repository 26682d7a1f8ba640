from django.contrib import admin

from socialleaders.admin import LabelledColumnsMixin

from . import issues_admin  # noqa: F401 - registers the issues' and the digest's admin
from .counts import COLUMNS, SendCountsMixin, send_counts
from .models import Mailing, Subscriber


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
class MailingAdmin(SendCountsMixin, LabelledColumnsMixin, admin.ModelAdmin):
    """One row per send (a piece, an issue, a week's digest), with what became of it; untick
    "email it" on a scheduled piece to publish it without an email."""

    list_display = ("__str__", "send", "state", *COLUMNS, "started_at")
    list_filter = ("state", "send")
    list_editable = ("send",)
    autocomplete_fields = ("interview", "post")
    readonly_fields = ("issue", "digest", "state", "started_at", "finished_at")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("interview", "post", "issue", "digest")
            .annotate(**send_counts())
        )
