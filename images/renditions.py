"""Image renditions: the sizes the templates need, in WebP with a JPEG fallback. Pillow only.

Fixed specs (aspect ratio, ``srcset`` widths), never upscaled, cropped around the focal point.
All of an image's renditions are drawn from one decode of its stored file (JPEG decoded at a
reduced size), once, when the image is saved (images.services); pages only read the manifest
kept on the row and never draw. The rules and why not a library: docs/editorial.md,
"Renditions".
"""

import hashlib
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

VERSION = 2


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
# The most pixels any rendition needs across (hero's widest) and down (the widest crop's height
# for a fixed aspect): decoding at this size or more loses nothing.
NEEDED_WIDTH = max(width for spec in SPECS.values() for width in spec.widths)
NEEDED_HEIGHT = max(round(max(s.widths) / s.aspect) for s in SPECS.values() if s.aspect)


def key_for(image):
    """What the renditions depend on: the stored file, the focal point, the specs."""
    focus = image.focus
    text = f"{VERSION}|{image.file.name}|{focus[0]:.4f},{focus[1]:.4f}|{sorted(SPECS.items())}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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


def _flatten(image):
    """RGB pixels on white, in a fresh image: no ``info`` (a GIF's comment would otherwise be
    written into every JPEG's COM segment) travels into a rendition."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    fresh = Image.new("RGB", image.size)
    fresh.paste(image.convert("RGB"))
    return fresh


def open_reduced(handle, need=(NEEDED_WIDTH, NEEDED_HEIGHT)):
    """The image decoded at the smallest size that still has ``need`` pixels across and down (or
    all it has): JPEG's decoder scales by 1/2, 1/4 or 1/8 as it reads (``draft``); other
    formats are decoded whole, then shrunk by whole factors (``reduce``) while large enough."""
    image = Image.open(handle)
    if image.format == "JPEG":
        image.draft("RGB", need)
    image.load()
    image = ImageOps.exif_transpose(image)
    factor = 1
    width, height = image.size
    while width // (factor * 2) >= need[0] and height // (factor * 2) >= need[1]:
        factor *= 2
    if factor > 1:
        image = image.reduce(factor)
    return image


def generate(image):
    """Draw every spec's renditions of a library image; return {spec: manifest}, each manifest
    {"width", "height", "sources": {format: [(url, width, height), ...]}}."""
    storage = image.file.storage
    folder = f"renditions/{image.pk}-{key_for(image)}"
    with storage.open(image.file.name, "rb") as handle:
        source = _flatten(open_reduced(handle))
    # Crops are computed on the reduced image; "never upscaled" compares with the original.
    scale = (image.width or source.width) / source.width
    manifests = {}
    for spec in SPECS.values():
        box = crop_box(source.size, spec.aspect, image.focus)
        cropped = source.crop(box)
        original_width = round(cropped.width * scale)
        widths = [w for w in spec.widths if w <= original_width] or [
            min(original_width, cropped.width)
        ]
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
                    resized = cropped.resize((width, height), Image.Resampling.LANCZOS)
                    resized.save(out, format=pillow_format, **options)
                    saved = storage.save(path, ContentFile(out.getvalue()))
                    if saved != path:  # written by another process meanwhile
                        storage.delete(saved)
                entries.append((storage.url(path), width, height))
            sources[fmt] = entries
        largest = sources[spec.formats[-1]][-1]
        manifests[spec.name] = {"width": largest[1], "height": largest[2], "sources": sources}
    return manifests


def manifest(image, spec_name):
    """The renditions of a library image for one spec if they are made and current, else None
    (callers fall back to the original). Never draws: that happens when the image is saved."""
    if image is None or not getattr(image, "file", None):
        return None
    made = image.renditions or {}
    if made.get("key") != key_for(image):
        return None
    return made.get("specs", {}).get(spec_name)
