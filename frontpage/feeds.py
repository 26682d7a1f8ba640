"""The whole site's feed: the latest interviews and posts together (RSS and Atom)."""

from django.conf import settings
from django.urls import path, reverse

from blog.feeds import PostItems, latest_posts
from interviews.feeds import InterviewItems, latest_interviews
from socialleaders.feeds import ITEMS, AtomMixin, BaseFeed, absolute

KINDS = (InterviewItems(), PostItems())


class SiteFeed(BaseFeed):
    url_name = "feeds:site-rss"
    cache_tags = tuple(tag for kind in KINDS for tag in kind.cache_tags)

    def title(self):
        return settings.SITE_NAME

    def link(self):
        return absolute(reverse("frontpage:home"))

    def _get_description(self, obj):
        return f"{settings.SITE_TAGLINE}: the latest interviews and blog posts."

    def items(self):
        merged = list(latest_interviews()) + list(latest_posts())
        merged.sort(key=lambda item: item.publish_at, reverse=True)
        return merged[:ITEMS]

    def _kind(self, item):
        return next(kind for kind in KINDS if isinstance(item, kind.model))

    def item_description(self, item):
        return self._kind(item).item_description(item)

    def item_author_name(self, item):
        return self._kind(item).item_author_name(item)

    def item_author_link(self, item):
        return self._kind(item).item_author_link(item)

    def item_categories(self, item):
        return self._kind(item).item_categories(item)


class SiteAtomFeed(AtomMixin, SiteFeed):
    pass


urlpatterns = [
    path("feeds/rss/", SiteFeed(), name="site-rss"),
    path("feeds/atom/", SiteAtomFeed(), name="site-atom"),
]
