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

if settings.BENCH_FLOOR:
    from socialleaders import bench

    urlpatterns.insert(0, path("bench/floor/", bench.floor, name="bench-floor"))
