"""The blog's feeds: all posts and a tag's posts (RSS and Atom)."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from taggit.models import Tag

from socialleaders.cachetags import list_tag
from socialleaders.feeds import ITEMS, AtomMixin, BaseFeed, absolute, feed_urls, summary

from .models import Post


def latest_posts(**filters):
    return (
        Post.objects.published()
        .filter(**filters)
        .select_related("author")
        .prefetch_related("tags")
        .order_by("-publish_at", "-pk")[:ITEMS]
    )


class PostItems:
    """How a post becomes a feed entry."""

    model = Post
    cache_tags = (list_tag(Post),)

    def item_description(self, item):
        return summary(item.excerpt, item.body_html)

    def item_author_name(self, item):
        return item.author.name

    def item_author_link(self, item):
        return absolute(item.author.get_absolute_url())

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class BlogFeed(PostItems, BaseFeed):
    url_name = "feeds:blog-rss"

    def title(self):
        return f"{settings.SITE_NAME}: blog"

    def link(self):
        return absolute(reverse("blog:index"))

    def _get_description(self, obj):
        return f"The latest posts from the {settings.SITE_NAME} blog."

    def items(self):
        return latest_posts()


class TagFeed(PostItems, BaseFeed):
    """A 404 for a tag no published post carries: tags are made in passing, drafts' are private."""

    url_name = "feeds:tag-rss"

    def get_object(self, request, slug):
        tag = get_object_or_404(Tag, slug=slug)
        if not Post.objects.published().filter(tags=tag).exists():
            raise Http404("No published post carries this tag.")
        return tag

    def title(self, obj):
        return f"{settings.SITE_NAME}: posts tagged “{obj.name}”"

    def link(self, obj):
        return absolute(reverse("blog:tag", kwargs={"slug": obj.slug}))

    def _get_description(self, obj):
        return f"The latest blog posts tagged “{obj.name}”."

    def items(self, obj):
        return latest_posts(tags=obj)


class BlogAtomFeed(AtomMixin, BlogFeed):
    pass


class TagAtomFeed(AtomMixin, TagFeed):
    pass


urlpatterns = [
    *feed_urls("blog/", "blog", BlogFeed, BlogAtomFeed),
    *feed_urls("blog/tags/<slug:slug>/", "tag", TagFeed, TagAtomFeed),
]
