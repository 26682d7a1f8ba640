"""WordPress post content (classic HTML, shortcodes, block-editor comments, embeds) turned into
our Markdown, one block at a time, with nothing that runs. Rules: docs/importing.md, "WordPress".

Each block comes out twice: as Markdown for the body, and as plain text written the way the
text exports write it, so the text importer's interview rules (importing/series.py) read it.
A block with no markup beyond plain text gets the text importer's own Markdown
(``block_markdown``), so an export of content this site wrote reads back the same."""

import html as htmllib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdownify import MarkdownConverter

from importing.base import NBSP, Block, Line, block_markdown, clean, md_escape

BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "figure", "pre", "table",
    "hr", "div", "section", "article", "dl", "address", "aside", "header", "footer", "details",
}  # fmt: skip
# Elements that run, ask for input or draw from elsewhere: removed, and the report says so.
ACTIVE_TAGS = (
    "script", "style", "noscript", "form", "input", "button", "select", "textarea", "object",
    "embed", "applet", "svg", "math", "canvas", "template", "link", "meta", "base",
)  # fmt: skip
SAFE_SCHEMES = ("http", "https", "mailto")
VIDEO_HOSTS = re.compile(r"(?:^|\.)(?:youtube\.com|youtu\.be|vimeo\.com)$")
URL_RE = re.compile(r"https?://[^\s\"'<>\]]+")
AUTOP_SKIP = re.compile(r"<!--\s*wp:", re.I)
BLOCK_START = re.compile(
    r"^\s*<(?:/?(?:" + "|".join(sorted(BLOCK_TAGS | {"li", "figcaption", "tr", "td"})) + r")\b)",
    re.I,
)

AUTOP_BLOCKS = "p|h[1-6]|ul|ol|blockquote|figure|pre|table|hr|div"
CAPTION_RE = re.compile(r"\[(?:wp_)?caption\b([^\]]*)\](.*?)\[/(?:wp_)?caption\]", re.S | re.I)
GALLERY_RE = re.compile(r"\[gallery\b([^\]]*)\]", re.I)
EMBED_RE = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.S | re.I)
CODE_RE = re.compile(r"\[(sourcecode|code)\b[^\]]*\](.*?)\[/\1\]", re.S | re.I)
MEDIA_RE = re.compile(
    r"\[(youtube|vimeo|dailymotion|soundcloud|tweet|twitter|instagram|slideshare|spotify|ted"
    r"|googlemaps|video|audio|playlist|wpvideo)\b=?([^\]]*)\](?:.*?\[/\1\])?",
    re.S | re.I,
)
DROPPED_RE = re.compile(
    r"\[(contact-form(?:-7)?|gravityform|polldaddy|crowdsignal|jetpack_subscription_form"
    r"|blog_subscription_form|archives|sitemap|toc|simple-payment|recurring-payment)\b[^\]]*\]"
    r"(?:.*?\[/\1\])?",
    re.S | re.I,
)
WRAPPER_RE = re.compile(r"\[([a-z][a-z0-9_-]*)\b([^\]]*)\](.*?)\[/\1\]", re.S | re.I)
LONE_RE = re.compile(r"\[([a-z][a-z0-9_-]*)\s+[a-z_-]+=[^\]]*\]", re.I)
ATTR_RE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")


def _attrs(text):
    return {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in
            ATTR_RE.finditer(text or "")}  # fmt: skip


@dataclass
class Piece:
    """One block of a converted body."""

    markdown: str
    text_lines: list[str]  # the block as the text exports write it
    plain: bool  # no markup the plain text loses
    kind: str = "text"  # text, image, embed
    url: str = ""  # the image's new address or the embed's address
    attachment_id: int | None = None
    caption: str = ""
    key: str = ""  # the block's plain-text Markdown (set by the interview reader)


@dataclass
class Converted:
    pieces: list[Piece] = field(default_factory=list)

    @property
    def markdown(self):
        return "\n\n".join(p.markdown for p in self.pieces if p.markdown).strip()


class Context:
    """What conversion asks of the importer; the base keeps links and images as they are."""

    def note(self, message):
        pass

    def link(self, href):
        """The new address for ``href``, or None to keep it."""
        return None

    def image(self, src):
        """(new address or None when the file is not imported, attachment id or None)."""
        return src, None

    def gallery(self, ids):
        """[(new address, alt, attachment id)] for a [gallery] shortcode's ids (or its post's)."""
        return []


# Shortcodes and paragraphs, on the raw text


