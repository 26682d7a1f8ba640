import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse

from socialleaders.admin import (
    CsvImportMixin,
    CsvUploadForm,
    LabelledColumnsMixin,
    dated_attachment,
)

from . import (
    csvio,
    issues_admin,  # noqa: F401 - registers the issues' and the digest's admin
    personal,
)
from .counts import COLUMNS, SendCountsMixin, send_counts
from .models import Mailing, Subscriber


class SubscriberImportForm(CsvUploadForm):
    max_bytes = 10 * 1024 * 1024
    file = forms.FileField(
        required=False,
        help_text="A WordPress.com, Mailchimp or Substack export (CSV); the columns are "
        "recognised.",
    )
    interviews = forms.BooleanField(label="Every new interview", required=False, initial=True)
    blog = forms.BooleanField(label="New posts on the blog", required=False, initial=True)
    digest = forms.BooleanField(label="A weekly digest", required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("interviews") or data.get("blog") or data.get("digest")):
            raise ValidationError("Tick at least one of the emails they will get.")
        return data

    def wants(self):
        return {key: self.cleaned_data[key] for key in ("interviews", "blog", "digest")}


@admin.register(Subscriber)
class SubscriberAdmin(CsvImportMixin, admin.ModelAdmin):
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
    actions = ["export_csv", "export_personal_data", "erase_personal_data"]
    change_list_template = "newsletter/admin/subscriber_change_list.html"
    import_form = SubscriberImportForm
    import_template = "newsletter/admin/subscriber_import.html"
    import_back_to_list = False  # the page keeps the report: who was already here, repeats

    # --- CSV ------------------------------------------------------------------------------

    def import_rows(self, request, form, *, good_rows_only):
        """A provider's export: the report also lists each repeat, address already here and
        member no longer subscribed there."""
        data = form.cleaned_data
        return csvio.import_csv(
            data["text"],
            wants=form.wants(),
            good_rows_only=good_rows_only,
            filename=data["filename"],
            by=request.user.get_username(),
        )

    def import_summary(self, report):
        return f"{report.imported} subscribers imported from the {report.provider}"

    @admin.action(description="Export selected subscribers as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = StreamingHttpResponse(
            csvio.export_rows(queryset), content_type="text/csv; charset=utf-8"
        )
        return dated_attachment(response, "subscribers", "csv")

    # --- Personal data, on request (as comments: docs/newsletter.md) ----------------------

    @admin.action(
        description="Export these people's data (JSON: everything held)", permissions=["view"]
    )
    def export_personal_data(self, request, queryset):
        data = [
            personal.export_subscriber(email) for email in queryset.values_list("email", flat=True)
        ]
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
        )
        return dated_attachment(response, "subscriber-data", "json")

    @admin.action(
        description="Erase these people's data (delete them; their emails stay as counts)",
        permissions=["delete"],
    )
    def erase_personal_data(self, request, queryset):
        emails = sorted({email.lower() for email in queryset.values_list("email", flat=True)})
        total = 0
        for email in emails:
            _, deliveries = personal.erase_subscriber(email)
            total += deliveries
        self.message_user(
            request,
            f"Erased the data of {len(emails)} subscribers ({total} emails kept as counts only).",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:newsletter_subscriber_changelist"))


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
