"""Posting, editing, deleting, following and unsubscribing: function views (flows, not pages).

Every refusal shows the form again with what the person typed and a message saying why, with a
status that says the same (400 invalid, 403 closed or CSRF, 409 duplicate, 429 too fast).
"""

import time
from datetime import timedelta

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.views import csrf as django_csrf
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from socialleaders.csrf import CROSS_SITE, same_origin_post

from . import conf, services
from .forms import CommentForm, EditForm, FollowForm
from .models import Comment, ModerationSettings, Subscription

SESSION_KEY = "comments_mine"
MAX_REMEMBERED = 50


# The writer's own comments, remembered in their session -----------------------------------


def remember(request, comment):
    mine = dict(request.session.get(SESSION_KEY, {}))
    mine[str(comment.pk)] = int(time.time())
    if len(mine) > MAX_REMEMBERED:
        mine = dict(sorted(mine.items(), key=lambda kv: kv[1])[-MAX_REMEMBERED:])
    request.session[SESSION_KEY] = mine


def forget(request, comment_pk):
    mine = dict(request.session.get(SESSION_KEY, {}))
    if mine.pop(str(comment_pk), None) is not None:
        request.session[SESSION_KEY] = mine


def remembered_ids(request):
    """The ids of comments this browser wrote recently enough to still show them."""
    session = getattr(request, "session", None)
    if session is None:
        return []
    horizon = time.time() - conf.get("COMMENTS_PENDING_VISIBLE_DAYS") * 86400
    return [int(pk) for pk, ts in session.get(SESSION_KEY, {}).items() if ts >= horizon]


def edit_deadline(comment):
    return comment.created_at + timedelta(minutes=conf.get("COMMENTS_EDIT_WINDOW_MINUTES"))


def can_edit(request, comment, now=None):
    return (
        comment.pk in remembered_ids(request)
        and comment.status != Comment.Status.REMOVED
        and (now or timezone.now()) < edit_deadline(comment)
    )


