"""``{% picture %}`` and ``|rendition_url``: responsive images from editorial.renditions."""

from django import template
from django.utils.html import format_html, format_html_join

from editorial import renditions

register = template.Library()


def _srcset(entries):
    return ", ".join(f"{url} {width}w" for url, width, _height in entries)


@register.simple_tag
def picture(image, alt="", spec="hero", sizes="100vw", css_class="", loading="lazy"):
    """A <picture> with a WebP source and a JPEG <img> (srcset, sizes, width and height, so the
    browser reserves the space). Falls back to the original file if renditions cannot be made,
    and to nothing if there is no image."""
    if not image:
        return ""
    found = renditions.manifest(image, spec)
    if found is None:
        try:
            url = image.url
        except ValueError:
            return ""
        return format_html(
            '<img src="{}" alt="{}" class="{}" loading="{}">', url, alt, css_class, loading
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
    """The URL of the largest JPEG rendition of one spec (for og:image), or ""."""
    if not image:
        return ""
    found = renditions.manifest(image, spec)
    if found is None:
        return ""
    entries = found["sources"].get("jpeg") or next(iter(found["sources"].values()))
    return entries[-1][0]
