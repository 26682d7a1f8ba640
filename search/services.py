"""Site search across interviews, answers, quotes, leaders and blog posts (published only).

Search runs in two steps so that the number of SQL queries does not depend on the data:

1. *Rank*: one query per kind of result returns the primary keys and a rank of the best
   ``MAX_PER_KIND`` matches. The lists are merged in Python by rank and paginated.
2. *Show*: one query per kind present on the requested page loads those rows with what the result
   needs (related objects, and on PostgreSQL the ``ts_headline`` snippets, which are costly and so
   computed for the ten rows shown only).

So a search costs at most ten queries (five to rank, five to show), at any size.

On PostgreSQL the ranking uses full-text search: a weighted ``tsvector`` per kind, stored in a
generated, GIN-indexed column of each table (see ``search.vectors`` and ``search/migrations``),
``websearch_to_tsquery`` (the reader can use "quoted phrases", ``or`` and ``-word``),
``ts_rank`` and ``ts_headline``. On any other database a simpler fallback applies: every word of
the query must appear (case-insensitive ``icontains``) in one of the kind's fields, and the rank
is a weighted count of the fields each word appears in, title-like fields counting most.
"""

import html
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from blog.models import Post
from interviews.models import Answer, Interview, Leader, Quote

from . import vectors
from .query import START_SENTINEL, STOP_SENTINEL, highlight, marks_from_sentinels, query_terms

MAX_PER_KIND = 200
# On PostgreSQL, how many of the most recent matches of each kind are ranked (see below).
RANK_CANDIDATES = 400
# Most recent first, for the fallback's cap.
RECENCY = {
    "interviews": ("-publish_at", "-pk"),
    "answers": ("-pk",),
    "quotes": ("-pk",),
    "leaders": ("-pk",),
    "posts": ("-publish_at", "-pk"),
}

# Shown in this order in the filter links, and used to break ties in rank.
KINDS = {
    "interviews": "Interviews",
    "answers": "Answers",
    "quotes": "Quotes",
    "leaders": "Leaders",
    "posts": "Blog posts",
}
KIND_SINGULAR = {
    "interviews": "Interview",
    "answers": "Answer",
    "quotes": "Quote",
    "leaders": "Leader",
    "posts": "Blog post",
}


@dataclass
class SearchResult:
    kind: str
    title: SafeString
    url: str
    snippet: SafeString
    rank: float
    meta: str = ""
    date: datetime | None = None

    @property
    def kind_label(self):
        return KIND_SINGULAR[self.kind]


@dataclass
class Hit:
    kind: str
    pk: int
    rank: float


