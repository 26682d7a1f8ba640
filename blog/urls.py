from django.urls import path, re_path

from . import views

app_name = "blog"

# The fixed routes come before the post route so a post's slug never swallows them.
urlpatterns = [
    path("", views.PostListView.as_view(), name="index"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    re_path(r"^(?P<year>[0-9]{4})/$", views.YearArchiveView.as_view(), name="year"),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.MonthArchiveView.as_view(),
        name="month",
    ),
    path("<slug:slug>/", views.PostDetailView.as_view(), name="post"),
]
