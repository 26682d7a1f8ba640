"""sitemap.xml and robots.txt: what search engines may crawl, and every published page.

django.contrib.sites is not installed, so the sitemaps take their scheme and host from
``settings.SITE_URL`` (``SiteURLSitemap.get_domain``/``protocol``) instead of a Site object or the
request's Host header: the sitemap always names the canonical site, whichever host it was fetched
on. Every entry has a ``lastmod``: an item's own (the later of its last edit and its publish date)
or, for a page that lists items, the latest of those items'. Only pages a reader can open are
listed: published interviews and posts, and leaders, series, platforms, themes, questions, tags,
authors and monthly archives that show at least one of them.

Each section costs a fixed number of queries (an annotated query plus the paginator's count), and
the whole response is cached like every other anonymous page, by the page cache middleware under
the content generation (socialleaders/cache.py): a publish, an edit or a schedule coming due shows
up at once.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import F, Max, Q
from django.db.models.functions import Greatest, TruncMonth
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from blog.models import Author, Post
from interviews.models import Interview, Leader, Platform, Question, Series, Theme
from socialleaders.publishing import Status


def live_q(prefix="", now=None):
    """Q for published rows of a Publishable reached through ``prefix`` (e.g. "interviews__")."""
    now = now or timezone.now()
    return Q(**{f"{prefix}status": Status.PUBLISHED, f"{prefix}publish_at__lte": now}) & (
        Q(**{f"{prefix}unpublish_at__isnull": True}) | Q(**{f"{prefix}unpublish_at__gt": now})
    )


def changed(prefix=""):
    """When a published item last changed for readers: its last edit or its publication."""
    return Greatest(F(f"{prefix}updated_at"), F(f"{prefix}publish_at"))


def latest_change(prefix, now=None):
    """Max of ``changed`` over the published items reached through ``prefix``."""
    return Max(changed(prefix), filter=live_q(prefix, now))


class SiteURLSitemap(Sitemap):
    """A sitemap whose absolute URLs are on settings.SITE_URL."""

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def lastmod(self, item):
        return item.lastmod


class StaticPagesSitemap(SiteURLSitemap):
    """The fixed pages; each changes when the content it lists does."""

    # url name -> which content it lists ("interviews", "posts" or "all")
    PAGES = {
        "interviews:home": "all",
        "interviews:list": "interviews",
        "interviews:leaders": "interviews",
        "interviews:platforms": "interviews",
        "interviews:themes": "interviews",
        "interviews:questions": "interviews",
        "interviews:quotes": "interviews",
        "blog:index": "posts",
    }
    priority = 0.6

    def items(self):
        latest = {
            "interviews": Interview.objects.filter(live_q()).aggregate(at=Max(changed()))["at"],
            "posts": Post.objects.filter(live_q()).aggregate(at=Max(changed()))["at"],
        }
        latest["all"] = max((at for at in latest.values() if at), default=None)
        return [(name, latest[source]) for name, source in self.PAGES.items()]

    def location(self, item):
        return reverse(item[0])

    def lastmod(self, item):
        return item[1]


class InterviewSitemap(SiteURLSitemap):
    priority = 0.9

    def items(self):
        return (
            Interview.objects.published()
            .annotate(lastmod=changed())
            .only("slug", "updated_at", "publish_at")
            .order_by("-publish_at", "pk")
        )


class PostSitemap(SiteURLSitemap):
    priority = 0.7

    def items(self):
        return (
            Post.objects.published()
            .annotate(lastmod=changed())
            .only("slug", "updated_at", "publish_at")
            .order_by("-publish_at", "pk")
        )


class ListingSitemap(SiteURLSitemap):
    """Pages of a model that list published items reached through ``prefix``."""

    model = None
    prefix = ""
    priority = 0.5

    def items(self):
        return (
            self.model.objects.annotate(lastmod=latest_change(self.prefix))
            .filter(lastmod__isnull=False)
            .only("slug")
            .order_by("pk")
        )


class LeaderSitemap(ListingSitemap):
    model = Leader
    prefix = "interviews__"


class SeriesSitemap(ListingSitemap):
    model = Series
    prefix = "interviews__"


class PlatformSitemap(ListingSitemap):
    model = Platform
    prefix = "interviews__"


class ThemeSitemap(ListingSitemap):
    model = Theme
    prefix = "tagged_interviews__content_object__"


class QuestionSitemap(ListingSitemap):
    model = Question
    prefix = "answers__interview__"
    priority = 0.7


class AuthorSitemap(ListingSitemap):
    model = Author
    prefix = "posts__"


class TagSitemap(SiteURLSitemap):
    """Blog tags carried by at least one published post."""

    priority = 0.4

    def items(self):
        return list(
            Post.objects.published()
            .filter(tags__isnull=False)
            .values("tags__slug")
            .annotate(lastmod=Max(changed()))
            .order_by("tags__slug")
        )

    def location(self, item):
        return reverse("blog:tag", kwargs={"slug": item["tags__slug"]})

    def lastmod(self, item):
        return item["lastmod"]


class MonthSitemap(SiteURLSitemap):
    """The blog's monthly archives that have a published post."""

    priority = 0.3

    def items(self):
        return list(
            Post.objects.published()
            .annotate(month=TruncMonth("publish_at"))
            .values("month")
            .annotate(lastmod=Max(changed()))
            .order_by("-month")
        )

    def location(self, item):
        month = (
            timezone.localtime(item["month"]) if timezone.is_aware(item["month"]) else item["month"]
        )
        return reverse("blog:month", kwargs={"year": f"{month:%Y}", "month": f"{month:%m}"})

    def lastmod(self, item):
        return item["lastmod"]


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "interviews": InterviewSitemap,
    "leaders": LeaderSitemap,
    "series": SeriesSitemap,
    "platforms": PlatformSitemap,
    "themes": ThemeSitemap,
    "questions": QuestionSitemap,
    "posts": PostSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "months": MonthSitemap,
}


def sitemap(request):
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS)


@require_GET
def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")
