"""RSS and Atom feeds (django.contrib.syndication), with their URLs (namespace ``feeds``).

- whole site:  /feeds/rss/ and /feeds/atom/
- interviews:  /interviews/feed/ and /interviews/feed/atom/
- blog:        /blog/feed/ and /blog/feed/atom/
- a blog tag:  /blog/tags/<slug>/feed/ and /blog/tags/<slug>/feed/atom/
- a theme:     /themes/<slug>/feed/ and /themes/<slug>/feed/atom/
- a platform:  /platforms/<slug>/feed/ and /platforms/<slug>/feed/atom/

URL names: ``feeds:<feed>-rss`` and ``feeds:<feed>-atom`` with feed one of ``site``,
``interviews``, ``blog``, ``tag``, ``theme``, ``platform``.

Only published items appear, newest first, dated by their publish date. Every link is absolute on
``settings.SITE_URL`` (not on the host the request came in on): Django's ``add_domain`` leaves
absolute URLs alone, so ``link``, ``item_link`` and ``feed_url`` all return SITE_URL-based URLs.
An unknown tag, theme or platform is a 404; so is a blog tag no published post carries (tags are
made in passing, and a draft's tags are not public).

``feed_links(kind, obj)`` gives the template context for the <link rel="alternate"> tags of a
section's page (see templates/includes/feed_links.html).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from taggit.models import Tag

from blog.models import Post
from interviews.models import Interview, Platform, Theme

ITEMS = 20
DESCRIPTION_WORDS = 60


def absolute(url):
    """``url`` (a path) on the publication's canonical origin."""
    return settings.SITE_URL + url


# --- Items ------------------------------------------------------------------------------------


def latest_interviews(**filters):
    return (
        Interview.objects.published()
        .filter(**filters)
        .select_related("leader", "series")
        .prefetch_related(Interview.themes_prefetch())
        .order_by("-publish_at", "-pk")[:ITEMS]
    )


def latest_posts(**filters):
    return (
        Post.objects.published()
        .filter(**filters)
        .select_related("author")
        .prefetch_related("tags")
        .order_by("-publish_at", "-pk")[:ITEMS]
    )


class ItemsMixin:
    """How an interview or a post becomes a feed entry."""

    description_template = None

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_guid(self, item):
        return self.item_link(item)

    item_guid_is_permalink = True

    def item_description(self, item):
        if isinstance(item, Interview):
            summary, html = item.standfirst, item.introduction_html
        else:
            summary, html = item.excerpt, item.body_html
        if summary.strip():
            return summary.strip()
        return Truncator(strip_tags(html)).words(DESCRIPTION_WORDS, truncate=" …")

    def item_author_name(self, item):
        if isinstance(item, Interview):
            return item.leader.display_name
        return item.author.name

    def item_author_link(self, item):
        if isinstance(item, Interview):
            return absolute(item.leader.get_absolute_url())
        return absolute(item.author.get_absolute_url())

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        # Edits made before publication are not news: never earlier than the publish date.
        return max(item.updated_at, item.publish_at)

    def item_categories(self, item):
        tags = item.theme_list if isinstance(item, Interview) else item.tags.all()
        return [tag.name for tag in tags]


class BaseFeed(ItemsMixin, Feed):
    """RSS 2.0; the Atom twin of each feed only changes ``feed_type``."""

    url_name = None  # "feeds:<name>-rss"; the Atom one ends in "-atom"

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


class AtomMixin:
    feed_type = Atom1Feed

    def feed_url(self, obj=None):
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return absolute(reverse(self.url_name.replace("-rss", "-atom"), kwargs=kwargs))


# --- The feeds --------------------------------------------------------------------------------


class SiteFeed(BaseFeed):
    url_name = "feeds:site-rss"

    def title(self):
        return settings.SITE_NAME

    def link(self):
        return absolute(reverse("interviews:home"))

    def _get_description(self, obj):
        return f"{settings.SITE_TAGLINE}: the latest interviews and blog posts."

    def items(self):
        merged = list(latest_interviews()) + list(latest_posts())
        merged.sort(key=lambda item: item.publish_at, reverse=True)
        return merged[:ITEMS]


