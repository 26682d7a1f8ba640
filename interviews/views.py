"""The public pages of the interview series.

Readers only ever see published content: every query starts from ``.published()`` or tests
``published_q()`` on the joined interview. A logged-in staff user sees drafts and scheduled items
on their real pages, marked as a preview and never cached. Every page runs a fixed number of SQL
queries whatever the amount of content (pinned in tests/test_query_budgets.py): related rows come
through select_related/prefetch_related, counts through annotations or one aggregate query per
kind (the catalogue counts, by subtraction where they can be: see ``live_counts``).
"""

import logging

from django.conf import settings
from django.core.paginator import Paginator
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
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView, TemplateView

from blog.models import Comment, Post, approved_comment_count
from socialleaders import cache as content_cache
from socialleaders.feeds import feed_links
from socialleaders.publishing import published_q, unpublished_q

from .models import (
    Answer,
    Interview,
    InterviewPlatform,
    Leader,
    Platform,
    Question,
    Quote,
    Series,
    SocialAccount,
    Theme,
    ThemedInterview,
)
from .templatetags.publication import minutes_to_read

logger = logging.getLogger(__name__)


class PublicPageMixin:
    """What every public page shares: editors get private, uncached responses, and a section page
    names its own feed (``feed_kind``: interviews, blog, tag, theme or platform; the tag, theme or
    platform is the view's ``subject``) for the <link rel="alternate"> tags and the footer."""

    feed_kind = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.feed_kind:
            context.update(feed_links(self.feed_kind, getattr(self, "subject", None)))
        return context

    @cached_property
    def is_editor(self):
        user = self.request.user
        return user.is_authenticated and user.is_active and user.is_staff

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self.is_editor:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class PreviewMixin(PublicPageMixin):
    """A detail page for a Publishable: readers see it once it is live, editors at any time.

    Like djangoproject.com's BlogViewMixin: the queryset is widened for staff, and the page says
    "Preview" when what it shows is not (yet, or any more) public.
    """

    def get_base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        queryset = self.get_base_queryset()
        return queryset if self.is_editor else queryset.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preview"] = not self.object.is_published()
        return context


def live_interviews():
    """Primary keys of the interviews readers can see, as a subquery."""
    return Interview.objects.published().values("pk")


