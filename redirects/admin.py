import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.utils.html import format_html

from socialleaders.admin import CsvImportMixin, CsvUploadForm, dated_attachment

from . import services, serving
from .models import Redirect, target_key_for
from .paths import BadPath, clean_target, normalise


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


class RedirectImportForm(CsvUploadForm):
    file = forms.FileField(required=False, help_text="Columns: old address, new address, status.")


@admin.register(Redirect)
class RedirectAdmin(CsvImportMixin, admin.ModelAdmin):
    form = RedirectForm
    import_form = RedirectImportForm
    import_template = "redirects/admin/import.html"
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
            path("export/", wrap(self.export_view), name="redirects_redirect_export"),
            *super().get_urls(),  # the import page's first (CsvImportMixin)
        ]

    def import_rows(self, request, form, *, good_rows_only):
        return services.import_csv(form.cleaned_data["text"], good_rows_only=good_rows_only)

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
        return dated_attachment(response, "redirects", "csv")


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