def _expand_shortcodes(text, ctx):
    def caption(m):
        attrs, inner = _attrs(m.group(1)), m.group(2).strip()
        split = re.match(r"((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", inner, re.S | re.I)
        image, words = (split.group(1), split.group(2)) if split else ("", inner)
        words = words.strip() or attrs.get("caption", "")
        return f"\n\n<figure>{image}<figcaption>{words}</figcaption></figure>\n\n"

    def gallery(m):
        attrs = _attrs(m.group(1))
        ids = [int(x) for x in re.findall(r"\d+", attrs.get("ids", ""))] or None
        images = ctx.gallery(ids)
        if not images:
            ctx.note("a [gallery] with no imported images dropped")
            return ""
        return "".join(
            f'\n\n<figure><img src="{htmllib.escape(url)}" alt="{htmllib.escape(alt)}" '
            f'data-attachment="{aid}"></figure>\n\n'
            for url, alt, aid in images
        )

    def embed(m):
        url = htmllib.unescape(m.group(1).strip())
        return f'\n\n<p data-embed="{htmllib.escape(url)}"></p>\n\n'

    def media(m):
        name, rest = m.group(1).lower(), m.group(2)
        attrs = _attrs(rest)
        url = next(iter(URL_RE.findall(rest)), "") or next(
            (attrs[k] for k in ("url", "src", "mp4", "mp3", "m4v", "webm") if k in attrs), ""
        )
        bare = rest.strip().strip("=").split()[0] if rest.strip() else ""
        if not url and name == "vimeo" and bare.isdigit():
            url = f"https://vimeo.com/{bare}"
        elif not url and name == "youtube" and re.fullmatch(r"[\w-]{11}", bare):
            url = f"https://www.youtube.com/watch?v={bare}"
        if not url:
            ctx.note(f"a [{name}] shortcode without an address dropped")
            return ""
        return f'\n\n<p data-embed="{htmllib.escape(htmllib.unescape(url))}"></p>\n\n'

    def code(m):
        return f"\n\n<pre><code>{htmllib.escape(htmllib.unescape(m.group(2)))}</code></pre>\n\n"

    def dropped(m):
        ctx.note(f"the [{m.group(1)}] shortcode (a form or widget) dropped: nothing to show here")
        return ""

    text = CODE_RE.sub(code, text)
    text = CAPTION_RE.sub(caption, text)
    text = GALLERY_RE.sub(gallery, text)
    text = EMBED_RE.sub(embed, text)
    text = MEDIA_RE.sub(media, text)
    text = DROPPED_RE.sub(dropped, text)

    def wrapper(m):
        ctx.note(f"the [{m.group(1)}] shortcode is unknown: its wrapper removed, its text kept")
        return m.group(3)

    previous = None
    while previous != text:  # nested wrappers, innermost last
        previous, text = text, WRAPPER_RE.sub(wrapper, text)

    def lone(m):
        ctx.note(f"the unknown [{m.group(1)}] shortcode dropped: {m.group(0)[:60]}")
        return ""

    return LONE_RE.sub(lone, text)


def _autop(text):
    """WordPress keeps classic-editor text without <p>: blank lines are paragraphs, single line
    breaks <br> (its wpautop, in short). Block-editor content is already marked up."""
    if AUTOP_SKIP.search(text):
        return text
    out = []
    text = text.replace("\r\n", "\n")
    text = re.sub(rf"(<(?:{AUTOP_BLOCKS})\b[^>]*>)", r"\n\n\1", text, flags=re.I)
    text = re.sub(rf"(</(?:{AUTOP_BLOCKS})>)", r"\1\n\n", text, flags=re.I)
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if BLOCK_START.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + re.sub(r"\s*\n\s*", "<br>\n", chunk) + "</p>")
    return "\n\n".join(out)


# Markdown for blocks with markup


class _Converter(MarkdownConverter):
    """markdownify with our rules: the text importer's escaping, headings at h2-h4 (what the
    site shows), images as links (the site's Markdown shows no <img>)."""

    def escape(self, text, parent_tags):
        if not text or "_noformat" in parent_tags:
            return text
        return md_escape(text)

    def convert_hN(self, n, el, text, parent_tags):
        return super().convert_hN(min(max(n, 2), 4), el, text, parent_tags)

    def convert_img(self, el, text, parent_tags):
        return _image_markdown(el.get("src", ""), el.get("alt", "") or el.get("title", ""))

    def convert_figcaption(self, el, text, parent_tags):
        text = text.strip()
        return f"\n\n*{text}*\n\n" if text else ""

    def convert_figure(self, el, text, parent_tags):
        return f"\n\n{text.strip()}\n\n"


def _image_markdown(url, alt):
    label = md_escape(clean(alt)) or "image"
    if not url:
        return f"*Image: {label} (not imported)*"
    return f"[Image: {label}]({url})"


_CONVERT = _Converter(heading_style="ATX", bullets="-", escape_misc=False, autolinks=True)


def _rich(el):
    return re.sub(r"\n{3,}", "\n\n", _CONVERT.convert_soup(_wrap(el))).strip()


