"""The series' standard questions: slug, label and the keywords that recognise one whatever its
wording (the wording itself comes from the data)."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CanonicalQuestion:
    slug: str
    label: str
    keywords: tuple[str, ...]  # word stems; a question matches when it holds any of them


CANONICAL_QUESTIONS = (
    CanonicalQuestion("platforms", "Platforms of choice", ("platform",)),
    CanonicalQuestion("benefits", "Benefits to their leadership", ("benefit",)),
    CanonicalQuestion("engagement", "How engaged the organisation is", ("engaged", "engagement")),
    CanonicalQuestion("downsides", "Downsides", ("downside",)),
    CanonicalQuestion("connecting", "Connecting with customers and stakeholders", ("connect",)),
    CanonicalQuestion("advice", "Advice to other leaders", ("advice", "advise")),
)

_WORD = re.compile(r"[a-z]+")


def match_question(text):
    """The canonical questions a question's wording matches (normally exactly one)."""
    words = _WORD.findall(text.lower())
    return [
        q for q in CANONICAL_QUESTIONS if any(w.startswith(k) for w in words for k in q.keywords)
    ]


def by_slug(slug):
    for q in CANONICAL_QUESTIONS:
        if q.slug == slug:
            return q
    return None
