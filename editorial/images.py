"""Uploaded images: validation, generated names, metadata stripping and orientation. Pillow only.

Image fields readers see use ``validate_image`` and ``UploadTo``; ``normalise_upload`` runs before
such a model is saved. What is refused and why: docs/editorial.md, "Images".
"""

import contextlib
import io
import os
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_BYTES_DEFAULT = 10 * 1024 * 1024

# Pillow format name -> the extensions a file of that format may carry, the first one canonical.
FORMAT_EXTENSIONS = {
    "JPEG": (".jpg", ".jpeg"),
    "PNG": (".png",),
    "WEBP": (".webp",),
    "GIF": (".gif",),
}
EXTENSION_FORMATS = {ext: fmt for fmt, exts in FORMAT_EXTENSIONS.items() for ext in exts}


def max_bytes():
    return getattr(settings, "EDITORIAL_MAX_IMAGE_BYTES", MAX_BYTES_DEFAULT)


def max_pixels():
    return getattr(settings, "EDITORIAL_MAX_IMAGE_PIXELS", None) or Image.MAX_IMAGE_PIXELS


def _read_bytes(value):
    """The whole content of an uploaded or stored file, leaving it rewound."""
    handle = getattr(value, "file", value)
    try:
        handle.seek(0)
    except (AttributeError, OSError, ValueError):
        value.open("rb")
        handle = value
    data = handle.read()
    with contextlib.suppress(AttributeError, OSError, ValueError):
        handle.seek(0)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    return data


