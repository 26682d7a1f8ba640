"""Uploaded images: validation, generated names, and re-encoding without metadata. Pillow only.

``validate_image`` checks an upload (the library's file field runs it); ``clean_image_bytes``
re-encodes it before it is stored. What is refused, the limits and why: docs/editorial.md,
"Images".
"""

import contextlib
import io
import os
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from PIL import Image, ImageCms, ImageFile, ImageOps, ImageSequence, UnidentifiedImageError

MAX_BYTES_DEFAULT = 30 * 1024 * 1024
# JPEG decodes at a reduced size (draft), so its cap is high enough for 200 MP phone photos;
# PNG, WebP and GIF decode whole (4 bytes a pixel), so theirs keeps memory near 200 MB.
MAX_PIXELS_JPEG_DEFAULT = 200_000_000
MAX_PIXELS_DEFAULT = 50_000_000
# Stored originals are re-encoded at most this long on their longer side (2.5 times the largest
# rendition): room for new sizes later, without keeping 200 MP files nobody will see.
STORED_MAX_EDGE_DEFAULT = 4000

# Pillow format name -> the extensions a file of that format may carry, the first one canonical.
FORMAT_EXTENSIONS = {
    "JPEG": (".jpg", ".jpeg"),
    "PNG": (".png",),
    "WEBP": (".webp",),
    "GIF": (".gif",),
}
EXTENSION_FORMATS = {ext: fmt for fmt, exts in FORMAT_EXTENSIONS.items() for ext in exts}
_MARKUP_STARTS = (b"<svg", b"<?xml", b"<!doctype", b"<html", b"<head", b"<body", b"<script")

# Pillow refuses (or warns about) images past its own cap when it opens them; ours are higher for
# JPEG and checked below, so Pillow's is raised to match and still stops real bombs (2x).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS_JPEG_DEFAULT


def max_bytes():
    return getattr(settings, "IMAGES_MAX_BYTES", MAX_BYTES_DEFAULT)


def max_pixels(fmt="PNG"):
    if fmt == "JPEG":
        return getattr(settings, "IMAGES_MAX_PIXELS_JPEG", MAX_PIXELS_JPEG_DEFAULT)
    return getattr(settings, "IMAGES_MAX_PIXELS", MAX_PIXELS_DEFAULT)


def stored_max_edge():
    return getattr(settings, "IMAGES_STORED_MAX_EDGE", STORED_MAX_EDGE_DEFAULT)


def read_bytes(value):
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


def _not_readable(data):
    """The error for bytes Pillow cannot read: markup gets its own message (judged only once the
    file is known not to be an image, so a photo whose metadata mentions <svg passes)."""
    head = data[:1024].lstrip().lower()
    if head.startswith(_MARKUP_STARTS) or b"<svg" in head or b"<html" in head:
        return ValidationError(
            "This is an SVG or HTML document, not a photo. Upload a JPEG, PNG, WebP or GIF image.",
            code="image_not_raster",
        )
    return ValidationError(
        "This file is not an image we can read (JPEG, PNG, WebP or GIF), or it is damaged.",
        code="image_invalid",
    )


@contextlib.contextmanager
def _strict_decoding():
    previous, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _draft_size(size, edge):
    """The size to ask JPEG's decoder for: the whole image scaled so its longer side is ``edge``."""
    width, height = size
    scale = min(1, edge / max(width, height))
    return (max(1, round(width * scale)), max(1, round(height * scale)))


def _decode_bounded(image, edge=None):
    """Decode every pixel (truncated and corrupt files fail here). JPEG decodes at a reduced size
    (1/2 to 1/8, still reading the whole stream): just over ``edge`` long, or the smallest."""
    if image.format == "JPEG":
        image.draft("RGB", _draft_size(image.size, edge) if edge else (1, 1))
    image.load()


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
    with _strict_decoding():
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise _not_readable(data) from None
        with image:
            width, height = image.size
            fmt = image.format
            if fmt not in FORMAT_EXTENSIONS:
                raise ValidationError(
                    "%(format)s images are not accepted: upload a JPEG, PNG, WebP or GIF image.",
                    code="image_format",
                    params={"format": fmt or "This kind of"},
                )
            frames = getattr(image, "n_frames", 1) if fmt == "GIF" else 1
            if width * height * frames > max_pixels(fmt):
                raise _too_many_pixels(width, height, fmt, frames)
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
                for _frame in ImageSequence.Iterator(image):
                    _decode_bounded(image)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _too_many_pixels(width, height, fmt) from None
            except (OSError, SyntaxError, ValueError, EOFError):
                raise ValidationError(
                    "The image is damaged or incomplete (was the upload cut short?). "
                    "Upload the file again.",
                    code="image_truncated",
                ) from None
    return fmt


