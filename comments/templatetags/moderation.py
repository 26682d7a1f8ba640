"""Admin-only template tags: the moderation queue shown on the admin index."""

from django import template

from ..models import Comment

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_comment_count(context):
    """How many comments await moderation, for a user who may moderate them (else None).
    One COUNT query, whatever the size of the queue."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("comments.change_comment"):
        return None
    return Comment.objects.pending().count()
