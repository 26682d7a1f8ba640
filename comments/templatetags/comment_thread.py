"""{% render_comment_thread comments %}: the nested lists of approved comments, built in Python
as plain strings rather than templates, for speed (docs/benchmarks.md, "Comment thread").
"""

from functools import lru_cache

from django import template
from django.template.loader import get_template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone, is_aware

from comments.text import render_comment
from socialleaders.templatetags.publication import format_day, isodate

register = template.Library()

_PK = "__comment_pk__"
_NAME = "__comment_name__"
_EXCERPT = "__comment_excerpt__"
EXCERPT_WORDS = 8  # "Replying to Ada: “the first few words…”"


def excerpt(comment):
    """The first few words of a comment, to say which one a reply answers."""
    return _first_words(comment.body or "")


def _first_words(text):
    # Truncator(text).words(EXCERPT_WORDS, truncate="…"), without its cost (200 calls a page).
    words = text.split()
    if len(words) <= EXCERPT_WORDS:
        return " ".join(words)
    text = " ".join(words[:EXCERPT_WORDS])
    return text if text.endswith("…") else text + "…"


_REPLIES_OPEN = '<ol class="comment-list comment-list--replies">'


def _comment(comment, tz, reply_markup, after=""):
    """One comment's markup (its <li> is left open for replies), every reader-supplied value
    escaped; ``reply_markup`` is the reply link with placeholders, or empty."""
    markup = _comment_markup(
        comment.pk,
        comment.name,
        comment.website,
        comment.by_post_author,
        comment.created_at,
        comment.body,
        tz,
        reply_markup,
    )
    return markup + after


# Kept per process, keyed by every value the markup shows, so re-rendering a thread after one
# comment is approved renders only that comment (docs/benchmarks.md, "Comment thread").
@lru_cache(maxsize=4096)
def _comment_markup(pk, name, website, by_post_author, created, body, tz, reply_markup):
    name = escape(name)
    if website:
        shown = f'<a href="{escape(website)}" rel="nofollow ugc noopener">{name}</a>'
    else:
        shown = name
    if by_post_author:
        css, badge = " comment--author", ' <span class="badge badge--author">Author</span>'
    else:
        css, badge = "", ""
    local = created.astimezone(tz) if is_aware(created) else created
    when = escape(isodate(created))
    actions = ""
    if reply_markup:
        reply = (
            reply_markup.replace(_PK, str(pk))
            .replace(_NAME, name)
            .replace(_EXCERPT, escape(_first_words(body or "")))
        )
        actions = f'<p class="comment__actions">{reply}</p>'
    return (
        f'<li class="comment{css}" id="comment-{pk}">'
        f'<article class="comment__body" aria-label="Comment by {name}">'
        f'<header class="comment__header"><p class="comment__name">{shown}{badge}</p>'
        f'<p class="comment__date"><a href="#comment-{pk}"><time datetime="{when}">'
        f"{format_day(local.date())}</time></a></p>"
        "</header>"
        # comments.text.render_comment: escaped, paragraphs, nofollow links
        f'<div class="comment__text" dir="auto">{conditional_escape(render_comment(body))}</div>'
        f"{actions}"
        "</article>"
    )


@register.simple_tag
def _pending(comments):
    """One's own comments awaiting moderation, as list items (comments/pending_in_thread.html)."""
    template = get_template("comments/pending_in_thread.html")
    return "".join(template.render({"comment": c}) for c in comments)


@register.simple_tag
def render_comment_thread(comments, reply_links=False, reply_form=None, pending=(), beside=None):
    """Comments as prepared by ``comments.selectors.comment_thread``; with ``reply_links``, each
    gets the reply link (comments/reply_link.html) under its text; ``reply_form`` (from the
    reply_form_under tag) puts the reply form under the comment it answers; ``pending`` (the
    writer's own comments awaiting moderation) go under the comment they answer, or at the end;
    ``beside`` (from the messages_beside tag) puts its writer's message at the top of a comment."""
    # The reply link, rendered once with placeholders and filled in per comment.
    reply_markup = (
        get_template("comments/reply_link.html")
        .render({"comment": {"pk": _PK, "name": _NAME}, "excerpt": _EXCERPT})
        .strip()
        if reply_links
        else ""
    )
    tz = get_current_timezone()
    shown = {comment.pk for comment in comments}
    waiting = {}
    for comment in pending:
        waiting.setdefault(comment.parent_id if comment.parent_id in shown else None, []).append(
            comment
        )
    parts = ['<ol class="comment-list">']
    for comment in comments:
        if comment.opens_list:
            parts.append(_REPLIES_OPEN)
        after = ""
        if reply_form and reply_form["pk"] == comment.pk:
            after = f'<div class="comment__reply-form" id="comment-form">{reply_form["html"]}</div>'
        if comment.pk in waiting:
            after += f"{_REPLIES_OPEN}{_pending(waiting[comment.pk])}</ol>"
        parts.append(_comment(comment, tz, reply_markup, after))
        if not comment.has_replies:
            parts.append("</li>")
            parts.append("</ol></li>" * len(comment.closes))
    parts.append(_pending(waiting.get(None, [])))
    parts.append("</ol>")
    thread = "".join(parts)
    for pk, box in (beside or {}).items():  # the first match is the comment's own <li>
        thread = thread.replace(f'id="comment-{pk}">', f'id="comment-{pk}">{box}', 1)
    return mark_safe(thread)  # noqa: S308 - every value in the parts is escaped
