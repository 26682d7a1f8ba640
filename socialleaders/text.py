"""Long text: written in Markdown, rendered to sanitised HTML the same way everywhere.

Markdown is what editors type (and what the importer writes: paragraphs, bullet and numbered
lists, block quotes survive as plain text). The HTML it produces is passed through nh3 (the
Ammonia sanitiser) with a short allow-list, so that nothing an editor pastes, or an import
brings in, can run script in a reader's browser.
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
