"""Image renditions: the sizes the templates need, in WebP with a JPEG fallback. Pillow only.

Fixed specs (aspect ratio, ``srcset`` widths), never upscaled, cropped around the focal point;
files made once under ``renditions/<hash>/``. The rules and why not a library:
docs/editorial.md, "Renditions".
"""

import hashlib
import io
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

VERSION = 1
MANIFEST_SECONDS = 300


@dataclass(frozen=True)
class Spec:
    name: str
    aspect: float | None  # width / height, None = as the original
    widths: tuple
    formats: tuple = ("webp", "jpeg")


SPECS = {
    "thumb": Spec("thumb", 1.0, (64, 128, 160, 320)),
    "card": Spec("card", 16 / 10, (400, 800)),
    "hero": Spec("hero", None, (640, 960, 1280, 1600)),
    "og": Spec("og", 1200 / 630, (1200,), ("jpeg",)),
}
FORMAT_OPTIONS = {
    "webp": ("WEBP", {"quality": 80, "method": 4}),
    "jpeg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
}


def focal_point(field_file):
    """The focal point stored next to an image field (``<field>_focus_x/_y``), or the centre."""
    instance, name = field_file.instance, field_file.field.name
    x = getattr(instance, f"{name}_focus_x", None)
    y = getattr(instance, f"{name}_focus_y", None)
    return (0.5 if x is None else x, 0.5 if y is None else y)


def crop_box(size, aspect, focus):
    """The largest box of the given aspect ratio inside ``size``, centred on the focal point as
    far as the edges allow."""
    width, height = size
    if aspect is None:
        return (0, 0, width, height)
    if width / height > aspect:  # too wide: cut the sides
        new_w, new_h = round(height * aspect), height
    else:  # too tall: cut top and bottom
        new_w, new_h = width, round(width / aspect)
    left = min(max(round(focus[0] * width - new_w / 2), 0), width - new_w)
    top = min(max(round(focus[1] * height - new_h / 2), 0), height - new_h)
    return (left, top, left + new_w, top + new_h)


def _source_hash(field_file, focus):
    storage, name = field_file.storage, field_file.name
    try:
        stamp = f"{storage.size(name)}:{storage.get_modified_time(name).timestamp()}"
    except (NotImplementedError, AttributeError):
        stamp = str(storage.size(name))
    key = f"{VERSION}|{name}|{stamp}|{focus[0]:.4f},{focus[1]:.4f}|{sorted(SPECS.items())}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _flatten(image):
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def generate(field_file, spec_name):
    """Write (or find) the renditions of one spec; return the manifest
    {"width", "height", "sources": {format: [(url, width, height), ...]}}."""
    spec = SPECS[spec_name]
    focus = focal_point(field_file)
    storage = field_file.storage
    folder = f"renditions/{_source_hash(field_file, focus)}"
    with field_file.storage.open(field_file.name, "rb") as handle:
        original = Image.open(handle)
        original.load()
    original = ImageOps.exif_transpose(original)
    box = crop_box(original.size, spec.aspect, focus)
    cropped = _flatten(original.crop(box))
    widths = [w for w in spec.widths if w <= cropped.width] or [cropped.width]
    sources = {}
    for fmt in spec.formats:
        pillow_format, options = FORMAT_OPTIONS[fmt]
        ext = "jpg" if fmt == "jpeg" else fmt
        entries = []
        for width in widths:
            height = max(1, round(width * cropped.height / cropped.width))
            path = f"{folder}/{spec.name}-{width}.{ext}"
            if not storage.exists(path):
                out = io.BytesIO()
                cropped.resize((width, height), Image.Resampling.LANCZOS).save(
                    out, format=pillow_format, **options
                )
                saved = storage.save(path, ContentFile(out.getvalue()))
                if saved != path:  # written by another process meanwhile
                    storage.delete(saved)
            entries.append((storage.url(path), width, height))
        sources[fmt] = entries
    largest = sources[spec.formats[-1]][-1]
    return {"width": largest[1], "height": largest[2], "sources": sources}


def manifest(field_file, spec_name):
    """The renditions of an image for one spec, from the cache, made the first time.
    None if the image cannot be read (missing file, storage down): callers fall back."""
    if not field_file:
        return None
    focus = focal_point(field_file)
    key = (
        "sl:rendition:"
        + hashlib.sha256(f"{VERSION}|{field_file.name}|{focus}|{spec_name}".encode()).hexdigest()[
            :32
        ]
    )
    found = cache.get(key)
    if found is None:
        try:
            found = generate(field_file, spec_name)
        except Exception:
            logger.exception("could not make %s renditions of %s", spec_name, field_file.name)
            return None
        cache.set(key, found, MANIFEST_SECONDS)
    return found
