from django.urls import path, register_converter

from . import views


class TargetKindConverter:
    regex = "post|interview"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TargetKindConverter, "target")

app_name = "comments"

urlpatterns = [
    path("<target:kind>/<int:pk>/", views.post_comment, name="post"),
    path("<target:kind>/<int:pk>/follow/", views.follow, name="follow"),
    path("<int:pk>/edit/", views.edit_comment, name="edit"),
    path("<int:pk>/delete/", views.delete_comment, name="delete"),
    path("follow/confirm/<str:token>/", views.confirm_follow, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("moderate/<str:token>/", views.moderate, name="moderate"),
]
