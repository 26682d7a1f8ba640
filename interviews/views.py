"""The pages of the interview series, thin views over ``selectors``; also the page a leader
approves their interview on and the quotes' share images.

Editors see drafts and scheduled items on their real pages, marked as a preview and never
cached; every page runs a fixed number of queries (tests/test_query_budgets.py).
"""

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.generic import DetailView, ListView

from comments.selectors import thread_for
from editorial import quotecards
from editorial.forms import ApprovalResponseForm
from editorial.models import ApprovalEvent, ApprovalLink
from editorial.quotecards import card_for
from editorial.revisions import last_changed
from images.templatetags.images import rendition_url
from socialleaders import structured_data as ld
from socialleaders.cachetags import CATALOGUE, children_tag, list_tag, tag_page
from socialleaders.mail import send_later
from socialleaders.publishing import published_q
from socialleaders.templatetags.publication import minutes_to_read
from socialleaders.views import CountedPaginator, PreviewMixin, PublicPageMixin, SubjectListMixin

from . import selectors
from .models import (
    Answer,
    Interview,
    InterviewPlatform,
    Leader,
    Quote,
    Series,
    SocialAccount,
    Theme,
)

INTERVIEWS = list_tag(Interview)  # pages listing interviews: any joining or leaving one
QUOTES = list_tag(Quote)


class InterviewsOf(SubjectListMixin):
    """A page about one thing (platform, theme, leader) listing its published interviews."""

    paginate_by = 12
    context_object_name = "interviews"
    cache_tags = (INTERVIEWS,)


class InterviewListView(PublicPageMixin, ListView):
    cache_tags = (INTERVIEWS,)
    trail = (("Interviews", "interviews:list"),)
    feed_kind = "interviews"
    template_name = "interviews/interview_list.html"
    context_object_name = "interviews"
    paginate_by = 12

    def get_queryset(self):
        return selectors.interview_cards()


class InterviewDetailView(PreviewMixin, DetailView):
    template_name = "interviews/interview_detail.html"
    context_object_name = "interview"

    def get_base_queryset(self):
        return selectors.interview_pages()

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
        if interview.series_id:
            tag_page(children_tag(interview.series))  # its neighbours in the series
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
        # The share card's pull quote: the first featured quote, else the first one.
        quotes = [q for answer in answers for q in answer.quotes.all()] + interview.loose_quotes
        pull = next((q for q in quotes if q.featured), None) or next(iter(quotes), None)
        leader = interview.leader
        context["share_image"] = rendition_url(interview.image) or quotecards.card_url(
            quotecards.share_fields(
                pull.text if pull else interview.standfirst or interview.title,
                leader.display_name,
                leader.role_line,
            )
        )
        url = interview.get_absolute_url()
        context["structured_data"] = [
            {
                **ld.article(
                    "Article",
                    headline=interview.title,
                    url=url,
                    author=ld.publisher(),  # the publication asks, the leader answers
                    published=interview.publish_at,
                    modified=last_changed(interview),
                    image=context["share_image"],
                    description=interview.standfirst,
                ),
                "about": leader_person(leader),
            },
            ld.breadcrumbs(("Interviews", reverse("interviews:list")), (interview.title, url)),
        ]
        context.update(thread_for(interview))
        return context


def leader_person(leader, photo=""):
    """A leader as a schema.org Person: name, role, organisation, page, photo, profiles."""
    person = {
        "@type": "Person",
        "name": leader.display_name,
        "url": ld.absolute(leader.get_absolute_url()),
    }
    if leader.role:
        person["jobTitle"] = leader.role
    if leader.organisation:
        person["worksFor"] = {"@type": "Organization", "name": leader.organisation}
    if photo:
        person["image"] = ld.absolute(photo)
    return person


class PlatformListView(PublicPageMixin, ListView):
    cache_tags = (INTERVIEWS, CATALOGUE)
    trail = (("Platforms", "interviews:platforms"),)
    template_name = "interviews/platform_list.html"
    context_object_name = "platforms"

    def get_queryset(self):
        return sorted(selectors.catalogue("platforms"), key=lambda p: (-p.leader_count, p.name))