def inspect_image(data, name=""):
    """Check image bytes; return the Pillow format name. Raises ValidationError on any problem."""
    if len(data) > max_bytes():
        raise ValidationError(
            "This file is %(size).1f MB; images may be at most %(limit)d MB.",
            code="image_too_large",
            params={"size": len(data) / 1024 / 1024, "limit": max_bytes() // 1024 // 1024},
        )
    if not data:
        raise ValidationError("The file is empty.", code="image_empty")
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml", b"<!doctype", b"<html")) or b"<svg" in head:
        raise ValidationError(
            "This is an SVG or HTML document, not a photo. Upload a JPEG, PNG, WebP or GIF image.",
            code="image_not_raster",
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(
                "This file is not an image we can read (JPEG, PNG, WebP or GIF), or it is damaged.",
                code="image_invalid",
            ) from None
        with image:
            width, height = image.size
            if width * height > max_pixels():
                raise _too_many_pixels(width, height)
            fmt = image.format
            if fmt not in FORMAT_EXTENSIONS:
                raise ValidationError(
                    "%(format)s images are not accepted: upload a JPEG, PNG, WebP or GIF image.",
                    code="image_format",
                    params={"format": fmt or "This kind of"},
                )
            ext = os.path.splitext(name)[1].lower()
            if name and EXTENSION_FORMATS.get(ext) != fmt:
                raise ValidationError(
                    "The file is named %(ext)s but it is really a %(format)s image. Rename it "
                    "with the right extension (%(expected)s) and upload it again.",
                    code="image_extension",
                    params={
                        "ext": ext or "without an extension",
                        "format": fmt,
                        "expected": FORMAT_EXTENSIONS[fmt][0],
                    },
                )
            try:
                # Decode every pixel once: truncated and corrupt files fail here.
                previous, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
                try:
                    image.load()
                finally:
                    ImageFile.LOAD_TRUNCATED_IMAGES = previous
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _too_many_pixels(width, height) from None
            except (OSError, SyntaxError, ValueError, EOFError):
                raise ValidationError(
                    "The image is damaged or incomplete (was the upload cut short?). "
                    "Upload the file again.",
                    code="image_truncated",
                ) from None
    return fmt


def _too_many_pixels(width=None, height=None):
    limit = max_pixels()
    if width:
        return ValidationError(
            "This image is %(width)d×%(height)d pixels; images may have at most %(limit)d "
            "million pixels. Resize it and upload it again.",
            code="image_too_many_pixels",
            params={"width": width, "height": height, "limit": limit // 1_000_000},
        )
    return ValidationError(
        "This image has too many pixels (more than %(limit)d million). Resize it and upload it "
        "again.",
        code="image_too_many_pixels",
        params={"limit": limit // 1_000_000},
    )


def validate_image(value):
    """Model field validator. Files already stored were checked when they were uploaded."""
    if not value or getattr(value, "_committed", False):
        return
    inspect_image(_read_bytes(value), os.path.basename(value.name or ""))


@deconstructible
class UploadTo:
    """Generated names under a folder: ``leaders/3f2b…c9.jpg``. Nothing of the uploaded name is
    kept but its (already validated) extension, normalised."""

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, instance, filename):
        ext = os.path.splitext(filename)[1].lower()
        fmt = EXTENSION_FORMATS.get(ext)
        ext = FORMAT_EXTENSIONS[fmt][0] if fmt else ".bin"
        return f"{self.folder}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other):
        return isinstance(other, UploadTo) and other.folder == self.folder


def clean_image_bytes(data):
    """Re-encode an image with its orientation applied and no metadata (EXIF, GPS, XMP,
    comments); returns (bytes, format). GIFs carry no EXIF and are returned as they are."""
    with Image.open(io.BytesIO(data)) as image:
        fmt = image.format
        if fmt == "GIF":
            return data, fmt
        image.load()
        oriented = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        save_kwargs = {}
        if fmt == "JPEG":
            if oriented.mode not in ("RGB", "L", "CMYK"):
                oriented = oriented.convert("RGB")
            save_kwargs = {"quality": 90, "optimize": True}
            icc = image.info.get("icc_profile")
            if icc:
                save_kwargs["icc_profile"] = icc  # colour, not personal data
        elif fmt == "WEBP":
            save_kwargs = {"quality": 90}
        elif fmt == "PNG":
            save_kwargs = {"optimize": True}
        # A fresh image object carries no info/EXIF from the original.
        fresh = Image.new(oriented.mode, oriented.size)
        fresh.paste(oriented)
        if oriented.mode == "P":
            fresh.putpalette(oriented.getpalette())
        fresh.save(out, format=fmt, **save_kwargs)
    return out.getvalue(), fmt


# (model label, image field, alt text field, focal point x field, focal point y field)
IMAGE_FIELDS = [
    ("interviews.Leader", "photo", "photo_alt", "photo_focus_x", "photo_focus_y"),
    ("interviews.Interview", "image", "image_alt", "image_focus_x", "image_focus_y"),
    ("blog.Post", "image", "image_alt", "image_focus_x", "image_focus_y"),
]


def normalise_upload(sender, instance, **kwargs):
    """pre_save: a newly uploaded image is re-encoded without metadata and turned upright
    before the storage writes it (under its generated name)."""
    for label, field_name, *_ in IMAGE_FIELDS:
        if sender._meta.label != label:
            continue
        file = getattr(instance, field_name)
        if not file or getattr(file, "_committed", True):
            continue
        data = _read_bytes(file)
        try:
            cleaned, _fmt = clean_image_bytes(data)
        except Exception:  # validation already refused unreadable files; keep what we have
            continue
        setattr(instance, field_name, ContentFile(cleaned, name=os.path.basename(file.name)))


def focal_point_field(axis, help_text=None):
    """One coordinate of an image's focal point, 0..1 (x across, y down): crops keep it in view."""
    across = axis == "x"
    return models.FloatField(
        "focal point across" if across else "focal point down",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=help_text
        or (
            "0 = left edge, 1 = right edge: crops keep this point in view."
            if across
            else "0 = top, 1 = bottom."
        ),
    )


def validate_alt_text(instance):
    """Model clean(): alt text is required whenever an image is set. Returns errors by field."""
    for label, field_name, alt_name, *_ in IMAGE_FIELDS:
        if instance._meta.label != label:
            continue
        if getattr(instance, field_name) and not (getattr(instance, alt_name) or "").strip():
            raise ValidationError(
                {alt_name: "Describe the image for readers who cannot see it (alt text)."}
            )
