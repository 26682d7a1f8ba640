"""The writing surface's endpoints, mounted under /admin/writing/ (staff only, CSRF-checked)."""

from django.urls import path

from . import views

app_name = "editorial"

urlpatterns = [
    path("markdown-preview/", views.markdown_preview, name="markdown_preview"),
    path("names/<str:model_label>/", views.name_suggestions, name="name_suggestions"),
]
