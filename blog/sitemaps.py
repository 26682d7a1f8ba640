"""The blog in sitemap.xml: posts, and the tag, author and month pages that list them."""

from django.db.models import Max
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from socialleaders.sitemaps import ListingSitemap, PublishedSitemap, SiteURLSitemap, changed

from .models import Author, Post


class PostSitemap(PublishedSitemap):
    model = Post
    priority = 0.7


class AuthorSitemap(ListingSitemap):
    model = Author
    path = "posts"


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


# The fixed pages, each dated by the latest published post (frontpage's "pages" section).
PAGES = ["blog:index"]

SITEMAPS = {
    "posts": PostSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "months": MonthSitemap,
}