def interview_cards():
    """Published interviews with what a card shows, newest first.

    The long texts a card does not show (the Markdown sources, the closing, the leader's bio) are
    left in the database: read for twelve cards they cost more than the rest of the row."""
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
    """Every platform (by name) with ``leader_count`` and ``favourite_count``, as a list.

    Two queries: the counts by platform, then the platforms. The counts are taken in two steps,
    both hash aggregates: the live (platform, leader) pairs with "is it their favourite" first,
    then the pairs per platform. About a third faster at 10,000 interviews than
    ``COUNT(DISTINCT leader)``, which sorts every platform use of every live interview."""
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
    """``subjects`` (a queryset, in the order wanted) as a list, each with ``count_name`` set to
    how many of ``links`` (rows pointing at the subject through ``group`` and at an interview
    through ``interview``) belong to interviews readers can see; subjects with none left out.

    Every link belongs to one interview, so the live links of a subject are all its links less
    those of interviews readers cannot see. Counting all of them is an index-only count per
    subject, and the interviews that are not live are few: two small queries instead of joining
    every link to its interview (about 5 ms instead of 13-20 at 10,000 interviews)."""
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
    """All platforms, themes or questions with their counts (``name``), as a list, computed at
    most once per content generation when the page cache is on.

    The counts aggregate the whole catalogue (tens of ms at 10,000 interviews) and change only
    when content does, which bumps the generation (``socialleaders.cache``; a schedule coming
    due too). So they are kept in the shared cache together with the generation they were
    computed under and count only while it is the current one: a change is seen at once, like
    the pages themselves. With the page cache off the generation may not be shared between
    processes (local memory cache), so the counts are computed on every request."""
    compute = {
        "platforms": all_platforms_with_counts,
        "themes": themes_with_counts,
        "questions": questions_with_counts,
    }[name]
    if not catalogue_cached():
        return compute()
    try:
        generation = content_cache.generation_for_request()
        cache = content_cache.page_cache()
        key = CATALOGUE_KEY.format(name=name)
        stored = cache.get(key)
    except Exception:  # the cache is down: the page must still work
        logger.exception("could not read the catalogue counts from the cache")
        return compute()
    if stored is not None and stored[0] == generation:
        return stored[1]
    value = compute()
    try:
        cache.set(key, (generation, value), timeout=settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.exception("could not cache the catalogue counts")
    return value


def answered_questions():
    """The questions with at least one live answer, in order (no counts: see questions_with_counts),
    as a list."""
    answered = Answer.objects.filter(published_q("interview"), question=OuterRef("pk"))
    return list(Question.objects.filter(Exists(answered)).order_by("order", "pk"))


def public_leaders():
    """Leaders with at least one published interview: the only ones readers can see."""
    return Leader.objects.filter(
        Exists(Interview.objects.published().filter(leader=OuterRef("pk")))
    )


def public_quotes():
    """Published quotes with ``leader_is_public`` (whether the leader's page may be linked).

    ``leader_is_public`` is a scalar subquery (true, or null when the leader has no published
    interview) rather than ``EXISTS``: PostgreSQL turns that ``EXISTS`` into a hash of every
    published interview (1.7 ms at 10,000 interviews), where this looks up each shown quote's
    leader by index (0.3 ms for the wall's 60)."""
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
    """How many quotes readers can see, in one query: all of them less those of interviews they
    cannot see (quotes tied to no interview are always shown). Two index-only counts, instead of
    joining every quote to its interview: 1.3 ms instead of 2.5 at 5,000 quotes."""
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


class CountedPaginator(Paginator):
    """A paginator given a function for its count, for pages whose total is cheaper to have
    another way than ``COUNT(*)`` over the page's own query."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @cached_property
    def count(self):
        return self._count()


class HomeView(PublicPageMixin, TemplateView):
    template_name = "interviews/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quotes = public_quotes()
        context.update(
            interviews=list(interview_cards()[:6]),
            posts=list(
                Post.objects.published().select_related("author").order_by("-publish_at", "-pk")[:3]
            ),
            featured_quote=quotes.order_by("-featured", "order", "pk").first(),  # the wall's first
            platforms=[p for p in catalogue("platforms") if p.leader_count],
            themes=sorted(catalogue("themes"), key=lambda t: (-t.interview_count, t.name))[:12],
            questions=catalogue("questions"),
        )
        return context


class InterviewListView(PublicPageMixin, ListView):
    feed_kind = "interviews"
    template_name = "interviews/interview_list.html"
    context_object_name = "interviews"
    paginate_by = 12

    def get_queryset(self):
        return interview_cards()


class InterviewDetailView(PreviewMixin, DetailView):
    template_name = "interviews/interview_detail.html"
    context_object_name = "interview"

    def get_base_queryset(self):
        return Interview.objects.select_related("leader", "series").prefetch_related(
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
            Prefetch(
                "platform_uses", queryset=InterviewPlatform.objects.select_related("platform")
            ),
            Prefetch("leader__accounts", queryset=SocialAccount.objects.select_related("platform")),
            Interview.themes_prefetch(),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        interview = self.object
        answers = list(interview.answers.all())
        context["answers"] = answers
        context["reading_minutes"] = minutes_to_read(
            interview.introduction_html,
            interview.closing_html,
            *(answer.body_html for answer in answers),
        )
        context["previous_in_series"] = context["next_in_series"] = None
        if interview.series_id and interview.series_order is not None:
            siblings = (
                Interview.objects.published()
                .filter(series_id=interview.series_id)
                .exclude(pk=interview.pk)
                .select_related("leader")
            )
            context["previous_in_series"] = (
                siblings.filter(series_order__lt=interview.series_order)
                .order_by("-series_order")
                .first()
            )
            context["next_in_series"] = (
                siblings.filter(series_order__gt=interview.series_order)
                .order_by("series_order")
                .first()
            )
        from blog.views import comment_thread  # blog.views builds on this module's mixins

        comments = Comment.objects.approved().filter(interview=interview)
        context.update(comment_thread(comments))
        return context


class PlatformListView(PublicPageMixin, ListView):
    template_name = "interviews/platform_list.html"
    context_object_name = "platforms"

    def get_queryset(self):
        return sorted(catalogue("platforms"), key=lambda p: (-p.leader_count, p.name))


class InterviewsOfMixin(PublicPageMixin):
    """A page about one thing (platform, theme, leader...) listing its published interviews."""

    paginate_by = 12
    context_object_name = "interviews"
    subject_name = "subject"

    def get_subject(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.subject = self.get_subject()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context[self.subject_name] = self.subject
        return context


class PlatformDetailView(InterviewsOfMixin, ListView):
    feed_kind = "platform"
    template_name = "interviews/platform_detail.html"
    subject_name = "platform"

    def get_subject(self):
        if not catalogue_cached():  # count this platform's leaders only
            return get_object_or_404(platforms_with_counts(), slug=self.kwargs["slug"])
        for platform in catalogue("platforms"):
            if platform.slug == self.kwargs["slug"]:
                return platform
        raise Http404("No such platform")

    def get_queryset(self):
        uses = InterviewPlatform.objects.filter(interview=OuterRef("pk"), platform=self.subject)
        return (
            interview_cards()
            .filter(Exists(uses))
            .annotate(is_favourite=Exists(uses.filter(is_favourite=True)))
        )


class ThemeListView(PublicPageMixin, ListView):
    template_name = "interviews/theme_list.html"
    context_object_name = "themes"

    def get_queryset(self):
        return catalogue("themes")


class ThemeDetailView(InterviewsOfMixin, ListView):
    feed_kind = "theme"
    template_name = "interviews/theme_detail.html"
    subject_name = "theme"

    def get_subject(self):
        return get_object_or_404(Theme, slug=self.kwargs["slug"])

    def get_queryset(self):
        return interview_cards().filter(themes=self.subject)


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


class QuoteListView(PublicPageMixin, ListView):
    template_name = "interviews/quote_list.html"
    context_object_name = "quotes"
    paginate_by = 60

    def get_queryset(self):
        # Only what a quote on the wall shows and links to: the interviews' and answers' long
        # texts would otherwise be read, sent and parsed for each of the 60 quotes.
        return public_quotes().only(*QUOTE_WALL_FIELDS).order_by("-featured", "order", "pk")

    def get_paginator(self, queryset, per_page, **kwargs):
        return CountedPaginator(queryset, per_page, count=live_quote_count, **kwargs)


class LeaderListView(PublicPageMixin, ListView):
    template_name = "interviews/leader_list.html"
    context_object_name = "leaders"
    paginate_by = 48

    def get_queryset(self):
        return public_leaders().order_by("name", "pk")


class LeaderDetailView(InterviewsOfMixin, ListView):
    template_name = "interviews/leader_detail.html"
    subject_name = "leader"

    def get_subject(self):
        leaders = Leader.objects.prefetch_related(
            Prefetch("accounts", queryset=SocialAccount.objects.select_related("platform"))
        ).annotate(is_public=Exists(Interview.objects.published().filter(leader=OuterRef("pk"))))
        leader = get_object_or_404(leaders, slug=self.kwargs["slug"])
        if not leader.is_public and not self.is_editor:
            raise Http404("No published interview with this leader")
        return leader

    def get_queryset(self):
        return interview_cards().filter(leader=self.subject)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preview"] = not self.subject.is_public
        context["quotes"] = public_quotes().filter(leader=self.subject).order_by("order", "pk")[:12]
        return context


class SeriesDetailView(PublicPageMixin, DetailView):
    template_name = "interviews/series_detail.html"
    context_object_name = "series"

    def get_queryset(self):
        return Series.objects.prefetch_related(
            Prefetch(
                "interviews",
                queryset=Interview.objects.published()
                .select_related("leader")
                .prefetch_related(Interview.themes_prefetch())
                .order_by("series_order", "publish_at", "pk"),
                to_attr="live_interviews",
            )
        )

    def get_object(self, queryset=None):
        series = super().get_object(queryset)
        if not series.live_interviews and not self.is_editor:
            raise Http404("No published interview in this series")
        return series

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preview"] = not self.object.live_interviews
        return context


class QuestionListView(PublicPageMixin, ListView):
    template_name = "interviews/question_list.html"
    context_object_name = "questions"

    def get_queryset(self):
        return catalogue("questions")


class QuestionDetailView(PublicPageMixin, ListView):
    """Every leader's answer to one question, side by side."""

    template_name = "interviews/question_detail.html"
    context_object_name = "answers"
    paginate_by = 30

    def get(self, request, *args, **kwargs):
        # The answered questions, for the page's own and its neighbours. Their counts are not
        # shown here (only this question's, which the paginator counts anyway), so unless they
        # are cached, a cheap EXISTS per question replaces counting every answer.
        self.questions = catalogue("questions") if catalogue_cached() else answered_questions()
        self.question = next((q for q in self.questions if q.slug == self.kwargs["slug"]), None)
        if self.question is None:
            raise Http404("No question with answers here")
        return super().get(request, *args, **kwargs)

    ordering = ("interview__leader__name", "interview__publish_at", "pk")

    def get_queryset(self):
        """The answers' keys in reading order: sorting thousands of answers is cheap on narrow
        rows; whole answers (long texts) are loaded for the page only, see paginate_queryset."""
        return (
            Answer.objects.filter(published_q("interview"), question=self.question)
            .order_by(*self.ordering)
            .values_list("pk", flat=True)
        )

    def paginate_queryset(self, queryset, page_size):
        paginator, page, keys, is_paginated = super().paginate_queryset(queryset, page_size)
        # One query: the page's keys (sorted and sliced in a subquery), then their rows.
        answers = (
            Answer.objects.filter(pk__in=keys)
            .select_related("interview__leader", "question")
            .prefetch_related(Prefetch("quotes", queryset=Quote.objects.order_by("order", "pk")))
            .order_by(*self.ordering)
        )
        page.object_list = answers
        return paginator, page, answers, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        questions = self.questions
        self.question.answer_count = context["paginator"].count
        context["question"] = self.question
        context["questions"] = questions
        position = next(i for i, q in enumerate(questions) if q.pk == self.question.pk)
        context["previous_question"] = questions[position - 1] if position > 0 else None
        context["next_question"] = (
            questions[position + 1] if position + 1 < len(questions) else None
        )
        return context
