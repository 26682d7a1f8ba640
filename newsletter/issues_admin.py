"""The admin of newsletter issues (writing with the posts' Markdown editor, preview, a test
send to oneself, scheduling, what became of the send) and of the weekly digest's settings."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from editorial.widgets import MarkdownTextarea
from socialleaders.admin import PickerMixin

from . import digest, issues
from .counts import COLUMNS, SendCountsMixin, send_counts
from .emails import IssueEmail
from .models import DigestSettings, Issue, Mailing
from .selectors import archive_changed


class IssueForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = ("subject", "body", "status", "send_at")

    def clean(self):
        data = super().clean()
        send_at = data.get("send_at")
        # Sending cannot be undone: a time already past is a typo more often than "now".
        if (
            data.get("status") == Issue.Status.SCHEDULED
            and send_at is not None
            and send_at < timezone.now() - timedelta(minutes=5)
            and "send_at" in self.changed_data
        ):
            self.add_error(
                "send_at",
                "This time has already passed. Leave it empty to send at once, or choose a "
                "later time.",
            )
        return data


@admin.register(Issue)
class IssueAdmin(SendCountsMixin, PickerMixin, admin.ModelAdmin):
    list_display = ("subject", "status", "send_at", "sending", *COLUMNS)
    list_filter = ("status",)
    search_fields = ("subject",)
    form = IssueForm
    fields = ("subject", "body", "status", "send_at")
    change_form_template = "admin/newsletter/issue/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("mailing")
            .annotate(**send_counts("mailing"))
        )

    @admin.display(description="send")
    def sending(self, obj):
        mailing = getattr(obj, "mailing", None)
        return mailing.get_state_display() if mailing else "not yet"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["widget"] = MarkdownTextarea
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # A sent issue stays: its Deliveries are the record of who got it.
        if obj is not None and Mailing.objects.filter(issue=obj).exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # Once its send has started an issue is what subscribers got: it no longer changes.
        if obj is not None and Mailing.objects.filter(issue=obj).exists():
            return self.fields
        return ()

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)
        archive_changed()
        if obj.status == Issue.Status.SCHEDULED:
            issues.schedule(obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name="newsletter_issue_preview"),
            path("<int:pk>/test/", wrap(self.test_send_view), name="newsletter_issue_test"),
        ] + super().get_urls()

    def _issue(self, request, pk):
        issue = get_object_or_404(Issue, pk=pk)
        if not self.has_view_permission(request, issue):
            raise Http404
        return issue

    def preview_view(self, request, pk):
        """The email as a subscriber gets it: the HTML part (in a frame) and the text part."""
        issue = self._issue(request, pk)
        message = IssueEmail(issue).message_for(issues.stand_in(request.user.email or ""))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": issue,
            "title": f"Preview: {issue.subject}",
            "subject": message.subject,
            "html": message.alternatives[0][0],
            "text": message.body,
        }
        return TemplateResponse(request, "admin/newsletter/issue/preview.html", context)

    @staticmethod
    def _back(issue):
        return HttpResponseRedirect(reverse("admin:newsletter_issue_change", args=[issue.pk]))

    def test_send_view(self, request, pk):
        return require_POST(self._test_send)(request, pk)

    def _test_send(self, request, pk):
        """Queue the issue to the editor's own address: no Delivery, not counted as a send."""
        issue = self._issue(request, pk)
        if not self.has_change_permission(request, issue):
            raise Http404
        if not request.user.email:
            messages.error(request, "Your account has no email address: add one to get a test.")
            return self._back(issue)
        issues.send_test.enqueue(issue.pk, request.user.email)
        messages.success(request, f"A test of this issue is on its way to {request.user.email}.")
        return self._back(issue)


@admin.register(DigestSettings)
class DigestSettingsAdmin(admin.ModelAdmin):
    """One row: the list page goes straight to it."""

    fields = ("enabled", "weekday", "hour", "next_check")
    readonly_fields = ("next_check",)

    @admin.display(description="next digest check queued for")
    def next_check(self, obj):
        if obj.queued_for is None:
            return (
                "none queued: saving these settings or any piece queues it (with workers); "
                "without workers `manage.py newsletter_send_due` sends it"
            )
        return timezone.localtime(obj.queued_for).strftime("%A %-d %B %Y, %H:%M")

    def has_add_permission(self, request):
        return not DigestSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        config = DigestSettings.load()
        return HttpResponseRedirect(
            reverse("admin:newsletter_digestsettings_change", args=[config.pk])
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        digest.queue_next_check()
