"""Long text: written in Markdown, rendered to sanitised HTML the same way everywhere.

The HTML is passed through nh3 with a short allow-list, so nothing an editor pastes or an import
brings in can run script in a reader's browser (docs/decisions.md, "Long text").
"""

import markdown
import nh3

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
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source):
    """Markdown in, sanitised HTML out."""
    if not source:
        return ""
    html = markdown.markdown(source, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    )
