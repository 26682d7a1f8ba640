from django.urls import path

from . import views

app_name = "interviews"

urlpatterns = [
    path("interviews/", views.InterviewListView.as_view(), name="list"),
    path("interviews/<slug:slug>/", views.InterviewDetailView.as_view(), name="detail"),
    path("platforms/", views.PlatformListView.as_view(), name="platforms"),
    path("platforms/<slug:slug>/", views.PlatformDetailView.as_view(), name="platform"),
    path("themes/", views.ThemeListView.as_view(), name="themes"),
    path("themes/<slug:slug>/", views.ThemeDetailView.as_view(), name="theme"),
    path("quotes/", views.QuoteListView.as_view(), name="quotes"),
    path("leaders/", views.LeaderListView.as_view(), name="leaders"),
    path("leaders/<slug:slug>/", views.LeaderDetailView.as_view(), name="leader"),
    path("series/<slug:slug>/", views.SeriesDetailView.as_view(), name="series"),
    path("questions/", views.QuestionListView.as_view(), name="questions"),
    path("questions/<slug:slug>/", views.QuestionDetailView.as_view(), name="question"),
    path("approve/<str:token>/", views.ApprovalView.as_view(), name="approval"),
    path("quotes/<int:pk>/", views.QuoteDetailView.as_view(), name="quote"),
    path("quotes/<int:pk>/card.png", views.quote_card, name="quote_card"),
]
