import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from . import services, serving
from .models import Redirect, target_key_for
from .paths import BadPath, clean_target, normalise

CSV_MAX_BYTES = 5 * 1024 * 1024


class RedirectForm(forms.ModelForm):
    """The old address is stored as its key; the new one is checked, and a loop refused."""

    class Meta:
        model = Redirect
        fields = ["old_path", "status", "target_path", "source"]

    def clean_old_path(self):
        try:
            return normalise(self.cleaned_data["old_path"])
        except BadPath as error:
            raise ValidationError(str(error)) from None

    def clean(self):
        data = super().clean()
        status, target = data.get("status"), (data.get("target_path") or "").strip()
        if status == Redirect.Status.GONE:
            if target:
                self.add_error("target_path", "A 410 Gone address has no new address.")
            return data
        try:
            target = clean_target(target)
        except BadPath as error:
            self.add_error("target_path", str(error))
            return data
        data["target_path"] = target
        key = data.get("old_path")
        if key and target_key_for(target) == key:
            self.add_error("target_path", "The new address is the old one.")
        elif key:
            try:
                services.onward_from(
                    key, target, target_key_for(target), exclude_pk=self.instance.pk
                )
            except services.RedirectError as error:
                self.add_error("target_path", str(error))
        return data


class CsvImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="Columns: old address, new address, status.")
    # The file's text, kept in the page after a report so the editor need not choose it again.
    text = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > CSV_MAX_BYTES:
                raise ValidationError("The file is larger than 5 MB: split it.")
            raw = upload.read()
            try:
                data["text"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError("The file is not UTF-8 text: save it as CSV UTF-8.") from None
        if not data.get("text", "").strip():
            raise ValidationError("Choose a CSV file.")
        return data


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    form = RedirectForm
    list_display = ["old_path", "answer", "source", "hits", "last_hit_at", "created_at"]
    list_display_links = ["old_path"]
    list_filter = ["status", "source"]
    search_fields = ["old_path", "target_path"]
    readonly_fields = ["target_object", "hits", "last_hit_at", "created_at", "updated_at"]
    fields = [
        "old_path",
        "status",
        "target_path",
        "target_object",
        "source",
        "hits",
        "last_hit_at",
        "created_at",
        "updated_at",
    ]
    actions = ["export_selected"]
    change_list_template = "redirects/admin/change_list.html"
    list_per_page = 100

    @admin.display(description="answers", ordering="target_path")
    def answer(self, obj):
        if obj.status == Redirect.Status.GONE:
            return "410 Gone"
        return format_html("301 → <code>{}</code>", obj.target_path)

    @admin.display(description="piece it follows")
    def target_object(self, obj):
        if obj.content_type_id is None:
            return "—"
        target = obj.target
        return str(target) if target is not None else "(deleted)"

    def changelist_view(self, request, extra_context=None):
        serving.flush_hits()  # this process's recent hits, so the counts are current
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        if "target_path" in form.changed_data:
            obj.content_type, obj.object_id = None, None  # the editor chose an address
        if obj.status == Redirect.Status.GONE:
            obj.target_path = ""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            services.settle(obj)

    # --- CSV ------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="redirects_redirect_import"),
            path("export/", wrap(self.export_view), name="redirects_redirect_export"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = CsvImportForm(request.POST, request.FILES)
            if form.is_valid():
                text = form.cleaned_data["text"]
                report = services.import_csv(text, good_rows_only="import_good" in request.POST)
                if report.applied:
                    self.message_user(
                        request,
                        f"{report.imported} redirects imported"
                        + (f"; {len(report.errors)} bad rows left out." if report.errors else "."),
                        messages.SUCCESS,
                    )
                    if not report.errors:
                        return HttpResponseRedirect(reverse("admin:redirects_redirect_changelist"))
                form = CsvImportForm(initial={"text": text})
        else:
            form = CsvImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import redirects from CSV",
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "redirects/admin/import.html", context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._csv_response(self.get_queryset(request))

    @admin.action(description="Export selected redirects as CSV")
    def export_selected(self, request, queryset):
        return self._csv_response(queryset)

    def _csv_response(self, queryset):
        out = io.StringIO()
        services.export_csv(queryset, out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="redirects-{stamp}.csv"'
        return response


@admin.action(
    description="Take selected %(verbose_name_plural)s down for good (410 Gone)",
    permissions=["publish"],
)
def take_down_for_good(modeladmin, request, queryset):
    """For the content admins' actions: unpublish the pieces (the editorial action, which keeps
    the record of who did it) and make their addresses, old and current, answer 410 Gone.
    Publishing a piece again from its page brings its addresses back."""
    items = list(queryset)
    modeladmin.make_draft(request, queryset)
    with transaction.atomic():
        for obj in items:
            services.take_down(obj, services.url_for(obj))
    modeladmin.message_user(
        request, f"{len(items)} addresses now answer 410 Gone.", messages.SUCCESS
    )
