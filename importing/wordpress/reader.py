"""Read a WordPress export (WXR 1.0, 1.1, 1.2) safely and as a stream: ``read_export()`` yields
the channel's parts one at a time as plain dataclasses and keeps nothing of the tree behind it.

The parser is lxml's ``iterparse`` with entities left unresolved, no network, no DTD loading and
libxml2's size limits on (``huge_tree`` off); a file that declares a DTD is refused outright
(a WXR file never has one). Why lxml and not defusedxml: docs/decisions.md, "WordPress import".
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from importing.base import ImportParseError

# The namespaces WordPress has used, by version; matched by pattern so 1.0, 1.1 and 1.2 read alike.
WP_NS = re.compile(r"^https?://wordpress\.org/export/1\.[0-9]+/$")
EXCERPT_NS = re.compile(r"^https?://wordpress\.org/export/1\.[0-9]+/excerpt/$")
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ZERO_DATE = "0000-00-00 00:00:00"


@dataclass
class Channel:
    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    wxr_version: str = ""
    language: str = ""

    @property
    def source(self):
        """What the export's items are keyed by: the blog's address, without scheme."""
        url = self.base_blog_url or self.link or self.base_site_url
        return re.sub(r"^https?://", "", url).rstrip("/") or "wordpress"


@dataclass
class WPAuthor:
    line: int
    wp_id: int | None
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class WPTerm:
    line: int
    taxonomy: str  # "category", "post_tag" or another taxonomy
    term_id: int | None
    slug: str
    name: str
    parent: str = ""
    description: str = ""


@dataclass
class WPComment:
    line: int
    wp_id: int
    author: str = ""
    email: str = ""
    url: str = ""
    ip: str = ""
    date: str = ""
    date_gmt: str = ""
    content: str = ""
    approved: str = "1"
    type: str = ""
    parent: int = 0
    user_id: int = 0


@dataclass
class WPItem:
    line: int
    wp_id: int
    title: str = ""
    link: str = ""
    guid: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    post_name: str = ""
    status: str = ""
    post_parent: int = 0
    post_type: str = "post"
    post_password: str = ""
    is_sticky: bool = False
    comment_status: str = ""
    attachment_url: str = ""
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # taxonomy, slug, name
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[WPComment] = field(default_factory=list)

    @property
    def thumbnail_id(self):
        value = self.meta.get("_thumbnail_id", "")
        return int(value) if value.isdigit() else None


def _kind(tag):
    """(namespace kind, local name) of an lxml tag: kind is wp, excerpt, content, dc or ''."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        if WP_NS.match(uri):
            return "wp", local
        if EXCERPT_NS.match(uri):
            return "excerpt", local
        if uri == CONTENT_NS:
            return "content", local
        if uri == DC_NS:
            return "dc", local
        return "other", local
    return "", tag


def _text(el):
    return (el.text or "").strip() if el is not None else ""


def _raw(el):
    """Element text as written (CDATA unwrapped, whitespace kept): post bodies and comments."""
    return el.text or "" if el is not None else ""


def _int(value, path, line, what):
    value = (value or "").strip()
    if not value:
        return 0
    if not value.lstrip("-").isdigit():
        raise ImportParseError(path, line, f"{what} is “{value[:40]}”, not a number")
    return int(value)


def _children(el):
    """{(kind, local): [child, ...]} of an element's children."""
    found = {}
    for child in el:
        found.setdefault(_kind(child.tag), []).append(child)
    return found


def _first(children, kind, local):
    items = children.get((kind, local))
    return items[0] if items else None


def _author(el, path):
    c = _children(el)
    login = _text(_first(c, "wp", "author_login"))
    if not login:
        raise ImportParseError(path, el.sourceline, "an author (wp:author) has no login")
    return WPAuthor(
        line=el.sourceline,
        wp_id=_int(_text(_first(c, "wp", "author_id")), path, el.sourceline, "wp:author_id")
        or None,
        login=login,
        email=_text(_first(c, "wp", "author_email")),
        display_name=_text(_first(c, "wp", "author_display_name")),
        first_name=_text(_first(c, "wp", "author_first_name")),
        last_name=_text(_first(c, "wp", "author_last_name")),
    )


def _term(el, local, path):
    c = _children(el)
    line = el.sourceline
    if local == "category":
        taxonomy, slug_tag, name_tag, parent_tag = (
            "category",
            "category_nicename",
            "cat_name",
            "category_parent",
        )
        desc_tag = "category_description"
    elif local == "tag":
        taxonomy, slug_tag, name_tag, parent_tag = "post_tag", "tag_slug", "tag_name", ""
        desc_tag = "tag_description"
    else:
        taxonomy = _text(_first(c, "wp", "term_taxonomy"))
        slug_tag, name_tag, parent_tag, desc_tag = (
            "term_slug",
            "term_name",
            "term_parent",
            "term_description",
        )
    slug = _text(_first(c, "wp", slug_tag))
    name = _text(_first(c, "wp", name_tag)) or slug
    if not slug and not name:
        raise ImportParseError(path, line, f"a {taxonomy} (wp:{local}) has neither slug nor name")
    return WPTerm(
        line=line,
        taxonomy=taxonomy,
        term_id=_int(_text(_first(c, "wp", "term_id")), path, line, "wp:term_id") or None,
        slug=slug,
        name=name,
        parent=_text(_first(c, "wp", parent_tag)) if parent_tag else "",
        description=_text(_first(c, "wp", desc_tag)),
    )