class PlatformDetailView(InterviewsOf, ListView):
    cache_tags = (INTERVIEWS, CATALOGUE)
    feed_kind = "platform"
    trail = PlatformListView.trail
    template_name = "interviews/platform_detail.html"
    subject_name = "platform"

    def get_subject(self):
        if not selectors.catalogue_cached():  # count this platform's leaders only
            return get_object_or_404(selectors.platforms_with_counts(), slug=self.kwargs["slug"])
        for platform in selectors.catalogue("platforms"):
            if platform.slug == self.kwargs["slug"]:
                return platform
        raise Http404("No such platform")

    def get_queryset(self):
        uses = InterviewPlatform.objects.filter(interview=OuterRef("pk"), platform=self.subject)
        return (
            selectors.interview_cards()
            .filter(Exists(uses))
            .annotate(is_favourite=Exists(uses.filter(is_favourite=True)))
        )


class ThemeListView(PublicPageMixin, ListView):
    cache_tags = (INTERVIEWS, CATALOGUE)
    trail = (("Themes", "interviews:themes"),)
    template_name = "interviews/theme_list.html"
    context_object_name = "themes"

    def get_queryset(self):
        return selectors.catalogue("themes")


class ThemeDetailView(InterviewsOf, ListView):
    feed_kind = "theme"
    trail = ThemeListView.trail
    template_name = "interviews/theme_detail.html"
    subject_name = "theme"
    subject_model = Theme

    def get_queryset(self):
        return selectors.interview_cards().filter(themes=self.subject)


