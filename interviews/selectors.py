"""Reads of the interview series that pages share: cards, catalogue counts, quotes.

Every read starts from ``.published()`` or tests ``published_q()`` on the joined interview, and
runs a fixed number of queries (how the counts are taken: docs/benchmarks.md).
"""

import logging

from django.conf import settings
from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast

from comments.selectors import approved_comment_count
from socialleaders import cache as content_cache
from socialleaders.cachetags import CATALOGUE
from socialleaders.publishing import published_q, unpublished_q

from .models import (
    Answer,
    Interview,
    InterviewPlatform,
    Leader,
    Platform,
    Question,
    Quote,
    SocialAccount,
    Theme,
    ThemedInterview,
)

logger = logging.getLogger(__name__)


def live_interviews():
    """Primary keys of the interviews readers can see, as a subquery."""
    return Interview.objects.published().values("pk")


def interview_cards():
    """Published interviews with what a card shows, newest first; the long texts a card does
    not show are left unread."""
    return (
        Interview.objects.published()
        .select_related("leader", "series")
        .defer("introduction", "closing", "closing_html", "leader__bio")
        .prefetch_related(Interview.themes_prefetch())
        .annotate(comment_count=approved_comment_count("interview"))
        .order_by("-publish_at", "-pk")
    )


def platforms_with_counts():
    """Every platform with how many leaders use it and call it their favourite (live only)."""
    is_live = published_q("uses__interview")
    return Platform.objects.annotate(
        leader_count=Count("uses__interview__leader", filter=is_live, distinct=True),
        favourite_count=Count(
            "uses__interview__leader", filter=is_live & Q(uses__is_favourite=True), distinct=True
        ),
    )


def all_platforms_with_counts():
    """Every platform (by name) with ``leader_count`` and ``favourite_count``, as a list: the
    live (platform, leader) pairs first, then the pairs per platform (two hash aggregates)."""
    pairs = (
        InterviewPlatform.objects.filter(published_q("interview"))
        .values(pair_platform=F("platform"), pair_leader=F("interview__leader"))
        .annotate(pair_favourite=Max(Cast("is_favourite", IntegerField())))
        .order_by()
    )
    inner, params = pairs.query.sql_with_params()
    with connections[pairs.db].cursor() as cursor:
        cursor.execute(
            "SELECT pairs.pair_platform, COUNT(*), SUM(pairs.pair_favourite) "
            f"FROM ({inner}) pairs GROUP BY pairs.pair_platform",
            params,
        )
        counts = {platform: (leaders, favourites) for platform, leaders, favourites in cursor}
    platforms = list(Platform.objects.order_by("name"))
    for platform in platforms:
        platform.leader_count, platform.favourite_count = counts.get(platform.pk, (0, 0))
    return platforms


def live_counts(links, group, interview, subjects, count_name):
    """``subjects`` (a queryset, in order) as a list, each with ``count_name`` set to how many
    ``links`` (to it through ``group``, to an interview through ``interview``) belong to live
    interviews, those with none left out. All links less those of hidden interviews."""
    every = (
        links.filter(**{group: OuterRef("pk")})
        .order_by()
        .values(group)
        .annotate(n=Count("*"))
        .values("n")
    )
    hidden = dict(
        links.filter(unpublished_q(interview))
        .order_by()
        .values(group)
        .annotate(n=Count("*"))
        .values_list(group, "n")
    )
    counted = []
    for subject in subjects.annotate(every=Subquery(every)):
        count = (subject.every or 0) - hidden.get(subject.pk, 0)
        setattr(subject, count_name, count)
        if count > 0:
            counted.append(subject)
    return counted


def themes_with_counts():
    """Themes with how many live interviews carry them, by name."""
    return live_counts(
        ThemedInterview.objects,
        "tag",
        "content_object",
        Theme.objects.order_by("name"),
        "interview_count",
    )


def questions_with_counts():
    """Questions with how many live interviews answer them, in order."""
    return live_counts(
        Answer.objects,
        "question",
        "interview",
        Question.objects.order_by("order", "pk"),
        "answer_count",
    )


CATALOGUE_KEY = "sl:catalogue:{name}"


def catalogue_cached():
    return getattr(settings, "PAGE_CACHE", False)


def catalogue(name):
    """All platforms, themes or questions with their counts (``name``), as a list. With the page
    cache on, kept in the shared cache with the generation and catalogue tag version they were
    computed under, and used only while both are current; otherwise computed every time."""
    compute = {
        "platforms": all_platforms_with_counts,
        "themes": themes_with_counts,
        "questions": questions_with_counts,
    }[name]
    return content_cache.cached_under(CATALOGUE_KEY.format(name=name), CATALOGUE, compute)


