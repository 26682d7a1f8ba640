"""The library chooser: the raw-id input Django's admin has (its lookup opens the library's list
of thumbnails), with a preview of the chosen image kept up to date by admin-images.js."""

from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.urls import reverse

from .models import Image


class ImageChooserWidget(ForeignKeyRawIdWidget):
    template_name = "images/widgets/chooser.html"

    class Media:
        js = ["images/admin-images.js"]
        css = {"all": ["images/admin-images.css"]}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        from .templatetags.images import thumbnail_url

        image = Image.objects.filter(pk=value).first() if value not in (None, "") else None
        context["preview_url"] = thumbnail_url(image) if image else ""
        context["thumbnail_url_pattern"] = reverse(
            "admin:images_image_thumbnail", args=[0]
        ).replace("/0/", "/__pk__/")
        return context
