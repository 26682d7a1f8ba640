"""The root URLconf: it gathers the apps' URLs, feeds and sitemaps (it may import every app)."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from blog import feeds as blog_feeds
from frontpage import feeds as site_feeds
from frontpage.sitemaps import SITEMAPS
from interviews import feeds as interview_feeds
from newsletter.archive import SITEMAPS as NEWSLETTER_SITEMAPS
from socialleaders import health, sitemaps

admin.site.site_header = "Social Leaders editors"
admin.site.site_title = "Social Leaders admin"
admin.site.index_title = "Run the publication"

# Old addresses answer their redirect first; then the 404 page suggests the closest live pages.
handler404 = "search.views.page_not_found"
handler500 = "socialleaders.errors.server_error"

feed_patterns = site_feeds.urlpatterns + interview_feeds.urlpatterns + blog_feeds.urlpatterns

urlpatterns = [
    # Comments moved from the blog app to their own: old admin links (in bookmarks and in
    # moderation emails already sent) still lead to them.
    re_path(
        r"^admin/blog/comment/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/comments/comment/%(rest)s", query_string=True),
    ),
    # Before the admin: the editors' preview and suggestions live under /admin/writing/.
    path("", include("editorial.urls")),
    path("admin/", admin.site.urls),
    # Feeds first: /interviews/feed/ and /blog/feed/ would otherwise be read as slugs.
    path("", include((feed_patterns, "feeds"))),
    path(
        "sitemap.xml",
        sitemaps.sitemap,
        {"sitemaps": {**SITEMAPS, **NEWSLETTER_SITEMAPS}},
        name="sitemap",
    ),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
    # Answered by HealthCheckMiddleware before routing; the route keeps reverse("healthz") working.
    path("healthz", health.healthz, name="healthz"),
    path("blog/", include("blog.urls")),
    path("comments/", include("comments.urls")),
    path("search/", include("search.urls")),
    path("", include("newsletter.urls")),
    path("", include("frontpage.urls")),
    path("", include("interviews.urls")),
]

# The benchmark's floor page, only on a server started by bench/run.py (BENCH_FLOOR=1).
if settings.BENCH_FLOOR:
    urlpatterns.insert(0, path("bench/", include("bench.urls")))

# Uploads on `make run`'s development server (DEBUG only: static() adds nothing otherwise; in
# production the proxy or object storage serves /media/, docs/production.md).
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
