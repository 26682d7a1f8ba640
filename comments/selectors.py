"""Reads of comments that the content apps' pages share: threads and counts."""

from socialleaders.queries import count_of

from .models import Comment


def approved_comment_count(target="post"):
    """The approved comments (pingbacks not counted) on each row's post or interview
    (``target``), as a correlated subquery: it runs for the fetched rows only."""
    return count_of(Comment, target, status=Comment.Status.APPROVED, kind=Comment.Kind.COMMENT)


def comment_thread(comments):
    """Approved comments in reading order, for nested lists in one flat loop: {"comments",
    "pingbacks", "comment_count"}. Each comment gets ``depth``, ``has_replies``, ``opens_list``
    (a nested <ol> starts before it) and ``closes`` (the nested lists that end after it)."""
    comments = list(comments.order_by("created_at", "pk"))
    pingbacks = [c for c in comments if c.kind == Comment.Kind.PINGBACK]
    regular = [c for c in comments if c.kind != Comment.Kind.PINGBACK]
    shown = {c.pk for c in regular}
    children = {}
    roots = []
    for comment in regular:
        if comment.parent_id in shown and comment.parent_id != comment.pk:
            children.setdefault(comment.parent_id, []).append(comment)
        else:
            roots.append(comment)

    ordered = []
    stack = [(root, 0) for root in reversed(roots)]
    while stack:
        comment, depth = stack.pop()
        comment.depth = depth
        replies = children.get(comment.pk, [])
        comment.has_replies = bool(replies)
        for position, reply in enumerate(reversed(replies)):
            reply.opens_list = position == len(replies) - 1
            stack.append((reply, depth + 1))
        ordered.append(comment)
    for index, comment in enumerate(ordered):
        comment.opens_list = getattr(comment, "opens_list", False) and comment.depth > 0
        next_depth = ordered[index + 1].depth if index + 1 < len(ordered) else 0
        comment.closes = range(comment.depth - next_depth) if not comment.has_replies else ()
    return {"comments": ordered, "pingbacks": pingbacks, "comment_count": len(regular)}


def thread_for(target):
    """The approved comments on a post or interview, as ``comment_thread`` lays them out."""
    kind = target._meta.model_name
    return comment_thread(Comment.objects.approved().filter(**{kind: target}))
