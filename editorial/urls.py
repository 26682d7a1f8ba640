"""Share cards (public) and the writing surface's endpoints under /admin/writing/ (staff only,
CSRF-checked)."""

from django.urls import path

from . import views

app_name = "editorial"

urlpatterns = [
    path("share/cards/<str:token>.png", views.share_card, name="share_card"),
    path("admin/writing/markdown-preview/", views.markdown_preview, name="markdown_preview"),
    path(
        "admin/writing/names/<str:model_label>/",
        views.name_suggestions,
        name="name_suggestions",
    ),
]