def _wrap(el):
    soup = BeautifulSoup("", "html.parser")
    soup.append(el)
    return soup


# Cleaning the tree


def _clean_tree(soup, ctx):
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    removed = {}
    for tag in soup.find_all(ACTIVE_TAGS):
        removed[tag.name] = removed.get(tag.name, 0) + 1
        tag.decompose()
    for tag, count in sorted(removed.items()):
        ctx.note(f"{count} <{tag}> element(s) removed: nothing that runs is imported")
    for frame in soup.find_all("iframe"):
        src = frame.get("src", "")
        if src.startswith("//"):
            src = "https:" + src
        if urlsplit(src).scheme in ("http", "https"):
            frame.replace_with(_new_tag(soup, "p", {"data-embed": src}))
            ctx.note(f"an embedded frame replaced by a link to {src}")
        else:
            frame.decompose()
            ctx.note("an embedded frame without an address dropped")
    for a in soup.find_all("a"):
        href = (a.get("href") or "").strip()
        scheme = urlsplit(href).scheme.lower()
        if href and scheme and scheme not in SAFE_SCHEMES:
            ctx.note(f"a {scheme}: link dropped, its text kept: {clean(a.get_text())[:60]}")
            a.unwrap()
            continue
        new = ctx.link(href) if href else None
        a.attrs = {"href": new or href} if href else {}
    for img in soup.find_all("img"):
        src = (img.get("src") or "").strip()
        if img.get("data-attachment"):  # a [gallery] image, already imported
            new, attachment = src, img["data-attachment"]
        else:
            new, attachment = ctx.image(src)
        alt = img.get("alt") or img.get("title") or ""
        img.attrs = {"src": new or "", "alt": alt}
        if attachment:
            img["data-attachment"] = str(attachment)
        # An image linked to its own file or attachment page: the link adds nothing.
        parent = img.parent
        if parent is not None and parent.name == "a" and len(parent.find_all(True)) == 1:
            parent.unwrap()
    for tag in soup.find_all(True):  # what the converter never reads
        for attr in list(tag.attrs):
            if attr not in ("href", "src", "alt", "start", "data-embed", "data-attachment"):
                del tag[attr]


def _new_tag(soup, name, attrs):
    tag = soup.new_tag(name)
    tag.attrs = attrs
    return tag


# Blocks


def _inline_text(el):
    """Text of an inline run, <br> as a line break; non-breaking spaces kept (the text rules
    read them)."""
    parts = []
    for node in el.descendants:
        if isinstance(node, NavigableString) and not isinstance(node, Comment):
            parts.append(str(node))
        elif isinstance(node, Tag) and node.name == "br":
            parts.append("\n")
    text = "".join(parts)
    lines = [re.sub(r"[ \t\r\n]+", " ", ln).strip(" \t") for ln in text.split("\n")]
    return [ln for ln in lines if ln.strip(" " + NBSP)]


def _only_text(el):
    return all(
        isinstance(n, NavigableString) or (isinstance(n, Tag) and n.name in ("br", "span"))
        for n in el.descendants
    )


def _text_piece(lines, rich_el=None, quote=False):
    """A block as the text rules render it; ``rich_el`` when its markup is worth keeping."""
    block = Block([Line(i, raw) for i, raw in enumerate(lines, 1)])
    md = block_markdown(block)
    if quote:
        md = "\n".join("> " + ln for ln in md.split("\n"))
    if rich_el is not None:
        return Piece(_rich(rich_el), lines, plain=False)
    return Piece(md, lines, plain=True)


