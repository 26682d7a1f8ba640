from django.urls import path

from . import views

app_name = "interviews"

urlpatterns = [
    path("", views.home, name="home"),
    path("interviews/", views.InterviewListView.as_view(), name="list"),
    path("interviews/<slug:slug>/", views.InterviewDetailView.as_view(), name="detail"),
    path("platforms/<slug:slug>/", views.PlatformDetailView.as_view(), name="platform"),
    path("themes/<slug:slug>/", views.ThemeDetailView.as_view(), name="theme"),
    path("leaders/<slug:slug>/", views.LeaderDetailView.as_view(), name="leader"),
    path("series/<slug:slug>/", views.SeriesDetailView.as_view(), name="series"),
    path("questions/<slug:slug>/", views.QuestionDetailView.as_view(), name="question"),
]
