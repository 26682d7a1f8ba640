from django.shortcuts import render
from django.views.generic import DetailView, ListView

from .models import Interview, Leader, Platform, Question, Series, Theme


def home(request):
    interviews = Interview.objects.published().select_related("leader")[:6]
    return render(request, "interviews/home.html", {"interviews": interviews})


class InterviewListView(ListView):
    paginate_by = 12

    def get_queryset(self):
        return Interview.objects.published().select_related("leader", "series")


class InterviewDetailView(DetailView):
    def get_queryset(self):
        return Interview.objects.published().select_related("leader", "series")


class PlatformDetailView(DetailView):
    model = Platform


class ThemeDetailView(DetailView):
    model = Theme


class LeaderDetailView(DetailView):
    model = Leader


class SeriesDetailView(DetailView):
    model = Series


class QuestionDetailView(DetailView):
    model = Question
