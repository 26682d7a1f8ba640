"""The blog's public pages: index, post, tag, author and monthly archive.

Same rules as the interview pages (see interviews/views.py): published only for readers, staff
preview on the real page, a fixed number of queries per page.
"""

import calendar
from datetime import datetime

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from interviews.views import PreviewMixin, PublicPageMixin

from .models import Author, Comment, Post


def comment_thread(comments):
    """Approved comments in reading order, ready for nested lists in one flat loop.

    Returns {"comments": [...], "pingbacks": [...], "comment_count": n}. Each comment gets
    ``depth``, ``opens_list`` (it is the first reply to its parent, so a nested <ol> starts
    before it), ``has_replies`` and ``closes`` (how many nested lists end after it). A reply
    whose parent is not shown (still pending, removed) is shown at the top level.
    """
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


def post_cards():
    return (
        Post.objects.published()
        .select_related("author")
        .prefetch_related("tags")
        .with_comment_counts()
        .order_by("-publish_at", "-pk")
    )


class PostListView(PublicPageMixin, ListView):
    feed_kind = "blog"
    template_name = "blog/post_list.html"
    context_object_name = "posts"
    paginate_by = 10

    def get_queryset(self):
        return post_cards()


class PostDetailView(PreviewMixin, DetailView):
    template_name = "blog/post_detail.html"
    context_object_name = "post"

    def get_base_queryset(self):
        return Post.objects.select_related("author").prefetch_related("tags")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(comment_thread(Comment.objects.approved().filter(post=self.object)))
        return context


class PostsOfMixin(PublicPageMixin):
    paginate_by = 10
    context_object_name = "posts"

    def get(self, request, *args, **kwargs):
        self.subject = self.get_subject()
        return super().get(request, *args, **kwargs)


class TagView(PostsOfMixin, ListView):
    feed_kind = "tag"
    template_name = "blog/tag_detail.html"

    def get_subject(self):
        return get_object_or_404(Tag, slug=self.kwargs["slug"])

    def get_queryset(self):
        return post_cards().filter(tags=self.subject)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tag"] = self.subject
        return context


class AuthorView(PostsOfMixin, ListView):
    template_name = "blog/author_detail.html"

    def get_subject(self):
        authors = Author.objects.annotate(
            post_count=Count("posts", filter=Q(posts__in=Post.objects.published().values("pk")))
        )
        return get_object_or_404(authors, slug=self.kwargs["slug"])

    def get_queryset(self):
        return post_cards().filter(author=self.subject)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["author"] = self.subject
        return context


class MonthArchiveView(PostsOfMixin, ListView):
    template_name = "blog/month_archive.html"

    def get_subject(self):
        year, month = int(self.kwargs["year"]), int(self.kwargs["month"])
        if not (1 <= month <= 12 and 1 <= year <= 9998):
            raise Http404("No such month")
        tz = timezone.get_current_timezone()
        start = datetime(year, month, 1, tzinfo=tz)
        following = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
        return {"start": start, "end": following, "name": f"{calendar.month_name[month]} {year}"}

    def get_queryset(self):
        return post_cards().filter(
            publish_at__gte=self.subject["start"], publish_at__lt=self.subject["end"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["paginator"].count:
            raise Http404("No posts that month")
        context["month"] = self.subject
        return context
