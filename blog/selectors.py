"""Reads the blog's pages share: related reading, the next and previous post, the archive."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from taggit.models import TaggedItem

from .models import Post


def related_posts(post, limit=3):
    """Up to ``limit`` published posts to read next: those sharing the most tags with ``post``,
    then those by the same author, newest first: one query (``post.tags`` prefetched)."""
    tag_ids = [tag.pk for tag in post.tags.all()]
    shared = (
        TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Post),
            object_id=OuterRef("pk"),
            tag_id__in=tag_ids,
        )
        .order_by()
        .values("object_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return list(
        Post.objects.published()
        .exclude(pk=post.pk)
        .select_related("author")
        .annotate(
            shared_tags=Coalesce(Subquery(shared, output_field=IntegerField()), 0),
            same_author=Case(
                When(author_id=post.author_id, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .filter(Q(shared_tags__gt=0) | Q(same_author=1))
        .order_by("-shared_tags", "-same_author", "-publish_at", "-pk")[:limit]
    )


def neighbours(post):
    """(previous, next) published post around ``post`` by publication date, or None: two
    queries on the publication index."""
    at, pk = post.publish_at, post.pk
    published = Post.objects.published().only("title", "slug", "publish_at")
    previous = (
        published.filter(Q(publish_at__lt=at) | Q(publish_at=at, pk__lt=pk))
        .order_by("-publish_at", "-pk")
        .first()
    )
    following = (
        published.filter(Q(publish_at__gt=at) | Q(publish_at=at, pk__gt=pk))
        .order_by("publish_at", "pk")
        .first()
    )
    return previous, following


def archive_months():
    """The months with a published post, newest first (dates truncated to the month)."""
    return list(Post.objects.published().dates("publish_at", "month", order="DESC"))
