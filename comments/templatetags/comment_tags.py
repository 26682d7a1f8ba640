"""{% comment_section target as cs %}: what comments/section.html needs to show the
comment form (or why comments are closed), a reply in progress, and the reader's own recent
comments (awaiting moderation, or still editable)."""

from django import template
from django.contrib.messages import get_messages
from django.template.loader import get_template

from .. import conf, services
from ..forms import CommentForm
from ..models import Comment, ModerationSettings
from ..views import MESSAGE_ABOUT, can_edit, edit_deadline, post_url, remembered_ids
from .comment_thread import excerpt

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_section(context, target):
    """Worked out once per request and piece: the thread (for a reply form under a comment) and
    the section below it both ask."""
    request = context.get("request")
    memo = getattr(request, "_comment_sections", None) if request is not None else None
    key = (services.target_type(target), target.pk)
    if memo is not None and key in memo:
        return memo[key]
    section = _comment_section(request, target)
    if request is not None:
        request._comment_sections = {**(memo or {}), key: section}
    return section


@register.simple_tag(takes_context=True)
def reply_form_under(context):
    """With ?reply_to=<id> (the reply link without JavaScript), the comment form rendered to sit
    under that comment in the thread: {"pk", "html"}, or None."""
    target = context.get("post") or context.get("interview")
    if target is None or not hasattr(target, "publish_at"):
        return None
    cs = comment_section(context, target)
    if not cs["reply_to"] or not cs["form"]:
        return None
    html = get_template("comments/form.html").render(
        {
            "form": cs["form"],
            "post_url": cs["post_url"],
            "reply_to": cs["reply_to"],
            "reply_excerpt": cs["reply_excerpt"],
            "inline": True,
        },
        context.get("request"),
    )
    return {"pk": cs["reply_to"].pk, "html": html}


@register.simple_tag(takes_context=True)
def own_pending(context):
    """This browser's comments awaiting moderation on the page's piece, to show in their place in
    the thread (only to their writer: such pages are never served from the shared cache)."""
    target = context.get("post") or context.get("interview")
    if target is None or not hasattr(target, "publish_at"):
        return []
    return [c for c in comment_section(context, target)["mine"] if c.awaiting]


def _comment_section(request, target):
    policy = ModerationSettings.load()
    kind = services.target_type(target)
    section = {
        "target": target,
        "kind": kind,
        "closed_reason": services.closed_reason(target, policy),
        "post_url": post_url(target),
        "max_length": conf.get("COMMENTS_MAX_LENGTH"),
        "edit_minutes": conf.get("COMMENTS_EDIT_WINDOW_MINUTES"),
        "form": None,
        "reply_to": None,
        "reply_error": "",
        "reply_excerpt": "",
        "mine": [],
        "messages": [],
        "beside": {},
    }
    if request is None:
        return section
    if not section["closed_reason"]:
        initial = {}
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            initial["name"] = user.get_full_name() or user.get_username()
            initial["email"] = user.email
        raw = request.GET.get("reply_to", "")
        if raw:
            if raw.isdigit() and len(raw) < 19:
                try:
                    services.resolve_parent(target, int(raw), policy)
                except services.CommentRefused as refused:
                    section["reply_error"] = refused.message
                else:
                    section["reply_to"] = Comment.objects.only("pk", "name", "body").get(
                        pk=int(raw)
                    )
                    section["reply_excerpt"] = excerpt(section["reply_to"])
                    initial["parent"] = section["reply_to"].pk
            else:
                section["reply_error"] = "The comment you wanted to reply to does not exist."
        section["form"] = CommentForm(target=target, policy=policy, initial=initial)
    ids = remembered_ids(request)
    if ids:
        mine = list(
            Comment.objects.filter(pk__in=ids, **{kind: target})
            .exclude(status=Comment.Status.REMOVED)
            .select_related("parent")
            .order_by("created_at", "pk")
        )
        for comment in mine:
            comment.editable = can_edit(request, comment)
            comment.edit_deadline = edit_deadline(comment)
            comment.awaiting = comment.status != Comment.Status.APPROVED
            # A published one is shown in its place in the thread; here only its links.
            comment.in_thread = not comment.awaiting
            comment.parent_excerpt = excerpt(comment.parent) if comment.parent else ""
        section["mine"] = mine
    _place_messages(request, section)
    return section


def _place_messages(request, section):
    """The page's messages: one about a comment of the reader's own (posted or edited: its extra
    tag names it) goes beside that comment in the thread, where the page lands; the rest (and
    one whose comment is not shown) above the form."""
    shown = {comment.pk for comment in section["mine"]}
    for message in get_messages(request):
        tag = message.extra_tags or ""
        pk = tag[len(MESSAGE_ABOUT) :] if tag.startswith(MESSAGE_ABOUT) else ""
        if pk.isdigit() and int(pk) in shown:
            section["beside"].setdefault(int(pk), []).append(message)
        else:
            section["messages"].append(message)


@register.simple_tag(takes_context=True)
def messages_beside(context):
    """{comment pk: the message box to show at that comment} for the page's piece."""
    target = context.get("post") or context.get("interview")
    if target is None or not hasattr(target, "publish_at"):
        return {}
    beside = comment_section(context, target)["beside"]
    box = get_template("comments/messages.html")
    return {pk: box.render({"messages": found}) for pk, found in beside.items()}


@register.simple_tag(takes_context=True)
def replies_open(context):
    """Whether the page's post or interview takes comments (so reply links make sense)."""
    target = context.get("post") or context.get("interview")
    if target is None or not hasattr(target, "publish_at"):
        return False
    return not services.closed_reason(target)
