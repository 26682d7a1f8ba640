from django.urls import path

from . import views

app_name = "blog"

urlpatterns = [
    path("", views.PostListView.as_view(), name="index"),
    path("authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author"),
    path("<slug:slug>/", views.PostDetailView.as_view(), name="post"),
]