def answered_questions():
    """The questions with at least one live answer, in order (no counts: see questions_with_counts),
    as a list."""
    answered = Answer.objects.filter(published_q("interview"), question=OuterRef("pk"))
    return list(Question.objects.filter(Exists(answered)).order_by("order", "pk"))


def public_leaders():
    """Leaders with at least one published interview: the only ones readers can see."""
    return Leader.objects.filter(
        Exists(Interview.objects.published().filter(leader=OuterRef("pk")))
    ).select_related("photo")


def public_quotes():
    """Published quotes with ``leader_is_public`` (whether the leader's page may be linked): a
    scalar subquery looked up by index per shown quote, not an EXISTS over every interview."""
    leader_published = (
        Interview.objects.published()
        .filter(leader=OuterRef("leader"))
        .annotate(yes=Value(True))
        .values("yes")[:1]
    )
    return (
        Quote.objects.published()
        .select_related("leader", "interview", "answer__question", "answer__interview")
        .annotate(leader_is_public=Subquery(leader_published, output_field=BooleanField()))
    )


def live_quote_count():
    """How many quotes readers can see, in one query: all of them less those of hidden
    interviews (quotes tied to no interview are always shown)."""
    hidden = (
        Quote.objects.filter(interview__isnull=False)
        .filter(unpublished_q("interview"))
        .order_by()
        .values("pk")
    )
    hidden_sql, params = hidden.query.sql_with_params()
    connection = connections[hidden.db]
    table = connection.ops.quote_name(Quote._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {table}) - (SELECT COUNT(*) FROM ({hidden_sql}) hidden)",
            params,
        )
        return cursor.fetchone()[0]


def interview_pages():
    """Interviews with everything their page shows (answers, quotes, platforms, themes)."""
    return Interview.objects.select_related(
        "leader", "leader__photo", "series", "image"
    ).prefetch_related(
        Prefetch(
            "answers",
            queryset=Answer.objects.select_related("question").prefetch_related(
                Prefetch(
                    "quotes",
                    queryset=Quote.objects.select_related("leader").order_by("order", "pk"),
                )
            ),
        ),
        Prefetch(
            "quotes",
            queryset=Quote.objects.filter(answer__isnull=True)
            .select_related("leader")
            .order_by("order", "pk"),
            to_attr="loose_quotes",
        ),
        Prefetch("platform_uses", queryset=InterviewPlatform.objects.select_related("platform")),
        Prefetch("leader__accounts", queryset=SocialAccount.objects.select_related("platform")),
        Interview.themes_prefetch(),
    )


QUOTE_WALL_FIELDS = (
    "text",
    "featured",
    "order",
    "leader__name",
    "leader__honours",
    "leader__slug",
    "interview__slug",
    "answer__question__slug",
    "answer__interview__slug",
)


WALL_ORDER = ("-featured", "order", "pk")


def quote_wall():
    """The wall's quotes in its order, with only the columns a quote on the wall shows."""
    return public_quotes().only(*QUOTE_WALL_FIELDS).order_by(*WALL_ORDER)


def featured_quote():
    """The wall's first quote, whole (the home page shows more of it than the wall)."""
    return public_quotes().order_by(*WALL_ORDER).first()


# --- For editors: the interview form ----------------------------------------------------------


def series_questions(series):
    """The questions a new interview in ``series`` is laid out with, in order: those its
    interviews answer, or every canonical question for a series with none yet. One query."""
    questions = Question.objects.order_by("order", "id")
    if series is not None:
        answered = questions.filter(answers__interview__series=series).distinct()
        found = list(answered)
        if found:
            return found
    return list(questions)


def next_series_order(series):
    """The number the next interview in ``series`` takes: one more than the highest so far."""
    if series is None:
        return None
    highest = Interview.objects.filter(series=series).aggregate(n=Max("series_order"))["n"]
    return (highest or 0) + 1


def leader_answers(leader):
    """Every published answer of ``leader``, by question (in the series' order), newest
    interview first within a question: one query."""
    return list(
        Answer.objects.filter(published_q("interview"), interview__leader=leader)
        .select_related("question", "interview")
        .order_by("question__order", "question_id", "-interview__publish_at", "pk")
    )


# What readers see in each section of the menu (socialleaders.sections): non-empty when it has
# something to show.
SECTION_CONTENTS = {
    "interviews": lambda: Interview.objects.published(),
    "leaders": public_leaders,
    "platforms": lambda: InterviewPlatform.objects.filter(published_q("interview")),
    "themes": lambda: ThemedInterview.objects.filter(published_q("content_object")),
    "questions": lambda: Answer.objects.filter(published_q("interview")),
    "quotes": lambda: Quote.objects.published(),
}