class InterviewsFeed(BaseFeed):
    url_name = "feeds:interviews-rss"

    def title(self):
        return f"{settings.SITE_NAME}: interviews"

    def link(self):
        return absolute(reverse("interviews:list"))

    def _get_description(self, obj):
        return "The latest #SocialLeaders interviews: leaders on social media, in their own words."

    def items(self):
        return latest_interviews()


class BlogFeed(BaseFeed):
    url_name = "feeds:blog-rss"

    def title(self):
        return f"{settings.SITE_NAME}: blog"

    def link(self):
        return absolute(reverse("blog:index"))

    def _get_description(self, obj):
        return f"The latest posts from the {settings.SITE_NAME} blog."

    def items(self):
        return latest_posts()


class TagFeed(BaseFeed):
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


class ThemeFeed(BaseFeed):
    url_name = "feeds:theme-rss"

    def get_object(self, request, slug):
        return get_object_or_404(Theme, slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: interviews on “{obj.name}”"

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def _get_description(self, obj):
        return strip_tags(obj.description).strip() or f"The latest interviews on “{obj.name}”."

    def items(self, obj):
        return latest_interviews(themes=obj)


class PlatformFeed(BaseFeed):
    url_name = "feeds:platform-rss"

    def get_object(self, request, slug):
        return get_object_or_404(Platform, slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: leaders on {obj.name}"

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def _get_description(self, obj):
        return f"The latest interviews with leaders who use {obj.name}."

    def items(self, obj):
        return latest_interviews(platforms=obj)


class SiteAtomFeed(AtomMixin, SiteFeed):
    pass


class InterviewsAtomFeed(AtomMixin, InterviewsFeed):
    pass


class BlogAtomFeed(AtomMixin, BlogFeed):
    pass


class TagAtomFeed(AtomMixin, TagFeed):
    pass


class ThemeAtomFeed(AtomMixin, ThemeFeed):
    pass


class PlatformAtomFeed(AtomMixin, PlatformFeed):
    pass


# --- Links to the feeds from pages -------------------------------------------------------------

SECTION_FEEDS = {
    "interviews": ("interviews", "Interviews"),
    "blog": ("blog", "The blog"),
    "tag": ("tag", "Posts tagged “{name}”"),
    "theme": ("theme", "Interviews on “{name}”"),
    "platform": ("platform", "Leaders on {name}"),
}


def feed_links(kind, obj=None):
    """Context for includes/feed_links.html on a section's page.

    ``feed_links("theme", theme)`` -> {"feed_title": ..., "feed_url": ..., "feed_atom_url": ...}
    (``kind`` is one of interviews, blog, tag, theme, platform; ``obj`` the tag, theme or platform).
    """
    name, title = SECTION_FEEDS[kind]
    kwargs = {"slug": obj.slug} if obj is not None else {}
    return {
        "feed_title": f"{settings.SITE_NAME}: " + title.format(name=getattr(obj, "name", "")),
        "feed_url": reverse(f"feeds:{name}-rss", kwargs=kwargs),
        "feed_atom_url": reverse(f"feeds:{name}-atom", kwargs=kwargs),
    }


# --- URLs (included at the root by socialleaders/urls.py, before the apps' own URLs) -----------

app_name = "feeds"


def _pair(prefix, name, rss, atom):
    return [
        path(f"{prefix}feed/", rss(), name=f"{name}-rss"),
        path(f"{prefix}feed/atom/", atom(), name=f"{name}-atom"),
    ]


urlpatterns = [
    path("feeds/rss/", SiteFeed(), name="site-rss"),
    path("feeds/atom/", SiteAtomFeed(), name="site-atom"),
    *_pair("interviews/", "interviews", InterviewsFeed, InterviewsAtomFeed),
    *_pair("blog/", "blog", BlogFeed, BlogAtomFeed),
    *_pair("blog/tags/<slug:slug>/", "tag", TagFeed, TagAtomFeed),
    *_pair("themes/<slug:slug>/", "theme", ThemeFeed, ThemeAtomFeed),
    *_pair("platforms/<slug:slug>/", "platform", PlatformFeed, PlatformAtomFeed),
]