def _comment(el, path):
    c = _children(el)
    line = el.sourceline

    def get(local):
        return _text(_first(c, "wp", local))

    wp_id = _int(get("comment_id"), path, line, "wp:comment_id")
    if not wp_id:
        raise ImportParseError(path, line, "a comment has no wp:comment_id")
    return WPComment(
        line=line,
        wp_id=wp_id,
        author=get("comment_author"),
        email=get("comment_author_email"),
        url=get("comment_author_url"),
        ip=get("comment_author_IP"),
        date=get("comment_date"),
        date_gmt=get("comment_date_gmt"),
        content=_raw(_first(c, "wp", "comment_content")),
        approved=get("comment_approved") or "1",
        type=get("comment_type"),
        parent=_int(get("comment_parent"), path, line, "wp:comment_parent"),
        user_id=_int(get("comment_user_id"), path, line, "wp:comment_user_id"),
    )


def _item(el, path):
    c = _children(el)
    line = el.sourceline

    def get(kind, local):
        return _text(_first(c, kind, local))

    raw_id = get("wp", "post_id")
    if not raw_id:
        raise ImportParseError(path, line, "an item has no wp:post_id")
    item = WPItem(
        line=line,
        wp_id=_int(raw_id, path, line, "wp:post_id"),
        title=get("", "title"),
        link=get("", "link"),
        guid=get("", "guid"),
        creator=get("dc", "creator"),
        content=_raw(_first(c, "content", "encoded")),
        excerpt=_raw(_first(c, "excerpt", "encoded")),
        post_date=get("wp", "post_date"),
        post_date_gmt=get("wp", "post_date_gmt"),
        post_name=get("wp", "post_name"),
        status=get("wp", "status"),
        post_parent=_int(get("wp", "post_parent"), path, line, "wp:post_parent"),
        post_type=get("wp", "post_type") or "post",
        post_password=get("wp", "post_password"),
        is_sticky=get("wp", "is_sticky") == "1",
        comment_status=get("wp", "comment_status"),
        attachment_url=get("wp", "attachment_url"),
    )
    for cat in c.get(("", "category"), []):
        item.terms.append((cat.get("domain", "category"), cat.get("nicename", ""), _text(cat)))
    for meta in c.get(("wp", "postmeta"), []):
        mc = _children(meta)
        key = _text(_first(mc, "wp", "meta_key"))
        if key:
            item.meta[key] = _raw(_first(mc, "wp", "meta_value")).strip()
    for comment in c.get(("wp", "comment"), []):
        item.comments.append(_comment(comment, path))
    return item


def read_export(path):
    """Yield the export's Channel (once, as soon as its header is read), then each WPAuthor,
    WPTerm and WPItem in file order. Raises ImportParseError naming the line for a hostile,
    malformed, truncated or foreign file."""
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImportParseError(path, None, f"cannot be read ({exc.strerror})") from exc
    channel = Channel()
    channel_sent = False
    depth = 0
    with handle:
        events = etree.iterparse(
            handle,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            for event, el in events:
                if event == "start":
                    depth += 1
                    if depth == 1:
                        _check_root(path, el)
                    continue
                depth -= 1
                if depth != 2:  # only the channel's children are whole records
                    continue
                kind, local = _kind(el.tag)
                parent = el.getparent()
                if (kind, local) == ("", "item"):
                    if not channel_sent:
                        channel_sent = True
                        yield channel
                    yield _item(el, path)
                elif kind == "wp" and local == "author":
                    yield _author(el, path)
                elif kind == "wp" and local in ("category", "tag", "term"):
                    yield _term(el, local, path)
                elif (
                    kind == "wp"
                    and local in ("base_site_url", "base_blog_url", "wxr_version")
                    or (kind, local) in (("", "title"), ("", "link"), ("", "language"))
                ):
                    setattr(channel, local, _text(el))
                # What is read is dropped: the tree never holds more than one record.
                el.clear()
                while parent is not None and el.getprevious() is not None:
                    del parent[0]
        except etree.XMLSyntaxError as exc:
            raise ImportParseError(path, exc.lineno or None, _syntax_message(exc)) from None
    if depth == 0 and not channel_sent:
        if not channel.wxr_version and not channel.base_site_url:
            raise ImportParseError(
                path, None, "is an RSS file but not a WordPress export (no wp:wxr_version)"
            )
        yield channel


def _check_root(path, el):
    info = el.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise ImportParseError(
            path,
            1,
            "declares a DTD (<!DOCTYPE …>): WordPress exports have none, and entities in a file "
            "from elsewhere are never expanded; the file was not read further",
        )
    kind, local = _kind(el.tag)
    if (kind, local) != ("", "rss"):
        raise ImportParseError(
            path,
            el.sourceline,
            f"the root element is <{local}>, not <rss>: this is not a WordPress export (WXR)",
        )


def _syntax_message(exc):
    message = str(exc.msg or exc).split(", line ")[0].rstrip(".")
    if "Premature end" in message or "EndTag" in message or "not properly terminated" in message:
        return f"the file is cut short or malformed ({message}); export it again"
    if "Detected an entity reference loop" in message or "amplification" in message.lower():
        return f"the file expands entities without end ({message}); refused"
    return f"malformed XML ({message})"