def _too_many_pixels(width=None, height=None, fmt=None, frames=1):
    limit = max_pixels(fmt or "PNG") // 1_000_000
    jpeg = max_pixels("JPEG") // 1_000_000
    if width and frames > 1:
        return ValidationError(
            "This animated GIF has %(frames)d frames of %(width)d×%(height)d pixels; an "
            "animation may hold at most %(limit)d million pixels in all. Shorten or shrink it, "
            "or upload a still image.",
            code="image_too_many_pixels",
            params={"frames": frames, "width": width, "height": height, "limit": limit},
        )
    if width:
        return ValidationError(
            "This image is %(width)d×%(height)d pixels; %(format)s images may have at most "
            "%(limit)d million pixels (JPEG photos up to %(jpeg)d million). Resize it, or save "
            "it as a JPEG, and upload it again.",
            code="image_too_many_pixels",
            params={
                "width": width,
                "height": height,
                "format": fmt,
                "limit": limit,
                "jpeg": jpeg,
            },
        )
    return ValidationError(
        "This image has too many pixels (more than %(limit)d million). Resize it and upload it "
        "again.",
        code="image_too_many_pixels",
        params={"limit": jpeg},
    )


def validate_image(value):
    """Model field validator. Files already stored were checked when they were uploaded."""
    if not value or getattr(value, "_committed", False):
        return
    inspect_image(read_bytes(value), os.path.basename(value.name or ""))


@deconstructible
class UploadTo:
    """Generated names under a folder: ``images/3f2b…c9.jpg``. Nothing of the uploaded name is
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


def _to_srgb(image, icc):
    """Pixels converted from their embedded colour profile to sRGB, so the profile (which can
    carry any text) need not be kept. A broken profile is ignored."""
    if not icc or image.mode not in ("RGB", "RGBA", "L", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def _pixels_only(image, keep_alpha):
    """A fresh image holding only the pixels: nothing of ``info`` (comments, XMP, EXIF, text
    chunks, profiles) comes along."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if keep_alpha and has_alpha else "RGB"
    if image.mode == "L" and mode == "RGB":
        mode = "L"
    converted = image.convert(mode)
    fresh = Image.new(mode, converted.size)
    fresh.paste(converted)
    return fresh


def _shrink(image, edge):
    if max(image.size) > edge:
        image.thumbnail((edge, edge), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return image


def clean_image_bytes(data):
    """Re-encode an image upright, in sRGB, at most ``stored_max_edge()`` long, with no metadata
    of any kind; returns (bytes, format, (width, height)). An animated GIF keeps its frames and
    timing."""
    edge = stored_max_edge()
    with Image.open(io.BytesIO(data)) as image:
        fmt = image.format
        icc = image.info.get("icc_profile")
        out = io.BytesIO()
        if fmt == "GIF":
            frames, durations = [], []
            for frame in ImageSequence.Iterator(image):
                durations.append(frame.info.get("duration", 100))
                frames.append(_shrink(_pixels_only(frame.convert("RGBA"), True), edge))
            options = {"save_all": len(frames) > 1, "optimize": True}
            if len(frames) > 1:
                options.update(
                    append_images=frames[1:],
                    duration=durations,
                    loop=image.info.get("loop", 0),
                    disposal=2,
                )
            frames[0].save(out, format="GIF", **options)
            return out.getvalue(), fmt, frames[0].size
        _decode_bounded(image, edge)
        oriented = ImageOps.exif_transpose(image)
        pixels = _shrink(_pixels_only(_to_srgb(oriented, icc), keep_alpha=fmt != "JPEG"), edge)
        if fmt == "JPEG":
            pixels.save(out, format="JPEG", quality=88, optimize=True)
        elif fmt == "WEBP":
            pixels.save(out, format="WEBP", quality=90)
        else:
            pixels.save(out, format="PNG", optimize=True)
    return out.getvalue(), fmt, pixels.size


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


def require_alt_text(instance, image_field, alt_field):
    """Model clean(): a placed image needs alt text, its own or the library's default."""
    image = getattr(instance, image_field)
    if image and not (getattr(instance, alt_field) or "").strip() and not (image.alt or "").strip():
        raise ValidationError(
            {alt_field: "Describe the image for readers who cannot see it (alt text)."}
        )


def library_image_fields(alt_label="image description", alt_help=None):
    """A piece's image from the library and its own alt text, as ``image, image_alt =
    library_image_fields()`` in the model's body."""
    image = models.ForeignKey(
        "images.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="From the image library, or upload one here.",
    )
    alt = models.CharField(
        alt_label,
        max_length=200,
        blank=True,
        help_text=alt_help or "Alt text (the library's description if left empty).",
    )
    return image, alt
