"""Site search across interviews, answers, quotes, leaders and blog posts (published only).

Search runs in two steps so that the number of SQL queries does not depend on the data:

1. *Rank*: the primary keys and a rank of the best ``MAX_PER_KIND`` matches of each kind. The
   lists are merged in Python by rank and paginated.
2. *Show*: one query loads the rows of the requested page with what each result needs (a
   ``UNION ALL`` of one part per kind present; on PostgreSQL with the ``ts_headline`` snippets,
   which are costly and so computed for the ten rows shown only).

On PostgreSQL the ranking uses full-text search: a weighted ``tsvector`` per kind, stored in a
generated, GIN-indexed column of each table (see ``search.vectors`` and ``search/migrations``),
``websearch_to_tsquery`` (the reader can use "quoted phrases", ``or`` and ``-word``),
``ts_rank`` and ``ts_headline``. Both steps are one SQL query each, written out in
``search.pgsql``: a search costs two queries, whatever the size of the tables, the kinds searched
and the mix of kinds the page shows.

On any other database a simpler fallback applies: every word of the query must appear
(case-insensitive ``icontains``) in one of the kind's fields, and the rank is a weighted count of
the fields each word appears in, title-like fields counting most. It ranks with one query per
kind (six queries for a page, two when one kind is searched).
"""

import html
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection, connections, router
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from blog.models import Post
from interviews.models import Answer, Interview, Leader, Quote
from socialleaders.publishing import Status

from . import pgsql
from .query import highlight, marks_from_sentinels, query_terms

MAX_PER_KIND = 200
# On PostgreSQL, how many of the most recent matches of each kind are ranked (search.pgsql).
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


def _read_connection():
    """The connection the ORM would read the searched tables from (a replica, when routed)."""
    return connections[router.db_for_read(Interview)]


# --- What is public -------------------------------------------------------------------------


def public_querysets(now=None):
    """The rows of each kind a reader may find (``search.pgsql`` writes the same out in SQL)."""
    now = now or timezone.now()
    live = Interview.objects.published(now)
    return {
        "interviews": live,
        "answers": Answer.objects.filter(interview__in=live.values("pk")),
        "quotes": Quote.objects.published(now),
        "leaders": Leader.objects.filter(Exists(live.filter(leader=OuterRef("pk")).values("pk"))),
        "posts": Post.objects.published(now),
    }


def _pg_params(text, now, **extra):
    return {
        "text": text,
        "now": now or timezone.now(),
        "published": Status.PUBLISHED.value,
        **extra,
    }


# --- Step 1: rank ---------------------------------------------------------------------------


def rank(text, kind=None, now=None):
    """Rank every kind (or just ``kind``) for the cleaned query ``text``."""
    kinds = [kind] if kind in KINDS else list(KINDS)
    if use_postgres():
        rows = _pg_rank(kinds, text, now)
    else:
        querysets = public_querysets(now)
        rows = [
            (name, pk, score)
            for name in kinds
            for pk, score in _fallback_rank(name, querysets[name], text)
        ]
    outcome = SearchOutcome(counts=dict.fromkeys(kinds, 0))
    for name, pk, score in rows:
        outcome.counts[name] += 1
        outcome.hits.append(Hit(name, pk, float(score)))
    outcome.capped = {name for name, count in outcome.counts.items() if count >= MAX_PER_KIND}
    order = {name: i for i, name in enumerate(KINDS)}
    outcome.hits.sort(key=lambda hit: (-hit.rank, order[hit.kind], -hit.pk))
    return outcome


