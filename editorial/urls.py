from django.urls import path

from . import views

app_name = "editorial"

urlpatterns = [
    path("cards/<str:token>.png", views.share_card, name="share_card"),
]