@dataclass
class SearchOutcome:
    hits: list[Hit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # Kinds whose count reached MAX_PER_KIND: there may be more matches than counted.
    capped: set[str] = field(default_factory=set)


def use_postgres():
    return connection.vendor == "postgresql"


# --- What is public -------------------------------------------------------------------------


def public_querysets(now=None):
    """The rows of each kind a reader may find."""
    now = now or timezone.now()
    live = Interview.objects.published(now)
    return {
        "interviews": live,
        "answers": Answer.objects.filter(interview__in=live.values("pk")),
        "quotes": Quote.objects.published(now),
        "leaders": Leader.objects.filter(Exists(live.filter(leader=OuterRef("pk")).values("pk"))),
        "posts": Post.objects.published(now),
    }


# --- Step 1: rank ---------------------------------------------------------------------------


def rank(text, kind=None, now=None):
    """Rank every kind (or just ``kind``) for the cleaned query ``text``."""
    querysets = public_querysets(now)
    kinds = [kind] if kind in KINDS else list(KINDS)
    outcome = SearchOutcome()
    order = {name: i for i, name in enumerate(KINDS)}
    for name in kinds:
        if use_postgres():
            rows = _pg_rank(name, querysets[name], text)
        else:
            rows = _fallback_rank(name, querysets[name], text)
        outcome.counts[name] = len(rows)
        if len(rows) >= MAX_PER_KIND:
            outcome.capped.add(name)
        outcome.hits.extend(Hit(name, pk, float(score)) for pk, score in rows)
    outcome.hits.sort(key=lambda hit: (-hit.rank, order[hit.kind], -hit.pk))
    return outcome


def pg_rank_queryset(kind, queryset, text):
    """(pk, rank) of the matching rows, best first.

    Matching (``search_vector @@ query``) is answered by the GIN index on the stored vector, and
    ranking reads the stored vectors (no text is parsed). Only the ``RANK_CANDIDATES`` most
    recent matches are ranked: the inner query picks them, the outer one ranks them, so the cost
    of a search stays bounded whatever the size of the tables."""
    from django.contrib.postgres.search import SearchRank

    query = vectors.search_query(text)
    candidates = (
        queryset.annotate(search=vectors.VECTORS[kind]())
        .filter(search=query)
        # Newest first. The planner picks: for a rare word, the GIN index finds every match and
        # the newest are kept; for a common one, it walks the primary key backwards testing
        # the stored vectors, and stops after RANK_CANDIDATES matches.
        .order_by("-pk")
        .values("pk")[:RANK_CANDIDATES]
    )
    return (
        queryset.model.objects.filter(pk__in=candidates)
        .annotate(rank=SearchRank(vectors.VECTORS[kind](), query))
        .order_by("-rank", "-pk")
        .values_list("pk", "rank")
    )


def _pg_rank(kind, queryset, text):
    return list(pg_rank_queryset(kind, queryset, text)[:MAX_PER_KIND])


# Fallback: (field, weight) per kind; a word found in a field adds its weight to the rank.
FALLBACK_FIELDS = {
    "interviews": [("title", 1.0), ("standfirst", 0.4), ("introduction", 0.2)],
    "answers": [("body", 0.4)],
    "quotes": [("text", 1.0)],
    "leaders": [("name", 1.0), ("role", 0.4), ("organisation", 0.4), ("bio", 0.2)],
    "posts": [("title", 1.0), ("excerpt", 0.4), ("body", 0.2)],
}


def _fallback_rank(kind, queryset, text):
    terms = query_terms(text)
    if not terms:
        return []
    fields = FALLBACK_FIELDS[kind]
    condition = Q()
    for term in terms:
        any_field = Q()
        for name, _weight in fields:
            any_field |= Q(**{f"{name}__icontains": term})
        condition &= any_field
    # Newest first among the candidates, so the cap keeps the freshest matches.
    rows = queryset.filter(condition).order_by(*RECENCY[kind]).values("pk", *(f for f, _ in fields))
    ranked = []
    for row in rows[:MAX_PER_KIND]:
        score = 0.0
        for name, weight in fields:
            value = (row[name] or "").lower()
            score += weight * sum(1 for term in terms if term in value)
        ranked.append((row["pk"], score / len(terms)))
    ranked.sort(key=lambda item: (-item[1], -item[0]))
    return ranked


# --- Step 2: show ---------------------------------------------------------------------------


def results_for(hits, text, now=None):
    """SearchResult objects for ``hits`` (one page), in the same order."""
    querysets = public_querysets(now)
    by_kind = {}
    for hit in hits:
        by_kind.setdefault(hit.kind, []).append(hit.pk)
    loaded = {}
    for kind, pks in by_kind.items():
        builder = SHOW[kind]
        for result_pk, result in builder(querysets[kind].filter(pk__in=pks), text):
            loaded[(kind, result_pk)] = result
    results = []
    for hit in hits:
        result = loaded.get((hit.kind, hit.pk))
        if result is not None:  # unpublished between the two steps: just leave it out
            result.rank = hit.rank
            results.append(result)
    return results


def _plain(html_text):
    """Visible text of sanitised HTML, entities decoded (escaped again when shown)."""
    return html.unescape(strip_tags(html_text or "")).strip()


def _headlines(queryset, text, fields):
    """On PostgreSQL, annotate ``hl_<name>`` headlines for ``fields``: {name: (expression, whole)}.

    ``expression`` is an expression or field name; ``whole`` highlights the whole (short) text."""
    if not use_postgres():
        return queryset
    from django.contrib.postgres.search import SearchHeadline

    query = vectors.search_query(text)
    annotations = {}
    for name, (expression, whole) in fields.items():
        options = {"start_sel": START_SENTINEL, "stop_sel": STOP_SENTINEL}
        if whole:
            options["highlight_all"] = True
        else:
            options.update(
                max_words=40, min_words=20, short_word=0, max_fragments=2, fragment_delimiter=" … "
            )
        annotations[f"hl_{name}"] = SearchHeadline(
            expression, query, config=vectors.CONFIG, **options
        )
    return queryset.annotate(**annotations)


def _snippet(obj, name, fallback_text, terms, whole=False):
    """The highlighted snippet: ts_headline's on PostgreSQL, Python's elsewhere."""
    headline = getattr(obj, f"hl_{name}", None)
    if headline is not None:
        headline = " ".join((html.unescape(headline) if not whole else headline).split())
        return marks_from_sentinels(headline)
    return highlight(fallback_text, terms, whole=whole)


def _show_interviews(queryset, text):
    terms = query_terms(text)
    rows = _headlines(
        queryset.select_related("leader"),
        text,
        {
            "title": ("title", True),
            "body": (vectors.interview_snippet_source(), False),
        },
    )
    for obj in rows:
        body = " ".join(filter(None, [obj.standfirst, _plain(obj.introduction_html)]))
        yield (
            obj.pk,
            SearchResult(
                kind="interviews",
                title=_snippet(obj, "title", obj.title, terms, whole=True),
                url=obj.get_absolute_url(),
                snippet=_snippet(obj, "body", body, terms),
                rank=0.0,
                meta=obj.leader.display_name,
                date=obj.publish_at,
            ),
        )


def _show_answers(queryset, text):
    terms = query_terms(text)
    rows = _headlines(
        queryset.select_related("interview__leader", "question"),
        text,
        {"body": (vectors.html_text("body_html"), False)},
    )
    for obj in rows:
        leader = obj.interview.leader.display_name
        yield (
            obj.pk,
            SearchResult(
                kind="answers",
                title=highlight(f"{leader}: {obj.question_text}", [], whole=True),
                url=obj.get_absolute_url(),
                snippet=_snippet(obj, "body", _plain(obj.body_html), terms),
                rank=0.0,
                meta=obj.interview.title,
                date=obj.interview.publish_at,
            ),
        )


def _show_quotes(queryset, text):
    terms = query_terms(text)
    rows = _headlines(
        queryset.select_related("leader", "interview", "answer__interview", "answer__question"),
        text,
        {"text": ("text", True)},
    )
    for obj in rows:
        yield (
            obj.pk,
            SearchResult(
                kind="quotes",
                title=highlight(obj.leader.display_name, [], whole=True),
                url=obj.get_absolute_url(),
                snippet=_snippet(obj, "text", obj.text, terms, whole=True),
                rank=0.0,
                meta=obj.interview.title if obj.interview_id else "",
            ),
        )


def _show_leaders(queryset, text):
    terms = query_terms(text)
    rows = _headlines(
        queryset,
        text,
        {"name": ("name", True), "bio": (vectors.leader_snippet_source(), False)},
    )
    for obj in rows:
        about = ". ".join(filter(None, [obj.role, obj.organisation, obj.bio]))
        name = _snippet(obj, "name", obj.name, terms, whole=True)
        if obj.honours:
            name = SafeString(f"{name} {highlight(obj.honours, [], whole=True)}")
        yield (
            obj.pk,
            SearchResult(
                kind="leaders",
                title=name,
                url=obj.get_absolute_url(),
                snippet=_snippet(obj, "bio", about, terms),
                rank=0.0,
                meta=obj.role_line,
            ),
        )


def _show_posts(queryset, text):
    terms = query_terms(text)
    rows = _headlines(
        queryset.select_related("author"),
        text,
        {"title": ("title", True), "body": (vectors.post_snippet_source(), False)},
    )
    for obj in rows:
        body = " ".join(filter(None, [obj.excerpt, _plain(obj.body_html)]))
        yield (
            obj.pk,
            SearchResult(
                kind="posts",
                title=_snippet(obj, "title", obj.title, terms, whole=True),
                url=obj.get_absolute_url(),
                snippet=_snippet(obj, "body", body, terms),
                rank=0.0,
                meta=obj.author.name,
                date=obj.publish_at,
            ),
        )


SHOW = {
    "interviews": _show_interviews,
    "answers": _show_answers,
    "quotes": _show_quotes,
    "leaders": _show_leaders,
    "posts": _show_posts,
}
