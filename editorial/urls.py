from django.urls import path

from . import views

app_name = "editorial"

urlpatterns = [
    path("approve/<str:token>/", views.ApprovalView.as_view(), name="approval"),
    path("quotes/<int:pk>/card.png", views.quote_card, name="quote_card"),
]