def _set_pending_cookie(request, response, pending):
    """Tell the page cache this browser must see fresh pages: while a comment awaits
    moderation, or while the writer may still edit it."""
    if pending:
        max_age = conf.get("COMMENTS_PENDING_VISIBLE_DAYS") * 86400
    else:
        max_age = conf.get("COMMENTS_EDIT_WINDOW_MINUTES") * 60
    response.set_cookie(
        conf.get("PAGE_CACHE_PENDING_COOKIE"),
        "1",
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def about(comment):
    """A message's extra tag naming the comment it is about: the thread shows it beside that
    comment (comment_tags.comment_section), where the page lands."""
    return f"{MESSAGE_ABOUT}{comment.pk}"


MESSAGE_ABOUT = "about-comment-"


def _redirect(url):
    return HttpResponseRedirect(url, status=303)


# Posting -----------------------------------------------------------------------------------


def _refuse(request, form, target, message, status):
    form.refresh_timestamp()
    response = render(
        request,
        "comments/form_page.html",
        {"form": form, "target": target, "refusal": message, "post_url": post_url(target)},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(conf.get("COMMENTS_FLOOD_SECONDS"))
    return response


def post_url(target):
    from django.urls import reverse

    return reverse("comments:post", args=[services.target_type(target), target.pk])


@never_cache
@require_POST
@same_origin_post
def post_comment(request, kind, pk):
    target = services.get_target(kind, pk)
    policy = ModerationSettings.load()
    form = CommentForm(request.POST, target=target, policy=policy)
    reason = services.closed_reason(target, policy)
    if reason:
        return _refuse(request, form, target, reason, 403)
    if not form.is_valid():
        return _refuse(request, form, target, "Your comment was not sent: see below.", 400)
    data = form.cleaned_data
    try:
        comment = services.submit_comment(
            target=target,
            name=data["name"],
            email=data["email"],
            website=data.get("website") or "",
            body=data["body"],
            parent=data.get("parent_comment"),
            follow=data.get("follow", False),
            ip=services.client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            user=request.user,
            policy=policy,
        )
    except services.CommentRefused as refused:
        return _refuse(request, form, target, refused.message, refused.status)
    # The comment is committed: only now does the page say so.
    remember(request, comment)
    if data.get("follow"):
        follow_note = " We have emailed you a link to confirm you want follow-up comments."
    else:
        follow_note = ""
    if comment.status == Comment.Status.APPROVED:
        messages.success(
            request, "Thank you: your comment is published." + follow_note, about(comment)
        )
    else:
        messages.info(
            request,
            "Thank you: your comment is awaiting moderation. You can see it here; others will "
            "once an editor approves it." + follow_note,
            about(comment),
        )
    # The comment in its place in the thread (pending ones too, for their writer), its message
    # beside it, with or without JavaScript.
    response = _redirect(comment.get_absolute_url())
    _set_pending_cookie(request, response, pending=comment.status != Comment.Status.APPROVED)
    return response


# Editing and deleting within the window ----------------------------------------------------


def _own_comment_or_refuse(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("post", "interview"), pk=pk)
    if can_edit(request, comment):
        return comment, None
    minutes = conf.get("COMMENTS_EDIT_WINDOW_MINUTES")
    response = render(
        request,
        "comments/message.html",
        {
            "title": "This comment can no longer be changed",
            "message": f"You can edit or delete your comment for {minutes} minutes after "
            "posting it, in the browser you posted it from. Ask the editors if something "
            "needs changing.",
            "target": comment.target,
        },
        status=403,
    )
    return comment, response


@never_cache
@require_http_methods(["GET", "POST"])
def edit_comment(request, pk):
    comment, refused = _own_comment_or_refuse(request, pk)
    if refused:
        return refused
    if request.method == "POST":
        form = EditForm(request.POST)
        if form.is_valid():
            services.edit_comment(comment, form.cleaned_data["body"])
            if comment.status == Comment.Status.APPROVED:
                messages.success(request, "Your comment is updated.", about(comment))
            else:
                messages.info(
                    request, "Your comment is updated and is awaiting moderation.", about(comment)
                )
            response = _redirect(comment.get_absolute_url())
            _set_pending_cookie(
                request, response, pending=comment.status != Comment.Status.APPROVED
            )
            return response
        status = 400
    else:
        form = EditForm(initial={"body": comment.body})
        status = 200
    return render(
        request,
        "comments/edit.html",
        {
            "form": form,
            "comment": comment,
            "target": comment.target,
            "deadline": edit_deadline(comment),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def delete_comment(request, pk):
    comment, refused = _own_comment_or_refuse(request, pk)
    if refused:
        return refused
    target = comment.target
    if request.method == "POST":
        services.delete_comment(comment)
        forget(request, pk)
        messages.success(request, "Your comment is deleted.")
        return _redirect(f"{target.get_absolute_url()}#comments")
    return render(request, "comments/delete.html", {"comment": comment, "target": target})


# Following ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@same_origin_post
def follow(request, kind, pk):
    target = services.get_target(kind, pk)
    reason = services.closed_reason(target)
    if request.method == "POST":
        form = FollowForm(request.POST, target=target)
        if reason:
            refusal, status = reason, 403
        elif form.is_valid():
            email = form.cleaned_data["email"]
            try:
                services.check_flood(services.client_ip(request), email, scope="follow")
            except services.Flood as flood:
                refusal, status = flood.message, 429
            else:
                services.follow_target(target, email)
                messages.info(
                    request,
                    "Nearly done: we have emailed you a link. Follow it to confirm, and you "
                    "will hear about new comments here.",
                )
                return _redirect(f"{target.get_absolute_url()}#comment-messages")
        else:
            refusal, status = "Please check the form below.", 400
        form.refresh_timestamp()
    else:
        form, refusal, status = FollowForm(target=target), reason, 200
    return render(
        request,
        "comments/follow.html",
        {"form": form, "target": target, "refusal": refusal, "closed": bool(reason)},
        status=status,
    )


@never_cache
def confirm_follow(request, token):
    sub = Subscription.from_token(token)
    if sub is None:
        return render(
            request,
            "comments/message.html",
            {
                "title": "This link does not work",
                "message": "The confirmation link is not valid, or you have unsubscribed "
                "since. You can follow the comments again from the page itself.",
            },
            status=404,
        )
    if not sub.is_confirmed:
        sub.confirmed_at = timezone.now()
        sub.save(update_fields=["confirmed_at"])
    return render(
        request,
        "comments/message.html",
        {
            "title": "You are following the comments",
            "message": f"We will email {sub.email} about new comments on “{sub.target}”. "
            "Every email has a link to stop them.",
            "target": sub.target,
            "unsubscribe_url": sub.unsubscribe_url(),
        },
    )


@csrf_exempt  # one-click unsubscribe (RFC 8058): mail clients POST without a CSRF token.
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        signing.loads(token, salt="comments.subscription")
    except signing.BadSignature:
        return render(
            request,
            "comments/message.html",
            {
                "title": "This link does not work",
                "message": "The unsubscribe link is damaged. Copy the whole link from the "
                "email, or ask the editors to remove your address.",
            },
            status=400,
        )
    sub = Subscription.from_token(token)
    target = sub.target if sub else None
    if sub is not None:
        sub.delete()
    return render(
        request,
        "comments/message.html",
        {
            "title": "You are unsubscribed",
            "message": "You will get no more emails about new comments"
            + (f" on “{target}”." if target else "."),
            "target": target,
        },
    )


# Moderation links from emails --------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def moderate(request, token):
    from django.urls import reverse

    try:
        comment, action = services.read_moderation_token(token)
    except signing.BadSignature:
        return render(
            request,
            "comments/message.html",
            {
                "title": "This moderation link does not work",
                "message": "It has expired or is not valid. Moderate the comment in the admin.",
                "admin_url": reverse("admin:comments_comment_changelist")
                + "?status__exact=pending",
            },
            status=400,
        )
    done = False
    if request.method == "POST":
        if action == "approve":
            services.approve([comment])
        else:
            services.mark_spam([comment])
        done = True
    return render(
        request,
        "comments/moderate.html",
        {"comment": comment, "action": action, "done": done, "target": comment.target},
    )


# CSRF failures: say so, and keep what was typed --------------------------------------------


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW. For the comment and follow forms, show the form again with
    what was typed and a fresh token; anything else gets Django's own 403 page."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if (
        request.method == "POST"
        and match is not None
        and match.namespace == "comments"
        and match.url_name in {"post", "follow"}
    ):
        try:
            target = services.get_target(match.kwargs["kind"], match.kwargs["pk"])
        except Http404:
            target = None
        if target is not None:
            if reason.startswith(CROSS_SITE):
                message = (
                    "Your form could not be accepted: it was sent from a page on another site. "
                    "If you wrote it here, your text is kept below; please send it again."
                )
            else:
                message = (
                    "Your form could not be accepted: its security token was missing or out "
                    "of date (this happens when cookies are blocked or the page was open for "
                    "a long time). Your text is kept below; please send it again."
                )
            if match.url_name == "post":
                form = CommentForm(request.POST, target=target)
                form.refresh_timestamp()
                context = {
                    "form": form,
                    "target": target,
                    "refusal": message,
                    "post_url": post_url(target),
                }
                return render(request, "comments/form_page.html", context, status=403)
            form = FollowForm(request.POST, target=target)
            form.refresh_timestamp()
            return render(
                request,
                "comments/follow.html",
                {"form": form, "target": target, "refusal": message},
                status=403,
            )
    return django_csrf.csrf_failure(request, reason)
