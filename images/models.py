"""The image library: each photo uploaded once, stored re-encoded, reused by leaders, interviews
and posts. Rules and limits: docs/editorial.md, "Images"."""

import os

from django.conf import settings
from django.db import models
from django.utils import timezone

from .validation import UploadTo, focal_point_field, validate_image


class ImageQuerySet(models.QuerySet):
    def search(self, text):
        return self.filter(models.Q(title__icontains=text) | models.Q(alt__icontains=text))


class Image(models.Model):
    file = models.ImageField(
        upload_to=UploadTo("images"),
        validators=[validate_image],
        max_length=200,
    )
    title = models.CharField(
        max_length=200, blank=True, help_text="For finding it in the library; not shown to readers."
    )
    alt = models.CharField(
        "default description",
        max_length=200,
        blank=True,
        help_text="Alt text used wherever the image is placed without one of its own.",
    )
    focus_x = focal_point_field(
        "x", "0 = left edge, 1 = right edge: crops keep this point (a face) in view."
    )
    focus_y = focal_point_field("y")
    # Of the stored file, set when it is stored (not ImageField's width_field, which opens the
    # file whenever a row is loaded without them).
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    # {"key": ..., "specs": {spec: manifest}} once made (images.renditions); {} until then.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "image"

    def __str__(self):
        return self.title or os.path.basename(self.file.name or "") or f"Image {self.pk}"

    @property
    def focus(self):
        """The focal point, the centre when none was set."""
        return (
            0.5 if self.focus_x is None else self.focus_x,
            0.5 if self.focus_y is None else self.focus_y,
        )
