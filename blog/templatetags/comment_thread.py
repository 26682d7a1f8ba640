"""{% render_comment_thread comments %}: the nested lists of approved comments, built in Python.

A post can carry hundreds of threaded comments; rendering each through template tags cost more
than the rest of the page together. The markup is the same as a template would write, every
reader-supplied value escaped by format_html.
"""

from django import template
from django.template.loader import get_template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from interviews.templatetags.publication import isodate, pubdate

register = template.Library()

_PK = "__comment_pk__"
_NAME = "__comment_name__"
_REPLIES_OPEN = '<ol class="comment-list comment-list--replies">'


def _comment(comment, reply_link=None):
    if comment.website:
        name = format_html(
            '<a href="{}" rel="nofollow ugc noopener">{}</a>', comment.website, comment.name
        )
    else:
        name = format_html("{}", comment.name)
    badge = (
        mark_safe(' <span class="badge badge--author">Author</span>')
        if comment.by_post_author
        else ""
    )
    return format_html(
        '<li class="comment{}" id="comment-{}">'
        '<article class="comment__body" aria-label="Comment by {}">'
        '<header class="comment__header"><p class="comment__name">{}{}</p>'
        '<p class="comment__date"><a href="#comment-{}"><time datetime="{}">{}</time></a></p>'
        "</header>"
        '<div class="comment__text" dir="auto">{}</div>{}'
        "</article>",
        " comment--author" if comment.by_post_author else "",
        comment.pk,
        comment.name,
        name,
        badge,
        comment.pk,
        isodate(comment.created_at),
        pubdate(comment.created_at),
        comment.body_html,  # comments.text.render_comment: escaped, paragraphs, nofollow links
        format_html('<p class="comment__actions">{}</p>', reply_link) if reply_link else "",
    )


@register.simple_tag
def render_comment_thread(comments, reply_links=False):
    """Comments as prepared by blog.views.comment_thread (depth, opens_list, closes...).

    With ``reply_links``, each comment gets the comments app's reply link
    (templates/comments/reply_link.html) under its text.
    """
    # The comments app's reply link, rendered once with placeholders and filled in per comment
    # (rendering the template 200 times cost more than the rest of the page).
    reply_markup = (
        get_template("comments/reply_link.html")
        .render({"comment": {"pk": _PK, "name": _NAME}})
        .strip()
        if reply_links
        else ""
    )
    parts = ['<ol class="comment-list">']
    for comment in comments:
        if comment.opens_list:
            parts.append(_REPLIES_OPEN)
        reply = (
            reply_markup.replace(_PK, str(comment.pk)).replace(_NAME, escape(comment.name))
            if reply_markup
            else None
        )
        parts.append(_comment(comment, mark_safe(reply) if reply else None))  # noqa: S308
        if not comment.has_replies:
            parts.append("</li>")
            parts.append("</ol></li>" * len(comment.closes))
    parts.append("</ol>")
    return mark_safe("".join(parts))  # noqa: S308 - every part is built with format_html
