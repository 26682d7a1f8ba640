import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from socialleaders.admin import LabelledColumnsMixin

from . import (
    csvio,
    issues_admin,  # noqa: F401 - registers the issues' and the digest's admin
    personal,
)
from .counts import COLUMNS, SendCountsMixin, send_counts
from .models import Mailing, Subscriber

CSV_MAX_BYTES = 10 * 1024 * 1024


class SubscriberImportForm(forms.Form):
    file = forms.FileField(
        required=False,
        help_text="A WordPress.com, Mailchimp or Substack export (CSV); the columns are "
        "recognised.",
    )
    # The file's text, kept in the page after a report so the editor need not choose it again.
    text = forms.CharField(required=False, widget=forms.HiddenInput)
    filename = forms.CharField(required=False, widget=forms.HiddenInput)
    interviews = forms.BooleanField(label="Every new interview", required=False, initial=True)
    blog = forms.BooleanField(label="New posts on the blog", required=False, initial=True)
    digest = forms.BooleanField(label="A weekly digest", required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > CSV_MAX_BYTES:
                raise ValidationError("The file is larger than 10 MB: split it.")
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError("The file is not UTF-8 text: save it as CSV UTF-8.") from None
            data["filename"] = upload.name[:100]
        if not data.get("text", "").strip():
            raise ValidationError("Choose a CSV file.")
        if not (data.get("interviews") or data.get("blog") or data.get("digest")):
            raise ValidationError("Tick at least one of the emails they will get.")
        return data

    def wants(self):
        return {key: self.cleaned_data[key] for key in ("interviews", "blog", "digest")}


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
    actions = ["export_csv", "export_personal_data", "erase_personal_data"]
    change_list_template = "newsletter/admin/subscriber_change_list.html"

    # --- CSV ------------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="newsletter_subscriber_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Import a provider's export: with bad rows nothing is imported until the editor
        chooses "import the good rows"; the report lists each bad row, repeat and address
        already here."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = SubscriberImportForm(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data
                report = csvio.import_csv(
                    data["text"],
                    wants=form.wants(),
                    good_rows_only="import_good" in request.POST,
                    filename=data["filename"],
                    by=request.user.get_username(),
                )
                if report.applied:
                    self.message_user(
                        request,
                        f"{report.imported} subscribers imported from the {report.provider}"
                        + (f"; {len(report.errors)} bad rows left out." if report.errors else "."),
                        messages.SUCCESS,
                    )
                form = SubscriberImportForm(
                    initial={
                        "text": data["text"],
                        "filename": data["filename"],
                        **form.wants(),
                    }
                )
        else:
            form = SubscriberImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import subscribers from CSV",
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "newsletter/admin/subscriber_import.html", context)

    @admin.action(description="Export selected subscribers as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = StreamingHttpResponse(
            csvio.export_rows(queryset), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        return response

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
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="subscriber-data-{stamp}.json"'
        return response

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
