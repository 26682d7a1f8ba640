"""Long text: written in Markdown, rendered to sanitised HTML the same way everywhere.

The HTML is passed through nh3 with a short allow-list, so nothing an editor pastes or an import
brings in can run script in a reader's browser (docs/decisions.md, "Long text").

Images from the library are written ``![Alt text](image:12)``. The stored HTML keeps them as
``<img src="image:12" alt="Alt text">`` (no other image survives the sanitiser); pages and the
editors' preview turn those into the library's responsive ``<picture>`` when they show the text
(``with_library_images``), resolving every image of the texts given in one query, so a changed
rendition or focal point shows without saving the text again. The images app supplies the
lookup and the markup (``register_library_images``).
"""

import html as html_lib
import re

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "cite",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "ul",
    "figure",
    "figcaption",
    "img",  # only as a library image's placeholder (see _keep_attribute)
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "img": {"src", "alt"},
}
URL_SCHEMES = {"http", "https", "mailto", "image"}
LIBRARY_SRC = re.compile(r"image:(\d+)")
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
# A library image as stored: alone in its paragraph it becomes a figure, else inline.
PLACEHOLDER = re.compile(r'(<p>)?<img src="image:(\d+)" alt="([^"]*)">(</p>)?')


def _keep_attribute(tag, name, value):
    """Only library images keep a ``src``, and only links may point elsewhere."""
    if value.startswith("image:") and not (tag == "img" and name == "src"):
        return None
    if tag == "img" and name == "src" and not LIBRARY_SRC.fullmatch(value):
        return None
    return value


def _placeholder(match):
    attrs = dict(_ATTR.findall(match.group(1)))
    found = LIBRARY_SRC.fullmatch(attrs.get("src", ""))
    if not found:
        return ""  # an image from elsewhere: not shown
    return f'<img src="image:{found.group(1)}" alt="{attrs.get("alt", "")}">'


def render_markdown(source):
    """Markdown in, sanitised HTML out."""
    if not source:
        return ""
    html = markdown.markdown(source, extensions=["sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    )
    return _IMG.sub(_placeholder, cleaned)


# --- Library images in long text -----------------------------------------------------------

_library = {}  # "resolve": ids -> {id: image}; "render": (image, alt, alone) -> HTML


def register_library_images(resolve, render):
    """Called by the images app: how to find images by id (one query) and draw one."""
    _library.update(resolve=resolve, render=render)


def library_image_ids(*htmls):
    return {int(m.group(2)) for html in htmls if html for m in PLACEHOLDER.finditer(html)}


def resolve_library_images(*htmls):
    """The library images the texts show, by id, in one query (none without images)."""
    ids = library_image_ids(*htmls)
    if not ids or "resolve" not in _library:
        return {}
    return _library["resolve"](ids)


def with_library_images(html, images=None, render=None):
    """Stored HTML as readers see it: each library image drawn (``images`` from
    ``resolve_library_images``, else looked up for this text), one no longer in the library
    left out; ``render(image, alt, alone)`` draws them otherwise than on pages (emails)."""
    if not html:
        return mark_safe("")  # noqa: S308
    if images is None:
        images = resolve_library_images(html)
    render = render or _library.get("render")

    def draw(match):
        image = images.get(int(match.group(2)))
        if image is None or render is None:
            return ""
        alone = bool(match.group(1) and match.group(4))
        drawn = render(image, html_lib.unescape(match.group(3)), alone)
        if alone:
            return drawn
        return f"{match.group(1) or ''}{drawn}{match.group(4) or ''}"

    return mark_safe(PLACEHOLDER.sub(draw, html))  # noqa: S308 - cleaned HTML and our markup


def validate_library_images(source):
    """A body's library images each need alt text and must be in the library."""
    html = render_markdown(source)
    problems = []
    found = resolve_library_images(html)
    for match in PLACEHOLDER.finditer(html):
        number = int(match.group(2))
        if not html_lib.unescape(match.group(3)).strip():
            problems.append(
                f"Image {number} has no alt text: describe it for readers who cannot see it, "
                "between the brackets, e.g. "
                f"![A portrait of the leader at her desk](image:{number})."
            )
        elif number not in found:
            problems.append(
                f"There is no image {number} in the library: pick one with the toolbar's "
                "“Image” button."
            )
    if problems:
        raise ValidationError(problems)
