"""The site's fixed pages in sitemap.xml, and the whole sitemap in its order."""

from django.urls import reverse

from blog import sitemaps as blog_sitemaps
from blog.models import Post
from interviews import sitemaps as interview_sitemaps
from interviews.models import Interview
from socialleaders.sitemaps import SiteURLSitemap, last_published_change


class PagesSitemap(SiteURLSitemap):
    """The fixed pages; each changes when the content it lists does."""

    priority = 0.6

    def items(self):
        interviews = last_published_change(Interview)
        posts = last_published_change(Post)
        home = max((at for at in (interviews, posts) if at), default=None)
        return (
            [("frontpage:home", home)]
            + [(name, interviews) for name in interview_sitemaps.PAGES]
            + [(name, posts) for name in blog_sitemaps.PAGES]
        )

    def location(self, item):
        return reverse(item[0])

    def lastmod(self, item):
        return item[1]


SITEMAPS = {"pages": PagesSitemap, **interview_sitemaps.SITEMAPS, **blog_sitemaps.SITEMAPS}
