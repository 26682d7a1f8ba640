"""Readers' comments: plain text in, safe HTML out (``render_comment``); ``clean_text`` removes
what readers must not send (direction overrides, control characters, lone surrogates).
The rules: docs/comments.md ("What a commenter sees", "What abuse gets").
"""

import re
from functools import lru_cache

import nh3
from django.utils.html import escape
from django.utils.safestring import mark_safe

# U+202A..U+202E: embeddings and overrides; U+2066..U+2069: isolates.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# C0 controls except NUL (refused by the form), tab, newline and carriage return; DEL; C1.
_CONTROLS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile("[\ud800-\udfff]")

URL_RE = re.compile(r"""(?i)\b(?:https?://|www\.)[^\s<>"'`]+""")
_TRAILING = ".,;:!?'\"*"
_PAIRS = {")": "(", "]": "[", "}": "{"}
MAX_LINK_TEXT = 60
LINK_REL = "nofollow ugc noopener"


def clean_text(value):
    if not value:
        return value
    value = _SURROGATES.sub("\ufffd", value)
    value = _BIDI_CONTROLS.sub("", value)
    return _CONTROLS.sub("", value)


def _trim_url(url):
    """Drop trailing punctuation that belongs to the sentence, not the address; keep a closing
    bracket only when the address opened it (e.g. Wikipedia links)."""
    while url:
        last = url[-1]
        if last in _TRAILING or last in _PAIRS and url.count(last) > url.count(_PAIRS[last]):
            url = url[:-1]
        else:
            break
    return url


def find_urls(text):
    return [_trim_url(m.group(0)) for m in URL_RE.finditer(text or "")]


def count_links(text):
    """How many web addresses the text holds (for the "more than N links" rule). HTML anchors
    count too, in case a bot pastes markup."""
    text = text or ""
    return len(find_urls(text)) + len(re.findall(r"(?i)<a\s", text))


def _linkify(line):
    out = []
    pos = 0
    for match in URL_RE.finditer(line):
        url = _trim_url(match.group(0))
        start, end = match.start(), match.start() + len(url)
        if len(url) < 5 or url.lower() in {"www.", "http://", "https://"}:
            continue
        out.append(escape(line[pos:start]))
        href = url if url.lower().startswith(("http://", "https://")) else f"https://{url}"
        shown = url if len(url) <= MAX_LINK_TEXT else url[: MAX_LINK_TEXT - 1] + "…"
        out.append(f'<a href="{escape(href)}" rel="{LINK_REL}">{escape(shown)}</a>')
        pos = end
    out.append(escape(line[pos:]))
    return "".join(out)


def render_comment(body):
    """A comment's plain text as safe HTML."""
    return mark_safe(_render(body or ""))


@lru_cache(maxsize=1024)
def _render(body):
    """Pure, so each process keeps the HTML of the bodies it rendered last."""
    text = clean_text(body.replace("\x00", "")).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n+", text.strip())]
    html = "".join(
        "<p>" + "<br>".join(_linkify(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
        if p.strip()
    )
    return nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
    )
