"""``{% picture %}`` and ``|rendition_url``: responsive images of library images
(images.renditions). They never draw a rendition: while one is missing the original is shown."""

from django import template
from django.utils.html import format_html, format_html_join

from images import renditions
from socialleaders.text import resolve_library_images, with_library_images

register = template.Library()


def _srcset(entries):
    return ", ".join(f"{url} {width}w" for url, width, _height in entries)


def _original_url(image):
    try:
        return image.file.url
    except (ValueError, AttributeError):
        return ""


@register.simple_tag
def picture(image, alt=None, spec="hero", sizes="100vw", css_class="", loading="lazy"):
    """A <picture> with a WebP source and a JPEG <img> (srcset, sizes, width and height, so the
    browser reserves the space). No alt given: the image's default description (alt="" marks
    it decorative). While
    the renditions are not made yet, the (re-encoded, bounded) original; nothing without an
    image."""
    if not image:
        return ""
    alt = image.alt if alt is None else alt
    found = renditions.manifest(image, spec)
    if found is None:
        url = _original_url(image)
        if not url:
            return ""
        return format_html(
            '<img src="{}" alt="{}" class="{}" loading="{}"{}>',
            url,
            alt,
            css_class,
            loading,
            format_html(' width="{}" height="{}"', image.width, image.height)
            if image.width and image.height and spec == "hero"
            else "",
        )
    sources = found["sources"]
    fallback = sources.get("jpeg") or next(iter(sources.values()))
    other = format_html_join(
        "",
        '<source type="image/{}" srcset="{}" sizes="{}">',
        ((fmt, _srcset(entries), sizes) for fmt, entries in sources.items() if fmt != "jpeg"),
    )
    src, width, height = fallback[-1]
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"'
        ' class="{}" loading="{}" decoding="async"></picture>',
        other,
        src,
        _srcset(fallback),
        sizes,
        width,
        height,
        alt,
        css_class,
        loading,
    )


@register.filter
def rendition_url(image, spec="og"):
    """The URL of the largest JPEG rendition of one spec (for og:image); the original while it is
    missing; "" without an image."""
    if not image:
        return ""
    found = renditions.manifest(image, spec)
    if found is None:
        return _original_url(image)
    entries = found["sources"].get("jpeg") or next(iter(found["sources"].values()))
    return entries[-1][0]


def thumbnail_url(image, width=160):
    """A small square thumbnail's URL (admin lists, choosers), the original while it is missing."""
    found = renditions.manifest(image, "thumb") if image else None
    if found is None:
        return _original_url(image) if image else ""
    entries = found["sources"].get("webp") or found["sources"]["jpeg"]
    fitting = [entry for entry in entries if entry[1] >= width] or entries[-1:]
    return fitting[0][0]


@register.simple_tag
def body_images(items, attribute):
    """``{% body_images answers "body_html" as found %}``: the library images of all the texts,
    in one query, for ``|with_images:found``."""
    return resolve_library_images(*(getattr(item, attribute, "") for item in items))


@register.filter
def with_images(html, found=None):
    """Stored Markdown HTML with its library images drawn (``found`` from ``{% body_images %}``;
    without it, this text's images are looked up in one query)."""
    return with_library_images(html, found)
