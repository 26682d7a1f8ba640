"""Site search: rank every kind, then show one page of results (2 queries on PostgreSQL).

PostgreSQL uses full-text search (``search.postgres``); other databases a simpler ``icontains``
fallback, one ranking query per kind. How each works: docs/search.md.
"""

import difflib
import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection, connections, router
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from . import postgres
from .kinds import (
    FALLBACK_TEXT,
    KIND_SINGULAR,
    KINDS,
    MODELS,
    SHOWN_FIELDS,
    public_querysets,
    suggestion_sources,
)
from .query import highlight, marks_from_sentinels, query_terms
from .vectors import field_weights

MAX_PER_KIND = 200
# On PostgreSQL, how many of the most recent matches of each kind are ranked.
RANK_CANDIDATES = 400
# Most recent first, for the fallback's cap.
RECENCY = {
    "interviews": ("-publish_at", "-pk"),
    "answers": ("-pk",),
    "quotes": ("-pk",),
    "leaders": ("-pk",),
    "posts": ("-publish_at", "-pk"),
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
    return connections[router.db_for_read(MODELS["interviews"])]


# --- Step 1: rank ---------------------------------------------------------------------------


def rank(text, kind=None, now=None):
    """Rank every kind (or just ``kind``) for the cleaned query ``text``."""
    kinds = [kind] if kind in KINDS else list(KINDS)
    if use_postgres():
        rows = postgres.rank_rows(
            _read_connection(),
            kinds,
            text,
            now or timezone.now(),
            candidates=RANK_CANDIDATES,
            per_kind=MAX_PER_KIND,
        )
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


def _fallback_rank(kind, queryset, text):
    """(pk, rank): every word in one of the kind's fields; rank: the weights of those fields."""
    terms = query_terms(text)
    if not terms:
        return []
    fields = field_weights(kind)
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
    """SearchResult objects for ``hits`` (one page), in the same order, in one query."""
    by_kind = {}
    for hit in hits:
        by_kind.setdefault(hit.kind, []).append(hit.pk)
    if not by_kind:
        return []
    if use_postgres():
        rows = postgres.show_rows(_read_connection(), by_kind, text, now or timezone.now())
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


def _shown_rows(kind, queryset):
    """The fallback's (kind, pk, {what the result shows}) rows, as a values queryset for a UNION."""
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


# --- Did you mean -----------------------------------------------------------------------------

SUGGEST_TERMS = 5  # at most this many words of a query are corrected


def suggestion(text, now=None):
    """A corrected query for ``text`` that found nothing ("twiter" → "Twitter"), from the
    words of public titles and names most like each of its words; None when none is closer, or
    without PostgreSQL (no trigram matching: docs/search.md)."""
    if not use_postgres():
        return None
    terms = query_terms(text)[:SUGGEST_TERMS]
    found = postgres.closest_texts(_read_connection(), terms, suggestion_sources(now))
    words, changed = [], False
    for term in terms:
        best = _closest_word(term, [text for text, _ in found.get(term, [])])
        if best and best.lower() != term:
            words.append(best)
            changed = True
        else:
            words.append(term)
    return " ".join(words) if changed else None


def _closest_word(term, texts):
    """The word of ``texts`` most like ``term`` (as written there), or None."""
    candidates = [w for t in texts for w in re.findall(r"[^\W_]+", t)]
    scored = [(difflib.SequenceMatcher(None, term, w.lower()).ratio(), w) for w in candidates]
    scored = [pair for pair in scored if pair[0] >= 0.75]
    return max(scored, key=lambda pair: pair[0])[1] if scored else None
