"""What the reader typed, made safe to search with, and snippets made safe to show (pure Python)."""

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10

# Markers handed to ts_headline; any that occur in stored text are dealt with safely below.
START_SENTINEL = "\ue000"
STOP_SENTINEL = "\ue001"

_UNWANTED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffd\ufeff"
    + START_SENTINEL
    + STOP_SENTINEL
    + "]"
)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class CleanQuery:
    text: str
    truncated: bool = False

    def __bool__(self):
        return bool(self.text)


def clean_query(raw):
    """The reader's query made safe to search for and to show back."""
    if not raw:
        return CleanQuery("")
    text = _SPACE.sub(" ", _UNWANTED.sub("", str(raw))).strip()
    truncated = len(text) > MAX_QUERY_LENGTH
    if truncated:
        cut = text[:MAX_QUERY_LENGTH]
        space = cut.rfind(" ")
        text = (cut[:space] if space > MAX_QUERY_LENGTH // 2 else cut).strip()
    return CleanQuery(text, truncated)


def query_terms(text):
    """Distinct words of the query (lower case, in order), at most MAX_TERMS of them."""
    terms = []
    for word in _WORD.findall(text.lower()):
        word = word.strip("_")
        if word and word not in terms:
            terms.append(word)
        if len(terms) == MAX_TERMS:
            break
    return terms


def _term_pattern(terms):
    # A term matches at the start of a word ("lead" finds "leaders"), longest terms first.
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})\w*", re.IGNORECASE)


def highlight(text, terms, max_words=35, whole=False):
    """An escaped snippet of ``text`` around the first matching word, matches in <mark>.

    With ``whole=True`` the whole text is kept (used for short fields: titles, quotes)."""
    text = _SPACE.sub(" ", text or "").strip()
    if not text:
        return mark_safe("")
    if not terms:
        return mark_safe(escape(text if whole else _clip_words(text, 0, max_words)))
    pattern = _term_pattern(terms)
    if not whole:
        first = pattern.search(text)
        start_word = 0
        if first:
            start_word = max(len(text[: first.start()].split()) - max_words // 3, 0)
        text = _clip_words(text, start_word, max_words)
    pieces = []
    position = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))


def _clip_words(text, start_word, max_words):
    words = text.split(" ")
    clipped = " ".join(words[start_word : start_word + max_words])
    if start_word > 0:
        clipped = "… " + clipped
    if start_word + max_words < len(words):
        clipped += " …"
    return clipped


def marks_from_sentinels(headline):
    """Escape a ts_headline result, then turn its start/stop markers into balanced <mark> tags.

    A marker that would unbalance the tags (a stop with nothing open, a second start) is dropped,
    and an unclosed mark is closed at the end, so the output always nests properly."""
    pieces = []
    open_ = False
    for token in re.split(f"({START_SENTINEL}|{STOP_SENTINEL})", headline or ""):
        if token == START_SENTINEL:
            if not open_:
                pieces.append("<mark>")
                open_ = True
        elif token == STOP_SENTINEL:
            if open_:
                pieces.append("</mark>")
                open_ = False
        else:
            pieces.append(escape(token))
    if open_:
        pieces.append("</mark>")
    return mark_safe("".join(pieces).strip())