def _pieces(el, ctx, out):
    if isinstance(el, NavigableString):
        text = clean(str(el))
        if text:
            out.append(_text_piece([text]))
        return
    name = el.name
    embed = el.get("data-embed") if name == "p" else None
    if embed is not None or (name in ("p", "figure", "div") and _bare_url(el)):
        url = embed or _bare_url(el)
        out.append(Piece(f"<{url}>", [f"({_host(url)} embed)"], False, kind="embed", url=url))
        return
    if name in ("div", "section", "article", "aside", "header", "footer", "details"):
        for child in list(el.children):
            _pieces(child, ctx, out)
        return
    if name == "figure" or (name == "p" and el.find("img") and not _inline_text(el)):
        _figure(el, ctx, out)
        return
    if name == "img":
        _figure(el, ctx, out)
        return
    if name == "p":
        lines = _inline_text(el)
        if lines:
            out.append(_text_piece(lines, None if _only_text(el) else el))
        return
    if name in ("ul", "ol"):
        items = el.find_all("li", recursive=False)
        plain = all(_only_text(li) for li in items)
        start = int(el.get("start", "1")) if str(el.get("start", "1")).isdigit() else 1
        lines = []
        for n, li in enumerate(items, start):
            text = " ".join(_inline_text(li))
            lines.append(f"  {n}. {text}" if name == "ol" else f"  • {text}")
        if lines:
            out.append(_text_piece(lines, None if plain else el))
        return
    if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
        text = " ".join(_inline_text(el))
        if text:
            level = "#" * min(max(int(name[1]), 2), 4)
            md = f"{level} {md_escape(text)}" if _only_text(el) else _rich(el)
            out.append(Piece(md, [text], plain=_only_text(el)))
        return
    if name == "blockquote":
        paragraphs = el.find_all("p", recursive=False) or [el]
        if all(_only_text(p) for p in paragraphs):
            for p in paragraphs:
                lines = _inline_text(p)
                if lines:
                    piece = _text_piece([NBSP + ln for ln in lines], quote=True)
                    out.append(piece)
            return
        out.append(Piece(_rich(el), [NBSP + " ".join(_inline_text(el))], plain=False))
        return
    if name == "table":
        ctx.note("a table flattened to one paragraph per row (the site shows no tables)")
        for row in el.find_all("tr"):
            cells = [" ".join(_inline_text(c)) for c in row.find_all(["td", "th"])]
            if any(cells):
                out.append(_text_piece([" – ".join(c for c in cells if c)]))
        return
    if name == "hr":
        out.append(Piece("---", [], plain=False))
        return
    if name == "pre":
        out.append(Piece(_rich(el), _inline_text(el), plain=False))
        return
    # Loose inline content at the top (a bare <a>, <strong>…): one paragraph.
    lines = _inline_text(el)
    if lines:
        out.append(_text_piece(lines, None if _only_text(el) else el))


def _figure(el, ctx, out):
    images = el.find_all("img") if el.name != "img" else [el]
    cap_el = el.find("figcaption") if el.name != "img" else None
    caption = " ".join(_inline_text(cap_el)) if cap_el else ""
    for img in images:
        src, alt = img.get("src", ""), img.get("alt", "")
        aid = img.get("data-attachment")
        if not src:
            ctx.note(f"image “{alt or caption or 'without description'}” not imported")
        md = _image_markdown(src, alt or caption)
        if caption and caption != alt:
            md += f"\n\n*{md_escape(caption)}*"
        out.append(
            Piece(
                md,
                [_caption_line(caption or alt) if (caption or alt) else f"(image {len(out) + 1})"],
                plain=False,
                kind="image",
                url=src,
                attachment_id=int(aid) if aid and aid.isdigit() else None,
                caption=caption or alt,
            )
        )
    if not images and caption:
        out.append(_text_piece([caption]))


def _caption_line(caption):
    """A caption as the text exports write one: a short line of its own, or "Image: …"."""
    if len(caption.split()) <= 8 and not re.search(r"[.!?:…)”]$", caption):
        return caption
    return caption if caption.lower().startswith(("image:", "photo:")) else f"Image: {caption}"


def _bare_url(el):
    """The address when a block holds nothing but one (WordPress shows it as an embed)."""
    if el.find(["img", "a"]) and not (el.find("a") and el.get_text(strip=True) == el.a.get("href")):
        return None
    text = el.get_text(strip=True)
    return text if re.fullmatch(r"https?://\S+", text) and "<" not in text else None


def _host(url):
    return urlsplit(url).hostname or "link"


def convert(html, ctx=None):
    """WordPress content as our Markdown, in blocks (see ``Piece``)."""
    ctx = ctx or Context()
    text = _expand_shortcodes(html or "", ctx)
    text = _autop(text)
    soup = BeautifulSoup(text, "html.parser")
    _clean_tree(soup, ctx)
    result = Converted()
    for child in list(soup.children):
        _pieces(child, ctx, result.pieces)
    return result


def clean_title(text):
    """A title as WordPress exports it (entities sometimes left encoded) as plain text."""
    return clean(htmllib.unescape(text or ""))


def is_video(url):
    return bool(VIDEO_HOSTS.search(urlsplit(url).hostname or ""))


def html_to_text(html):
    """A comment's HTML as the plain text our comments hold (paragraphs, links as addresses)."""
    if not html:
        return ""
    soup = BeautifulSoup(_autop(html), "html.parser")
    for tag in soup.find_all(ACTIVE_TAGS):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for a in soup.find_all("a"):
        href, label = a.get("href", ""), a.get_text()
        keep = href and href != label and urlsplit(href).scheme in ("http", "https")
        a.replace_with(f"{label} ({href})" if keep else label)
    paragraphs = []
    for p in soup.find_all("p") or [soup]:
        text = "\n".join(ln.strip() for ln in p.get_text().split("\n")).strip()
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def plain_text(html):
    """HTML (an excerpt) as one line of text."""
    return clean(BeautifulSoup(html or "", "html.parser").get_text(" "))
