"""Public editorial pages: the interviewee's approval page and quote share cards."""

import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control

from interviews.models import Quote
from interviews.views import InterviewDetailView

from . import quotecards
from .forms import ApprovalResponseForm
from .models import ApprovalEvent, ApprovalLink

logger = logging.getLogger(__name__)


def _private(response):
    """Never stored anywhere: not by the page cache, a CDN or the browser."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The secret is in the URL: other sites get no Referer, ours only the origin. Not
    # "no-referrer": with it browsers send "Origin: null" on the approval form's POST, which
    # Django's CSRF check refuses (found by tests/browser/test_editorial_journey.py).
    response["Referrer-Policy"] = "strict-origin"
    return response


class ApprovalView(InterviewDetailView):
    """The interview on its real page design, for its leader to approve: no account needed, the
    signed secret in the URL is the key. Every opening is recorded."""

    template_name = "editorial/approval.html"
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
            "editorial/approval_refused.html",
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
        return redirect(reverse("editorial:approval", args=[kwargs["token"]]) + f"?sent={kind}")

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
        try:
            send_mail(
                f"[{settings.SITE_NAME}] {data['name']} {what} “{link.interview}”",
                body,
                None,
                [editor.email],
            )
        except Exception:  # the leader's answer is recorded; mail is a courtesy
            logger.exception("could not email the editor about an approval")

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
    path, digest = quotecards.card_for(quote)
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
