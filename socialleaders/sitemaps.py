"""sitemap.xml and robots.txt: what every sitemap shares.

Each app lists its own pages in its ``sitemaps.py``; the root URLconf gathers them. URLs are on
``settings.SITE_URL`` (no django.contrib.sites), every entry has a ``lastmod``, and only pages a
reader can open are listed (docs/search.md).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import F, Max
from django.db.models.functions import Greatest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .cachetags import list_tag, tag_page
from .publishing import published_q


def _prefix(path):
    return f"{path}__" if path else ""


def changed(path=""):
    """When a published item (at ``path``) last changed for readers: its last edit or its
    publication."""
    prefix = _prefix(path)
    return Greatest(F(f"{prefix}updated_at"), F(f"{prefix}publish_at"))


def latest_change(path, now=None):
    """Max of ``changed`` over the published items reached through ``path``."""
    return Max(changed(path), filter=published_q(path, now))


def last_published_change(model):
    """When any published ``model`` item last changed for readers (None if there is none)."""
    return model.objects.filter(published_q()).aggregate(at=Max(changed()))["at"]


class SiteURLSitemap(Sitemap):
    """A sitemap whose absolute URLs are on settings.SITE_URL."""

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def lastmod(self, item):
        return item.lastmod


class PublishedSitemap(SiteURLSitemap):
    """The published items of a Publishable ``model``, each dated by its last change."""

    model = None

    def items(self):
        return (
            self.model.objects.published()
            .annotate(lastmod=changed())
            .only("slug", "updated_at", "publish_at")
            .order_by("-publish_at", "pk")
        )


class ListingSitemap(SiteURLSitemap):
    """Pages of a ``model`` that list published items reached through ``path``; pages that list
    none are left out."""

    model = None
    path = ""
    priority = 0.5

    def items(self):
        return (
            self.model.objects.annotate(lastmod=latest_change(self.path))
            .filter(lastmod__isnull=False)
            .only("slug")
            .order_by("pk")
        )


def sitemap(request, sitemaps):
    tag_page(*{list_tag(s.model) for s in sitemaps.values() if getattr(s, "model", None)})
    return sitemap_views.sitemap(request, sitemaps=sitemaps)


@require_GET
def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")
