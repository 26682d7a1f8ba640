"""Admin helpers shared by the apps: publishing state, bulk publishing, CSV import pages."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator

from socialleaders.publishing import Status, status_label


def excerpt(text, words=12):
    """A short, plain excerpt of a long text for list columns."""
    return Truncator(" ".join((text or "").split())).words(words, truncate=" …")


class VisibilityFilter(admin.SimpleListFilter):
    """What readers see right now, which `status` alone does not tell: a published item may be
    scheduled for later, or past its "unpublish after" date."""

    title = "visible to readers"
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [
            ("live", "Live now"),
            ("scheduled", "Scheduled"),
            ("expired", "Unpublished (expired)"),
            ("draft", "Draft"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "live":
            return queryset.published(now)
        if value == "scheduled":
            return queryset.filter(status=Status.PUBLISHED, publish_at__gt=now)
        if value == "expired":
            return queryset.filter(
                status=Status.PUBLISHED, publish_at__lte=now, unpublish_at__lte=now
            )
        if value == "draft":
            return queryset.filter(status=Status.DRAFT)
        return queryset


def _same_lines(value):
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


class PlainTextField(forms.CharField):
    """A text box whose value is stored with plain newlines: browsers send CRLF, so a box nobody
    touched must not count as changed (no revision, no page-cache flush)."""

    def to_python(self, value):
        return super().to_python(_same_lines(value))

    def has_changed(self, initial, data):
        if isinstance(initial, str):
            initial = _same_lines(initial).strip()
        return super().has_changed(initial, data)


# Addresses typed without a scheme are taken as https:// (Django 6.0's default, chosen now);
# text boxes keep plain newlines.
URL_FIELD_OVERRIDES = {
    models.URLField: {"assume_scheme": "https"},
    models.TextField: {"form_class": PlainTextField},
}


class CountsAdmin(admin.ModelAdmin):
    """An admin whose list shows counts of related rows: `counts` maps an annotation name to an
    expression (see `count_of`), added to the list's single query."""

    counts = {}
    formfield_overrides = URL_FIELD_OVERRIDES

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.counts:
            queryset = queryset.annotate(**self.counts)
        return queryset


class DateTimePicker(forms.SplitDateTimeWidget):
    """The browser's own date and time pickers (``type=date`` / ``type=time``): no format to
    guess; the values are read in the site's time zone."""

    template_name = "django/forms/widgets/splitdatetime.html"

    def __init__(self, attrs=None):
        super().__init__(
            attrs,
            date_format="%Y-%m-%d",
            time_format="%H:%M:%S",
            date_attrs={"type": "date"},
            time_attrs={"type": "time"},
        )


PICKER_OVERRIDES = {models.DateTimeField: {"widget": DateTimePicker}}


def name_split_parts(formfield, label):
    """A date-and-time field is two boxes under one label: name each for screen readers."""
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, forms.MultiWidget) and len(widget.widgets) == 2:
        widget.widgets[0].attrs.setdefault("aria-label", f"{label}: date")
        widget.widgets[1].attrs.setdefault("aria-label", f"{label}: time")
    return formfield


class PickerMixin:
    """Browser date and time pickers for every date-and-time field, each box named."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DateTimeField):
            kwargs.setdefault("widget", DateTimePicker)
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateTimeField) and formfield is not None:
            name_split_parts(formfield, str(db_field.verbose_name).capitalize())
        return formfield


class LabelledColumnsMixin:
    """For tabular inlines: each box is labelled only by its column heading, which screen
    readers do not tie to it; give each an accessible name."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            target = getattr(formfield.widget, "widget", formfield.widget)  # related wrapper
            target.attrs.setdefault("aria-label", str(formfield.label or db_field.verbose_name))
        return formfield


class PublishableAdmin(PickerMixin, CountsAdmin):
    """Common behaviour for models built on socialleaders.publishing.Publishable (the publish
    and draft actions: editorial.admin.EditorialAdminMixin)."""

    date_hierarchy = "publish_at"
    publishing_fieldset = (
        "Publishing",
        {
            "fields": ("status", "publish_at", "unpublish_at"),
            "description": "Readers see an item once it is published and its publish date has "
            "come. A future date schedules it. Dates and times are the site's "
            f"({settings.TIME_ZONE}).",
        },
    )

    @admin.display(description="live", boolean=True)
    def live(self, obj):
        return obj.is_published()

    @admin.display(description="status", ordering="publish_at")
    def state(self, obj):
        """Draft, Live, or "Scheduled for Mon 7 Dec, 07:00": one column instead of three."""
        return status_label(obj.status, obj.publish_at, obj.unpublish_at)


class CachedChoicesMixin:
    """For inlines: evaluate the choices of the listed foreign keys once per page, not once per
    inline form (docs/admin.md)."""

    cached_choice_fields = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name in self.cached_choice_fields:
            field.choices = list(field.choices)
        return field


def dated_attachment(response, stem, extension):
    """An admin's download, named for the day it was taken: ``redirects-2026-12-02.csv``."""
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.{extension}"'
    return response


class CsvUploadForm(forms.Form):
    """A CSV file chosen once: its text (UTF-8, at most `max_bytes`) and name are kept in the
    page after a report, so "import the good rows" posts them again without the file."""

    max_bytes = 5 * 1024 * 1024
    file = forms.FileField(required=False)
    text = forms.CharField(required=False, widget=forms.HiddenInput)
    filename = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > self.max_bytes:
                megabytes = self.max_bytes // (1024 * 1024)
                raise ValidationError(f"The file is larger than {megabytes} MB: split it.")
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError("The file is not UTF-8 text: save it as CSV UTF-8.") from None
            data["filename"] = upload.name[:100]
        if not data.get("text", "").strip():
            raise ValidationError("Choose a CSV file.")
        return data

    def kept(self):
        """The form's values, for the form shown again under a report (the file as its text)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "file"}


class CsvImportMixin:
    """An admin's "Import from CSV" page at ``import/`` (URL name ``<app>_<model>_import``), for
    editors who may add rows: upload, a report naming the bad rows, "import the good rows" posted
    again with the kept text, and a message. `import_rows` does the import and returns a report
    with ``applied``, ``imported`` and ``errors``: with bad rows it imports nothing unless asked
    for the good rows only."""

    import_form = CsvUploadForm
    import_template = None
    # After an import with no bad row: back to the list, or (False) the page with its report.
    import_back_to_list = True

    def import_rows(self, request, form, *, good_rows_only):
        raise NotImplementedError

    def import_summary(self, report):
        return f"{report.imported} {self.model._meta.verbose_name_plural} imported"

    def get_urls(self):
        opts = self.model._meta
        view = self.admin_site.admin_view(self.import_view)
        name = f"{opts.app_label}_{opts.model_name}_import"
        return [path("import/", view, name=name), *super().get_urls()]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        opts, report = self.model._meta, None
        if request.method == "POST":
            form = self.import_form(request.POST, request.FILES)
            if form.is_valid():
                good_rows_only = "import_good" in request.POST
                report = self.import_rows(request, form, good_rows_only=good_rows_only)
                if report.applied:
                    left_out = (
                        f"; {len(report.errors)} bad rows left out." if report.errors else "."
                    )
                    self.message_user(
                        request, self.import_summary(report) + left_out, messages.SUCCESS
                    )
                    if not report.errors and self.import_back_to_list:
                        return HttpResponseRedirect(reverse(admin_urlname(opts, "changelist")))
                form = self.import_form(initial=form.kept())
        else:
            form = self.import_form()
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": f"Import {opts.verbose_name_plural} from CSV",
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, self.import_template, context)
