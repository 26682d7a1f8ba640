"""The 404 page's suggestions: the live interviews and posts closest to the words in the address.

One query, whatever the amount of content: on PostgreSQL against the stored, GIN-indexed
``search_vector`` of interviews and posts (the address's words joined with "or", ranked), on
other databases a count of the words found in each title or slug. The words are letters and
digits only (at most ``MAX_WORDS``), so nothing a stranger puts in an address reaches SQL but as
a parameter. Results are cached by word list for ``SUGGESTIONS_SECONDS``: a flood of requests
for one missing address costs one query. Why here: docs/redirects.md.
"""

import hashlib
import logging
import re
from urllib.parse import unquote

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse

from blog.models import Post
from interviews.models import Interview

from .kinds import public_querysets
from .services import _read_connection, use_postgres
from .vectors import stored_vector

logger = logging.getLogger(__name__)

MAX_WORDS = 5
MAX_SUGGESTIONS = 5
SUGGESTIONS_SECONDS = 120
# Parts of old addresses that say nothing about the page (WordPress's and ours).
STOP_WORDS = {
    "the", "and", "for", "with", "from", "www", "http", "https", "html", "htm", "php", "asp",
    "aspx", "index", "wp", "content", "uploads", "includes", "admin", "login", "feed", "rss",
    "atom", "category", "tag", "tags", "author", "authors", "page", "amp", "blog", "post",
    "posts", "interview", "interviews", "leaders", "themes", "platforms", "questions", "series",
    "jpg", "jpeg", "png", "gif", "webp", "pdf", "attachment",
}  # fmt: skip
_WORD = re.compile(r"[^\W_]+")
_URL_NAMES = {"interview": "interviews:detail", "post": "blog:post"}


def address_words(path):
    """The distinct words of ``path`` worth searching for (lower case, three letters or more,
    not only digits, not a stop word), in order, at most ``MAX_WORDS``."""
    words = []
    for word in _WORD.findall(unquote(path[:400], errors="replace").lower()):
        if len(word) < 3 or word.isdigit() or word in STOP_WORDS:
            continue
        word = word[:40]
        if word not in words:
            words.append(word)
            if len(words) == MAX_WORDS:
                break
    return words


def closest_pages(path):
    """Up to ``MAX_SUGGESTIONS`` live pages as ``{"title", "url", "kind"}``, best first."""
    words = address_words(path)
    if not words:
        return []
    key = "sl:404-suggestions:" + hashlib.sha256(" ".join(words).encode()).hexdigest()[:40]
    try:
        found = cache.get(key)
    except Exception:
        found = None
    if found is not None:
        return found
    rows = _postgres(words) if use_postgres() else _fallback(words)
    found = [
        {"kind": kind, "title": title, "url": reverse(_URL_NAMES[kind], kwargs={"slug": slug})}
        for kind, title, slug in rows
    ]
    try:
        cache.set(key, found, timeout=SUGGESTIONS_SECONDS)
    except Exception:
        logger.warning("could not cache 404 suggestions", exc_info=True)
    return found


def _postgres(words):
    """One query: the live interviews and posts whose stored vector matches any of the words,
    by rank (the published rule and the vectors as search itself uses them)."""
    query = SearchQuery(" | ".join(words), search_type="raw", config="english")
    parts = [
        public_querysets()[kind]
        .annotate(kind=Value(kind[:-1]), rank=SearchRank(stored_vector(), query))
        .filter(rank__gt=0)
        .values_list("kind", "title", "slug", "rank", "publish_at")
        .order_by("-rank", "-publish_at")[:MAX_SUGGESTIONS]
        for kind in ("interviews", "posts")
    ]
    found = parts[0].union(parts[1], all=True).order_by("-rank", "-publish_at")
    return [row[:3] for row in found.using(_read_connection().alias)[:MAX_SUGGESTIONS]]


def _fallback(words):
    def scored(queryset, kind):
        score = sum(
            (
                Case(
                    When(Q(title__icontains=word) | Q(slug__icontains=word), then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
                for word in words
            ),
            Value(0),
        )
        return (
            queryset.published()
            .order_by()
            .annotate(kind=Value(kind), score=score)
            .filter(score__gt=0)
            .values_list("kind", "title", "slug", "score", "publish_at")
        )

    found = scored(Interview.objects, "interview").union(scored(Post.objects, "post"), all=True)
    return [row[:3] for row in found.order_by("-score", "-publish_at")[:MAX_SUGGESTIONS]]
