"""RSS and Atom feeds (django.contrib.syndication): what every feed shares.

Each app keeps its feeds in its own ``feeds.py`` (interviews, blog, the whole site in
frontpage); the root URLconf gathers their ``urlpatterns`` under the namespace ``feeds``, so
URL names are ``feeds:<feed>-rss`` and ``feeds:<feed>-atom``. Rules: docs/search.md.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import path, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator

from .cachetags import tag_page

ITEMS = 20
DESCRIPTION_WORDS = 60


def absolute(url):
    """``url`` (a path) on the publication's canonical origin."""
    return settings.SITE_URL + url


def summary(text, html):
    """An item's description: its own summary, or the opening words of its body."""
    if text.strip():
        return text.strip()
    return Truncator(strip_tags(html)).words(DESCRIPTION_WORDS, truncate=" …")


class BaseFeed(Feed):
    """RSS 2.0; the Atom twin of each feed (``AtomMixin``) only changes ``feed_type``."""

    url_name = None  # "feeds:<name>-rss"; the Atom one ends in "-atom"
    item_guid_is_permalink = True
    cache_tags = ()  # the lists the feed shows (see socialleaders.views.PublicPageMixin)

    def __call__(self, request, *args, **kwargs):
        tag_page(*self.cache_tags)
        return super().__call__(request, *args, **kwargs)

    def feed_url(self, obj=None):
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return absolute(reverse(self.url_name, kwargs=kwargs))

    def author_name(self):
        return settings.SITE_NAME

    def feed_copyright(self):
        return settings.SITE_NAME

    def subtitle(self, obj=None):
        # Atom's <subtitle>; RSS uses description.
        return self._get_description(obj)

    def description(self, obj=None):
        return self._get_description(obj)

    def _get_description(self, obj):
        return settings.SITE_TAGLINE

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_guid(self, item):
        return self.item_link(item)

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        # Edits made before publication are not news: never earlier than the publish date.
        return max(item.updated_at, item.publish_at)


class AtomMixin:
    feed_type = Atom1Feed

    def feed_url(self, obj=None):
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return absolute(reverse(self.url_name.replace("-rss", "-atom"), kwargs=kwargs))


def feed_urls(prefix, name, rss, atom):
    """The RSS and Atom routes of one feed, named ``<name>-rss`` and ``<name>-atom``."""
    return [
        path(f"{prefix}feed/", rss(), name=f"{name}-rss"),
        path(f"{prefix}feed/atom/", atom(), name=f"{name}-atom"),
    ]


# --- Links to the feeds from pages -------------------------------------------------------------

SECTION_FEEDS = {
    "interviews": ("interviews", "Interviews"),
    "blog": ("blog", "The blog"),
    "tag": ("tag", "Posts tagged “{name}”"),
    "theme": ("theme", "Interviews on “{name}”"),
    "platform": ("platform", "Leaders on {name}"),
}


def feed_links(kind, obj=None):
    """Context for includes/feed_links.html on a section's page: ``feed_links("theme", theme)``
    -> {"feed_title": ..., "feed_url": ..., "feed_atom_url": ...}."""
    name, title = SECTION_FEEDS[kind]
    kwargs = {"slug": obj.slug} if obj is not None else {}
    return {
        "feed_title": f"{settings.SITE_NAME}: " + title.format(name=getattr(obj, "name", "")),
        "feed_url": reverse(f"feeds:{name}-rss", kwargs=kwargs),
        "feed_atom_url": reverse(f"feeds:{name}-atom", kwargs=kwargs),
    }
