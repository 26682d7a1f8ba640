from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Social Leaders editors"
admin.site.site_title = "Social Leaders admin"
admin.site.index_title = "Run the publication"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("blog/", include("blog.urls")),
    path("search/", include("search.urls")),
    path("", include("interviews.urls")),
]
