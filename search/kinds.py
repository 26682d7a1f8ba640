"""The kinds of search result: their public rows, what a result shows, and its snippets' text."""

from django.db.models import BooleanField, F, Func, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat, NullIf
from django.utils import timezone

from blog.models import Post
from interviews.models import Answer, Interview, InterviewPlatform, Leader, Platform, Quote
from socialleaders.publishing import published_q

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
MODELS = {
    "interviews": Interview,
    "answers": Answer,
    "quotes": Quote,
    "leaders": Leader,
    "posts": Post,
}


def public_querysets(now=None):
    """The rows of each kind a reader may find, unordered. ``now`` may be an expression."""
    now = now or timezone.now()
    # Scalar subquery rather than Exists: PostgreSQL plans EXISTS as a hash of every published
    # interview, this as an index lookup per leader (docs/search.md).
    has_live_interview = Subquery(
        Interview.objects.filter(published_q(now=now), leader=OuterRef("pk"))
        .order_by()
        .values(found=Value(True))[:1],
        output_field=BooleanField(),
    )
    return {
        "interviews": Interview.objects.published(now).order_by(),
        "answers": Answer.objects.filter(published_q("interview", now)).order_by(),
        "quotes": Quote.objects.published(now).order_by(),
        "leaders": Leader.objects.filter(has_live_interview).order_by(),
        "posts": Post.objects.published(now).order_by(),
    }


def suggestion_sources(now=None):
    """(queryset, field): the short public texts whose words a misspelt query is matched
    against for "did you mean" (each field has a trigram index on PostgreSQL, migration 0004)."""
    now = now or timezone.now()
    public = public_querysets(now)
    used = InterviewPlatform.objects.filter(published_q("interview", now), platform=OuterRef("pk"))
    platforms = Platform.objects.filter(
        Subquery(used.values(found=Value(True))[:1], output_field=BooleanField())
    ).order_by()
    return [
        (platforms, "name"),
        (public["leaders"], "name"),
        (public["interviews"], "title"),
        (public["posts"], "title"),
    ]


# What each kind's result shows: {key: field path}.
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

# The long texts the fallback cuts snippets from in Python (PostgreSQL has headlines instead).
FALLBACK_TEXT = {
    "interviews": {"introduction_html": "introduction_html"},
    "answers": {"body_html": "body_html"},
    "quotes": {},
    "leaders": {"bio": "bio"},
    "posts": {"body_html": "body_html"},
}


def _html_text(name):
    """Rendered HTML with its tags replaced by spaces (entities are decoded in Python)."""
    return Func(
        Coalesce(F(name), Value(""), output_field=TextField()),
        Value("<[^>]*>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def _joined(first, html_field):
    return Concat(F(first), Value(" "), _html_text(html_field), output_field=TextField())


def headline_sources():
    """PostgreSQL: {kind: {name: (text expression, whole)}}; short fields are marked whole,
    long ones cut into fragments (result key ``hl_<name>``)."""
    return {
        "interviews": {
            "title": (F("title"), True),
            "body": (_joined("standfirst", "introduction_html"), False),
        },
        "answers": {"body": (_html_text("body_html"), False)},
        "quotes": {"text": (F("text"), True)},
        "leaders": {
            "name": (F("name"), True),
            "bio": (
                Func(
                    Value(". "),
                    *(NullIf(F(name), Value("")) for name in ("role", "organisation", "bio")),
                    function="concat_ws",
                    output_field=TextField(),
                ),
                False,
            ),
        },
        "posts": {
            "title": (F("title"), True),
            "body": (_joined("excerpt", "body_html"), False),
        },
    }