def _pg_rank(kinds, text, now=None):
    """(kind, pk, rank) of the best ``MAX_PER_KIND`` of each kind, in one query.

    Matching (``search_vector @@ query``) is answered by the stored vectors (and their GIN
    index), and ranking reads the stored vectors (no text is parsed). Only the
    ``RANK_CANDIDATES`` most recent matches of each kind are ranked, so the cost of a search
    stays bounded whatever the size of the tables (``search.pgsql``)."""
    params = _pg_params(text, now, candidates=RANK_CANDIDATES, per_kind=MAX_PER_KIND)
    with _read_connection().cursor() as cursor:
        cursor.execute(pgsql.rank_sql(kinds), params)
        return cursor.fetchall()


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
    """SearchResult objects for ``hits`` (one page), in the same order.

    One query, whatever kinds the page mixes: each kind present contributes a ``SELECT`` of
    (kind, pk, one JSON object with what its result shows), and the parts are joined with
    ``UNION ALL``. On PostgreSQL the JSON holds the ``ts_headline`` snippets, computed for the
    rows shown only."""
    by_kind = {}
    for hit in hits:
        by_kind.setdefault(hit.kind, []).append(hit.pk)
    if not by_kind:
        return []
    if use_postgres():
        params = _pg_params(
            text,
            now,
            whole=pgsql.HEADLINE_WHOLE,
            fragments=pgsql.HEADLINE_FRAGMENTS,
            **by_kind,
        )
        with _read_connection().cursor() as cursor:
            cursor.execute(pgsql.show_sql(list(by_kind)), params)
            rows = cursor.fetchall()
    else:
        querysets = public_querysets(now)
        parts = [
            _shown_rows(kind, querysets[kind].filter(pk__in=pks)) for kind, pks in by_kind.items()
        ]
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    loaded = {}
    terms = query_terms(text)
    for kind, pk, data in rows:
        if isinstance(data, str):  # a database whose JSON comes back as text
            data = json.loads(data)
        loaded[(kind, pk)] = BUILD[kind](data, terms)
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


# The fallback's show query: what each kind's result needs, {key: field path}, and in
# FALLBACK_TEXT the long texts that snippets are cut from in Python. (On PostgreSQL,
# search.pgsql.SHOW_PARTS loads the same keys, with ts_headline snippets, "hl_<name>", instead.)
SHOWN_FIELDS = {
    "interviews": {
        "title": "title",
        "slug": "slug",
        "standfirst": "standfirst",
        "leader_name": "leader__name",
        "leader_honours": "leader__honours",
        "date": "publish_at",
    },
    "answers": {
        "asked_as": "asked_as",
        "question_text": "question__text",
        "question_slug": "question__slug",
        "interview_slug": "interview__slug",
        "interview_title": "interview__title",
        "leader_name": "interview__leader__name",
        "leader_honours": "interview__leader__honours",
        "date": "interview__publish_at",
    },
    "quotes": {
        "text": "text",
        "leader_name": "leader__name",
        "leader_honours": "leader__honours",
        "leader_slug": "leader__slug",
        "interview_id": "interview_id",
        "interview_slug": "interview__slug",
        "interview_title": "interview__title",
        "answer_id": "answer_id",
        "answer_interview_slug": "answer__interview__slug",
        "answer_question_slug": "answer__question__slug",
    },
    "leaders": {
        "name": "name",
        "honours": "honours",
        "slug": "slug",
        "role": "role",
        "organisation": "organisation",
    },
    "posts": {
        "title": "title",
        "slug": "slug",
        "excerpt": "excerpt",
        "author_name": "author__name",
        "date": "publish_at",
    },
}
FALLBACK_TEXT = {
    "interviews": {"introduction_html": "introduction_html"},
    "answers": {"body_html": "body_html"},
    "quotes": {},
    "leaders": {"bio": "bio"},
    "posts": {"body_html": "body_html"},
}


