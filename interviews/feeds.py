"""The interviews' feeds: all interviews, a theme's, a platform's (RSS and Atom)."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import strip_tags

from socialleaders.cachetags import list_tag
from socialleaders.feeds import ITEMS, AtomMixin, BaseFeed, absolute, feed_urls, summary

from .models import Interview, Platform, Theme


def latest_interviews(**filters):
    return (
        Interview.objects.published()
        .filter(**filters)
        .select_related("leader", "series")
        .prefetch_related(Interview.themes_prefetch())
        .order_by("-publish_at", "-pk")[:ITEMS]
    )


class InterviewItems:
    """How an interview becomes a feed entry."""

    model = Interview
    cache_tags = (list_tag(Interview),)

    def item_description(self, item):
        return summary(item.standfirst, item.introduction_html)

    def item_author_name(self, item):
        return item.leader.display_name

    def item_author_link(self, item):
        return absolute(item.leader.get_absolute_url())

    def item_categories(self, item):
        return [theme.name for theme in item.theme_list]


class InterviewsFeed(InterviewItems, BaseFeed):
    url_name = "feeds:interviews-rss"

    def title(self):
        return f"{settings.SITE_NAME}: interviews"

    def link(self):
        return absolute(reverse("interviews:list"))

    def _get_description(self, obj):
        return "The latest #SocialLeaders interviews: leaders on social media, in their own words."

    def items(self):
        return latest_interviews()


class ThemeFeed(InterviewItems, BaseFeed):
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


class PlatformFeed(InterviewItems, BaseFeed):
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


class InterviewsAtomFeed(AtomMixin, InterviewsFeed):
    pass


class ThemeAtomFeed(AtomMixin, ThemeFeed):
    pass


class PlatformAtomFeed(AtomMixin, PlatformFeed):
    pass


urlpatterns = [
    *feed_urls("interviews/", "interviews", InterviewsFeed, InterviewsAtomFeed),
    *feed_urls("themes/<slug:slug>/", "theme", ThemeFeed, ThemeAtomFeed),
    *feed_urls("platforms/<slug:slug>/", "platform", PlatformFeed, PlatformAtomFeed),
]
