from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from comments.services import Flood, check_flood, client_ip
from socialleaders.cachetags import tag_page
from socialleaders.csrf import same_origin_post

from . import links, services
from .emails import email_for
from .forms import CONSENT_TEXT, PreferencesForm, SubscribeForm
from .models import Mailing, Subscriber
from .selectors import ARCHIVE_TAG


@same_origin_post
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    if request.method != "POST":
        form = SubscribeForm(initial={"next": "/subscribe/"})
        return render(
            request, "newsletter/subscribe.html", {"form": form, "consent_text": CONSENT_TEXT}
        )
    form = SubscribeForm(request.POST)
    refusal = ""
    if form.is_valid():
        email = form.cleaned_data["email"]
        try:
            check_flood(client_ip(request), email, scope="subscribe")
        except Flood as flood:
            refusal = str(flood)
        else:
            services.subscribe(
                email=email,
                wants=form.wants(),
                path=form.cleaned_data["next"],
                consent_text=CONSENT_TEXT,
            )
            return redirect("newsletter:check_inbox")
    form.refresh_timestamp()
    context = {"form": form, "refusal": refusal, "consent_text": CONSENT_TEXT}
    return render(request, "newsletter/subscribe.html", context, status=429 if refusal else 400)


def check_inbox(request):
    return render(request, "newsletter/check_inbox.html")


def _bad_link(request, reason):
    response = render(request, "newsletter/bad_link.html", {"reason": reason}, status=400)
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def confirm(request, token):
    try:
        subscriber = services.confirm(token)
    except links.BadLink as bad:
        return _bad_link(request, str(bad))
    return render(
        request,
        "newsletter/confirmed.html",
        {"subscriber": subscriber, "manage_url": links.manage_url(subscriber)},
    )


@never_cache
@same_origin_post
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, key):
    subscriber = Subscriber.objects.filter(key=key).first()
    if subscriber is None:
        return _bad_link(request, "This link is not valid: it may have been cut or altered.")
    saved = False
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.update_preferences(subscriber, form.wants())
            saved = True
    else:
        form = PreferencesForm(
            initial={
                "interviews": subscriber.wants_interviews,
                "blog": subscriber.wants_blog,
                "digest": subscriber.wants_digest,
            }
        )
    context = {
        "subscriber": subscriber,
        "form": form,
        "saved": saved,
        "unsubscribe_url": links.unsubscribe_url(subscriber),
    }
    return render(request, "newsletter/manage.html", context, status=400 if form.errors else 200)


@never_cache
@same_origin_post
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, key):
    """GET asks (link scanners must not unsubscribe anyone); POST unsubscribes, including the
    mail client's one-click POST of RFC 8058 (body ``List-Unsubscribe=One-Click``)."""
    subscriber = Subscriber.objects.filter(key=key).first()
    if subscriber is None:
        return _bad_link(request, "This link is not valid: it may have been cut or altered.")
    if request.method == "POST":
        services.unsubscribe(subscriber)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.\n", content_type="text/plain")
        return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
    return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})


def web_version(request, pk):
    """The email of a piece, an issue or a digest as it was sent, on the site: only once its
    send has started, and a piece's only while it is live."""
    mailing = get_object_or_404(
        Mailing.objects.select_related("interview__leader", "post", "issue", "digest"),
        pk=pk,
        state__in=[Mailing.State.SENDING, Mailing.State.DONE],
    )
    piece = mailing.piece
    if piece is not None and not piece.is_published():
        raise Http404("No such email.")
    tag_page(ARCHIVE_TAG)
    return HttpResponse(email_for(mailing, web=True).html)