class QuoteListView(PublicPageMixin, ListView):
    cache_tags = (INTERVIEWS, QUOTES)
    template_name = "interviews/quote_list.html"
    context_object_name = "quotes"
    paginate_by = 60

    trail = (("Quotes", "interviews:quotes"),)

    def get_queryset(self):
        return selectors.quote_wall()

    def list_entry(self, quote):
        return f"{quote.leader.display_name}: {quote.text}"[:110], reverse(
            "interviews:quote", args=[quote.pk]
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        return CountedPaginator(queryset, per_page, count=selectors.live_quote_count, **kwargs)


class QuoteDetailView(PublicPageMixin, DetailView):
    """One quote's page, to share: its card, the quote, the answer it comes from, share links."""

    cache_tags = (INTERVIEWS,)  # whether its leader's page may be linked
    template_name = "interviews/quote_detail.html"
    context_object_name = "quote"

    def get_queryset(self):
        return selectors.public_quotes()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quote = self.object
        context["share_image"] = quotecards.card_url(quotecards.card_fields(quote))
        context["structured_data"] = [
            ld.breadcrumbs(
                ("Quotes", reverse("interviews:quotes")),
                (quote.leader.display_name, reverse("interviews:quote", args=[quote.pk])),
            )
        ]
        return context


class LeaderListView(PublicPageMixin, ListView):
    cache_tags = (INTERVIEWS,)
    trail = (("Leaders", "interviews:leaders"),)
    template_name = "interviews/leader_list.html"
    context_object_name = "leaders"
    paginate_by = 48

    def get_queryset(self):
        return selectors.public_leaders().order_by("name", "pk")


class LeaderDetailView(InterviewsOf, ListView):
    cache_tags = (INTERVIEWS, QUOTES, list_tag(Answer))
    template_name = "interviews/leader_detail.html"
    subject_name = "leader"

    def get_subject(self):
        leaders = (
            Leader.objects.select_related("photo")
            .prefetch_related(
                Prefetch("accounts", queryset=SocialAccount.objects.select_related("platform"))
            )
            .annotate(is_public=Exists(Interview.objects.published().filter(leader=OuterRef("pk"))))
        )
        leader = get_object_or_404(leaders, slug=self.kwargs["slug"])
        if not leader.is_public and not self.is_editor:
            raise Http404("No published interview with this leader")
        return leader

    def get_queryset(self):
        return selectors.interview_cards().filter(leader=self.subject)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preview"] = not self.subject.is_public
        context["quotes"] = quotes = list(
            selectors.public_quotes().filter(leader=self.subject).order_by("order", "pk")[:12]
        )
        leader = self.subject
        photo = rendition_url(leader.photo)
        context["share_image"] = photo or quotecards.card_url(
            quotecards.share_fields(
                quotes[0].text if quotes else leader.bio or leader.display_name,
                leader.display_name,
                leader.role_line,
            )
        )
        person = leader_person(leader, photo)
        person["sameAs"] = [
            link for link in [leader.website, *(a.link for a in leader.accounts.all())] if link
        ]
        if leader.bio:
            person["description"] = leader.bio[:300]
        context["structured_data"] = [
            {"@context": ld.CONTEXT, "@type": "ProfilePage", "mainEntity": person},
            ld.breadcrumbs(
                ("Leaders", reverse("interviews:leaders")),
                (leader.display_name, leader.get_absolute_url()),
            ),
        ]
        context["answers"] = selectors.leader_answers(self.subject)
        return context


class SeriesDetailView(PublicPageMixin, DetailView):
    cache_tags = (INTERVIEWS,)
    template_name = "interviews/series_detail.html"
    context_object_name = "series"
    trail = InterviewListView.trail

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
        tag_page(children_tag(self.object))  # its interviews
        context["preview"] = not self.object.live_interviews
        return context

    def get_trail(self):
        return [*super().get_trail(), (self.object.title, self.object.get_absolute_url())]

    def list_items(self, context):
        return self.object.live_interviews


class QuestionListView(PublicPageMixin, ListView):
    cache_tags = (INTERVIEWS, CATALOGUE)
    trail = (("Questions", "interviews:questions"),)
    template_name = "interviews/question_list.html"
    context_object_name = "questions"

    def get_queryset(self):
        return selectors.catalogue("questions")


class QuestionDetailView(PublicPageMixin, ListView):
    """Every leader's answer to one question, side by side."""

    cache_tags = (INTERVIEWS, CATALOGUE, list_tag(Answer))

    template_name = "interviews/question_detail.html"
    context_object_name = "answers"
    paginate_by = 30

    def get(self, request, *args, **kwargs):
        # The answered questions, for this page and its neighbours: the cached catalogue, or an
        # EXISTS per question (their counts are not shown here).
        self.questions = (
            selectors.catalogue("questions")
            if selectors.catalogue_cached()
            else selectors.answered_questions()
        )
        self.question = next((q for q in self.questions if q.slug == self.kwargs["slug"]), None)
        if self.question is None:
            raise Http404("No question with answers here")
        return super().get(request, *args, **kwargs)

    ordering = ("interview__leader__name", "interview__publish_at", "pk")
    # A CollectionPage of the answers, no QAPage or FAQPage: docs/frontend.md, "Structured data".
    trail = QuestionListView.trail

    def get_trail(self):
        return [*super().get_trail(), (self.question.text, self.question.get_absolute_url())]

    def list_entry(self, answer):
        return f"{answer.interview.leader.display_name}’s answer", answer.get_absolute_url()

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
        tag_page(children_tag(self.question))  # its answers
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


# The leader's approval page and the quote cards ---------------------------------------------


def _private(response):
    """Never stored anywhere: not by the page cache, a CDN or the browser."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The secret is in the URL: other sites get no Referer, ours only the origin ("no-referrer"
    # makes browsers send "Origin: null", which the CSRF check refuses: docs/editorial.md).
    response["Referrer-Policy"] = "strict-origin"
    return response


class ApprovalView(InterviewDetailView):
    """The interview on its real page design, for its leader to approve: no account needed, the
    signed secret in the URL is the key. Every opening is recorded."""

    template_name = "interviews/approval.html"
    http_method_names = ["get", "post", "head"]

    def dispatch(self, request, *args, **kwargs):
        self.link = ApprovalLink.objects.from_signed(kwargs["token"])
        if self.link is None:
            return self.refuse("invalid", 404)
        if self.link.revoked_at and not self.link.approved_at:
            return self.refuse("revoked", 410)
        if self.link.is_expired() and not self.link.approved_at:
            return self.refuse("expired", 410)
        return super().dispatch(request, *args, **kwargs)

    def refuse(self, reason, status):
        response = TemplateResponse(
            self.request,
            "interviews/approval_refused.html",
            {"reason": reason, "link": self.link if reason != "invalid" else None},
            status=status,
        )
        return _private(response)

    def get_queryset(self):
        return self.get_base_queryset().filter(pk=self.link.interview_id)

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        obj = queryset.first()
        if obj is None:
            raise Http404("The interview no longer exists")
        return obj

    def get(self, request, *args, **kwargs):
        if request.method == "GET":
            self._record(ApprovalEvent.Kind.OPENED)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = ApprovalResponseForm(request.POST)
        if self.link.approved_at:
            return self.render_to_response(self.get_context_data(form=form))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        with transaction.atomic():
            link = ApprovalLink.objects.select_for_update().get(pk=self.link.pk)
            if link.approved_at:  # approved meanwhile, in another tab
                self.link = link
                return self.render_to_response(self.get_context_data(form=form))
            if data["decision"] == form.APPROVE:
                link.approved_at = timezone.now()
                link.approved_by_name = data["name"]
                link.save(update_fields=["approved_at", "approved_by_name"])
                kind = ApprovalEvent.Kind.APPROVED
            else:
                kind = ApprovalEvent.Kind.COMMENTED
            self._record(kind, name=data["name"], message=data["message"])
        self._tell_editor(link, kind, data)
        return redirect(reverse("interviews:approval", args=[kwargs["token"]]) + f"?sent={kind}")

    def _record(self, kind, **fields):
        return ApprovalEvent.objects.create(
            link=self.link,
            kind=kind,
            user_agent=self.request.META.get("HTTP_USER_AGENT", "")[:200],
            **fields,
        )

    def _tell_editor(self, link, kind, data):
        editor = link.created_by
        if editor is None or not editor.email:
            return
        what = "approved" if kind == ApprovalEvent.Kind.APPROVED else "sent comments on"
        admin_url = settings.SITE_URL + reverse(
            "admin:interviews_interview_change", args=[link.interview_id]
        )
        body = f"{data['name']} {what} “{link.interview}”.\n\n"
        if data["message"]:
            body += f"{data['message']}\n\n"
        body += f"The interview in the admin: {admin_url}\n"
        # The leader's answer is recorded whatever happens to this courtesy email.
        send_later(
            EmailMessage(
                f"[{settings.SITE_NAME}] {data['name']} {what} “{link.interview}”",
                body,
                to=[editor.email],
            ),
            log=__name__,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preview"] = False  # the editors' banner; this page has its own
        context["approval_link"] = self.link
        context["approval_sent"] = self.request.GET.get("sent", "")
        context.setdefault(
            "form",
            ApprovalResponseForm(initial={"name": self.object.leader.name}),
        )
        context["approval_events"] = self.link.events.filter(
            kind__in=[ApprovalEvent.Kind.APPROVED, ApprovalEvent.Kind.COMMENTED]
        )
        return context

    def render_to_response(self, context, **kwargs):
        return _private(super().render_to_response(context, **kwargs))


def quote_card(request, pk):
    """The quote's 1200×630 share image (PNG), drawn once per version of its text and leader.
    ``?download=1`` asks the browser to save it."""
    quote = get_object_or_404(Quote.objects.published().select_related("leader"), pk=pk)
    path, digest = card_for(quote)
    etag = f'"{digest}"'
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        return HttpResponseNotModified(headers={"ETag": etag})
    with default_storage.open(path, "rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/png")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=3600)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="quote-{quote.pk}.png"'
    return response
