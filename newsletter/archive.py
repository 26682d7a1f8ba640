"""The archive of past issues and digests on the public site: its list, feed and sitemap
entries. Only sends that have started are public; each one's page is its web version
(views.web_version). Every page here carries ``issues.ARCHIVE_TAG``: a send starting makes
them stale."""

from django.conf import settings
from django.urls import reverse
from django.views.generic import ListView

from socialleaders.cachetags import tag_page
from socialleaders.feeds import BaseFeed, absolute, summary
from socialleaders.sitemaps import SiteURLSitemap
from socialleaders.views import PublicPageMixin

from .selectors import ARCHIVE_TAG, sent_issues

FEED_TITLE = "newsletter issues and weekly digests"


def title_of(mailing):
    return str(mailing.subject)


def web_url(mailing):
    return reverse("newsletter:web_version", args=[mailing.pk])


class ArchiveView(PublicPageMixin, ListView):
    cache_tags = (ARCHIVE_TAG,)
    template_name = "newsletter/archive.html"
    context_object_name = "sends"
    paginate_by = 30

    def get_queryset(self):
        return sent_issues()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            feed_title=f"{settings.SITE_NAME}: {FEED_TITLE}",
            feed_url=reverse("newsletter:feed"),
        )
        return context


class ArchiveFeed(BaseFeed):
    cache_tags = (ARCHIVE_TAG,)

    def title(self):
        return f"{settings.SITE_NAME}: {FEED_TITLE}"

    def link(self):
        return absolute(reverse("newsletter:archive"))

    def feed_url(self, obj=None):
        return absolute(reverse("newsletter:feed"))

    def items(self):
        return sent_issues()[:20]

    def item_title(self, item):
        return title_of(item)

    def item_link(self, item):
        return absolute(web_url(item))

    def item_description(self, item):
        if item.issue_id:
            return summary("", item.issue.body_html)
        return f"The week's new interviews and posts on {settings.SITE_NAME}."

    def item_pubdate(self, item):
        return item.started_at

    def item_updateddate(self, item):
        return item.started_at


class ArchiveSitemap(SiteURLSitemap):
    """The archive's page and each sent issue's and digest's web version."""

    priority = 0.3

    def items(self):
        """The archive's page is listed once something was sent (an empty list is left out,
        as the site's other lists are)."""
        tag_page(ARCHIVE_TAG)
        sends = [(web_url(m), m.started_at) for m in sent_issues()]
        if not sends:
            return []
        return [(reverse("newsletter:archive"), sends[0][1]), *sends]

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]


SITEMAPS = {"newsletter": ArchiveSitemap}
