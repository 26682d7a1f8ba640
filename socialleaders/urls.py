from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from socialleaders import health, sitemaps

admin.site.site_header = "Social Leaders editors"
admin.site.site_title = "Social Leaders admin"
admin.site.index_title = "Run the publication"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Feeds first: /interviews/feed/ and /blog/feed/ would otherwise be read as slugs.
    path("", include("socialleaders.feeds")),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
    # Answered by HealthCheckMiddleware before routing; the route keeps reverse("healthz") working.
    path("healthz", health.healthz, name="healthz"),
    path("blog/", include("blog.urls")),
    path("comments/", include("comments.urls")),
    path("search/", include("search.urls")),
    path("", include("editorial.urls")),
    path("", include("interviews.urls")),
]

# The benchmark's floor page, only on a server started by bench/run.py (BENCH_FLOOR=1).
if settings.BENCH_FLOOR:
    urlpatterns.insert(0, path("bench/", include("bench.urls")))
