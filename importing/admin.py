from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from . import runs, tasks
from .models import ImportedItem, ImportRun

MAX_UPLOAD_BYTES = 512 * 1024 * 1024


@admin.register(ImportedItem)
class ImportedItemAdmin(admin.ModelAdmin):
    """What a WordPress import brought in, and from where: read-only (the importer writes it)."""

    list_display = ["wp_id", "kind", "source", "content_type", "object_id", "updated_at"]
    list_filter = ["kind", "source"]
    search_fields = ["guid", "wp_id"]
    readonly_fields = [f.name for f in ImportedItem._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ImportForm(forms.Form):
    export = forms.FileField(
        label="WordPress export file",
        help_text="The .xml file from WordPress's Tools → Export (WXR 1.0 to 1.2).",
    )
    media_folder = forms.ChoiceField(
        label="Images and attachments",
        required=False,
        help_text="A copy of the blog's wp-content/uploads, put on the server under "
        "WORDPRESS_MEDIA_ROOT. Without one, the pieces import and the report names each file.",
    )
    mode = forms.ChoiceField(
        label="What to do",
        widget=forms.RadioSelect,
        initial="dry",
        choices=[
            ("dry", "Dry run: read everything and report, change nothing"),
            ("import", "Import: all of it in one go, or nothing if anything fails"),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        folders = runs.media_folders()
        self.fields["media_folder"].choices = [("", "None (no images)")] + [
            (name, name) for name in folders
        ]

    def clean_export(self):
        upload = self.cleaned_data["export"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // 1024 // 1024} MB; at most "
                f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB can be uploaded here (use manage.py "
                "import_wordpress on the server for larger ones)."
            )
        head = next(upload.chunks(512), b"").lstrip(b"\xef\xbb\xbf \t\r\n")
        upload.seek(0)
        if not head.startswith(b"<"):
            raise forms.ValidationError(
                "This is not an XML file: choose the .xml file WordPress's export gives."
            )
        return upload


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """WordPress imports from the admin: the upload form (add), each run's progress and report
    (its page). Who may: the "Can import a WordPress export" permission."""

    list_display = ["file_name", "status_shown", "dry_run", "user", "created_at", "finished_at"]
    list_filter = ["status", "dry_run"]
    search_fields = ["file_name"]
    change_list_template = "importing/admin/change_list.html"

    def has_add_permission(self, request):
        return request.user.has_perm("importing.import_wordpress")

    def has_view_permission(self, request, obj=None):
        return self.has_add_permission(request) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="status", ordering="status")
    def status_shown(self, obj):
        if obj.status == ImportRun.Status.RUNNING:
            done, total, _left = runs.progress(obj)
            return f"Running ({done} of {total or '?'})"
        return obj.get_status_display()

    def changelist_view(self, request, extra_context=None):
        runs.fail_stalled()
        return super().changelist_view(request, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                run = tasks.start(
                    request.user,
                    form.cleaned_data["export"],
                    media_folder=form.cleaned_data["media_folder"],
                    dry_run=form.cleaned_data["mode"] == "dry",
                )
                return HttpResponseRedirect(
                    reverse("admin:importing_importrun_change", args=[run.pk])
                )
        else:
            form = ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import a WordPress export",
            "form": form,
            "media_root_set": runs.media_root() is not None,
        }
        return TemplateResponse(request, "importing/admin/start.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        runs.fail_stalled()
        run = get_object_or_404(ImportRun, pk=object_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        done, total, seconds_left = runs.progress(run)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"WordPress import: {run.file_name}",
            "run": run,
            "done": done,
            "total": total,
            "eta": _duration(seconds_left) if seconds_left is not None else "",
            "took": _duration(round((run.finished_at - run.started_at).total_seconds()))
            if run.finished_at and run.started_at
            else "",
            "counts": sorted(run.counts.items()),
            "has_add_permission": self.has_add_permission(request),
        }
        return TemplateResponse(request, "importing/admin/run.html", context)


def _duration(seconds):
    if seconds < 1:
        return "under a second"
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
