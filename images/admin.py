"""The image library's admin (thumbnails, the focal point picker) and the mixin content admins
use to choose a library image or upload one in place."""

import mimetypes

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.http import FileResponse, Http404, JsonResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html

from . import renditions
from .models import Image
from .templatetags.images import thumbnail_url
from .validation import inspect_image, read_bytes
from .widgets import ImageChooserWidget

ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


def thumbnail_html(image, css_class="image-thumb", alt=""):
    """A list thumbnail; give ``alt`` where it is the only content of a link."""
    if not image:
        return "—"
    url = thumbnail_url(image, 96)
    if not url:
        return "—"
    return format_html('<img src="{}" alt="{}" class="{}" loading="lazy">', url, alt, css_class)


class AdminMedia:
    js = ["images/admin-images.js"]
    css = {"all": ["images/admin-images.css"]}


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "title", "size", "renditions_ready", "created_at"]
    list_display_links = ["thumbnail", "title"]
    search_fields = ["title", "alt"]
    date_hierarchy = "created_at"
    readonly_fields = ["focal_point_picker", "size"]
    list_per_page = 48
    Media = AdminMedia

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["file", "title", "alt"]})]
        return [
            (None, {"fields": ["file", "title", "alt", "size"]}),
            ("Focal point", {"fields": ["focal_point_picker", ("focus_x", "focus_y")]}),
        ]

    @admin.display(description="image")
    def thumbnail(self, obj):
        return thumbnail_html(obj, alt=str(obj))

    @admin.display(description="size")
    def size(self, obj):
        return f"{obj.width}×{obj.height}" if obj.width else "—"

    @admin.display(description="renditions", boolean=True)
    def renditions_ready(self, obj):
        from .renditions import key_for

        return (obj.renditions or {}).get("key") == key_for(obj)

    @admin.display(description="click to set")
    def focal_point_picker(self, obj):
        if not obj or not obj.file:
            return "—"
        return render_to_string(
            "images/admin/focal_point.html",
            {
                "url": obj.file.url,
                "alt": obj.alt or obj.title,
                "width": obj.width or "",
                "height": obj.height or "",
                "x": obj.focus[0],
                "y": obj.focus[1],
            },
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        view = self.admin_site.admin_view(self.thumbnail_view)
        choose = self.admin_site.admin_view(self.choose_view)
        return [
            path("<int:pk>/thumbnail/", view, name="images_image_thumbnail"),
            path("choose/", choose, name="images_image_choose"),
            *super().get_urls(),
        ]

    CHOOSER_LIMIT = 48

    def choose_view(self, request):
        """The Markdown toolbar's image chooser (editorial/markdown-editor.js): the library's
        newest images, or those whose title or description has ``q``, with their thumbnails."""
        if not self.has_view_permission(request):
            raise Http404
        images = Image.objects.all()
        typed = request.GET.get("q", "").strip()[:100]
        if typed:
            images = images.search(typed)
        response = JsonResponse(
            {
                "images": [
                    {
                        "id": image.pk,
                        "title": str(image),
                        "alt": image.alt,
                        "thumbnail": reverse("admin:images_image_thumbnail", args=[image.pk]),
                    }
                    for image in images[: self.CHOOSER_LIMIT]
                ]
            }
        )
        add_never_cache_headers(response)
        return response

    def thumbnail_view(self, request, pk):
        """The chooser's preview once an image is picked: the thumbnail's bytes (a redirect to
        the media URL would do, but is upgraded to HTTPS where the CSP asks for it)."""
        image = Image.objects.filter(pk=pk).first()
        if not self.has_view_permission(request) or image is None:
            raise Http404
        found = renditions.manifest(image, "thumb")
        name = image.file.name
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if found:
            url = found["sources"]["jpeg"][1 if len(found["sources"]["jpeg"]) > 1 else 0][0]
            name = url.split(settings.MEDIA_URL, 1)[-1]
            content_type = "image/jpeg"
        try:
            handle = image.file.storage.open(name, "rb")
        except OSError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
        response["Cache-Control"] = "private, max-age=300"
        return response


class LibraryUploadFormMixin:
    """For each library reference ``<name>``, a ``<name>_upload`` file field: a valid upload is
    saved to the library at once and becomes the choice, so a form that fails on another field
    shows it chosen (with its preview) instead of asking for the file again."""

    library_image_fields = ()
    request_user = None

    def clean(self):
        cleaned = super().clean()
        for name in self.library_image_fields:
            upload = cleaned.get(f"{name}_upload")
            if not upload:
                continue
            # The library keeps the form's description (the piece's alt text) as its default.
            image = Image(
                file=upload,
                uploaded_by=self.request_user,
                alt=(cleaned.get(f"{name}_alt") or "")[:200],
            )
            image.save()
            cleaned[name] = image
            self.data = self.data.copy()
            self.data[self.add_prefix(name)] = str(image.pk)
        return cleaned


def _check_upload(upload):
    inspect_image(read_bytes(upload), upload.name or "")


def upload_field():
    return forms.FileField(
        label="…or upload a new image",
        required=False,
        validators=[_check_upload],
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        help_text="JPEG, PNG, WebP or GIF. It joins the library, ready to reuse anywhere.",
    )


class LibraryImagesAdminMixin:
    """For content admins: ``library_image_fields`` (foreign keys to images.Image) get the
    chooser with a preview, an upload field beside them (list ``<name>_upload`` in the
    fieldsets) and a thumbnail column (``image_thumbnail`` in list_display)."""

    library_image_fields = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.library_image_fields:
            kwargs["widget"] = ImageChooserWidget(db_field.remote_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        uploads = {f"{name}_upload" for name in self.library_image_fields}
        fields = kwargs.pop("fields", None) or flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = [field for field in fields if field not in uploads]
        base = super().get_form(request, obj, **kwargs)
        attrs = {upload: upload_field() for upload in sorted(uploads)}
        attrs.update(
            library_image_fields=tuple(self.library_image_fields), request_user=request.user
        )
        return type(base.__name__, (LibraryUploadFormMixin, base), attrs)

    @admin.display(description="image")
    def image_thumbnail(self, obj):
        return thumbnail_html(
            getattr(obj, self.library_image_fields[0]), "image-thumb image-thumb--small", str(obj)
        )

    @property
    def media(self):
        return super().media + forms.Media(js=AdminMedia.js, css=AdminMedia.css)