def _shown_rows(kind, queryset):
    """(kind, pk, {what the result shows}) for the rows of ``queryset``, as a values queryset
    that can be part of a UNION ALL (the fallback's; ``search.pgsql`` has PostgreSQL's)."""
    fields = {key: F(path) for key, path in SHOWN_FIELDS[kind].items()}
    fields.update({key: F(path) for key, path in FALLBACK_TEXT[kind].items()})
    return (
        queryset.order_by()
        .annotate(
            result_kind=Value(kind, output_field=CharField()),
            result_pk=F("pk"),
            result_data=JSONObject(**fields),
        )
        .values_list("result_kind", "result_pk", "result_data")
    )


def _date(value):
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def _snippet(data, name, fallback_text, terms, whole=False):
    """The highlighted snippet: ts_headline's on PostgreSQL, Python's elsewhere."""
    headline = data.get(f"hl_{name}")
    if headline is not None:
        headline = " ".join((html.unescape(headline) if not whole else headline).split())
        return marks_from_sentinels(headline)
    return highlight(fallback_text, terms, whole=whole)


def _display_name(name, honours):
    return f"{name or ''} {honours or ''}".strip()


def _interview_url(slug):
    return reverse("interviews:detail", kwargs={"slug": slug})


def _build_interview(data, terms):
    body = " ".join(filter(None, [data["standfirst"], _plain(data.get("introduction_html", ""))]))
    return SearchResult(
        kind="interviews",
        title=_snippet(data, "title", data["title"], terms, whole=True),
        url=_interview_url(data["slug"]),
        snippet=_snippet(data, "body", body, terms),
        rank=0.0,
        meta=_display_name(data["leader_name"], data["leader_honours"]),
        date=_date(data["date"]),
    )


def _build_answer(data, terms):
    leader = _display_name(data["leader_name"], data["leader_honours"])
    question = data["asked_as"] or data["question_text"]
    return SearchResult(
        kind="answers",
        title=highlight(f"{leader}: {question}", [], whole=True),
        url=f"{_interview_url(data['interview_slug'])}#q-{data['question_slug']}",
        snippet=_snippet(data, "body", _plain(data.get("body_html", "")), terms),
        rank=0.0,
        meta=data["interview_title"],
        date=_date(data["date"]),
    )


def _build_quote(data, terms):
    if data["answer_id"]:
        url = f"{_interview_url(data['answer_interview_slug'])}#q-{data['answer_question_slug']}"
    elif data["interview_id"]:
        url = _interview_url(data["interview_slug"])
    else:
        url = reverse("interviews:leader", kwargs={"slug": data["leader_slug"]})
    return SearchResult(
        kind="quotes",
        title=highlight(_display_name(data["leader_name"], data["leader_honours"]), [], whole=True),
        url=url,
        snippet=_snippet(data, "text", data["text"], terms, whole=True),
        rank=0.0,
        meta=data["interview_title"] if data["interview_id"] else "",
    )


def _build_leader(data, terms):
    about = ". ".join(filter(None, [data["role"], data["organisation"], data.get("bio")]))
    name = _snippet(data, "name", data["name"], terms, whole=True)
    if data["honours"]:
        name = SafeString(f"{name} {highlight(data['honours'], [], whole=True)}")
    return SearchResult(
        kind="leaders",
        title=name,
        url=reverse("interviews:leader", kwargs={"slug": data["slug"]}),
        snippet=_snippet(data, "bio", about, terms),
        rank=0.0,
        meta=", ".join(part for part in (data["role"], data["organisation"]) if part),
    )


def _build_post(data, terms):
    body = " ".join(filter(None, [data["excerpt"], _plain(data.get("body_html", ""))]))
    return SearchResult(
        kind="posts",
        title=_snippet(data, "title", data["title"], terms, whole=True),
        url=reverse("blog:post", kwargs={"slug": data["slug"]}),
        snippet=_snippet(data, "body", body, terms),
        rank=0.0,
        meta=data["author_name"],
        date=_date(data["date"]),
    )


BUILD = {
    "interviews": _build_interview,
    "answers": _build_answer,
    "quotes": _build_quote,
    "leaders": _build_leader,
    "posts": _build_post,
}
