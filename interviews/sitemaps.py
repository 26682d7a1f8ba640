"""The interview series in sitemap.xml: interviews and the pages that list them."""

from socialleaders.sitemaps import ListingSitemap, PublishedSitemap

from .models import Interview, Leader, Platform, Question, Series, Theme


class InterviewSitemap(PublishedSitemap):
    model = Interview
    priority = 0.9


class LeaderSitemap(ListingSitemap):
    model = Leader
    path = "interviews"


class SeriesSitemap(ListingSitemap):
    model = Series
    path = "interviews"


class PlatformSitemap(ListingSitemap):
    model = Platform
    path = "interviews"


class ThemeSitemap(ListingSitemap):
    model = Theme
    path = "tagged_interviews__content_object"


class QuestionSitemap(ListingSitemap):
    model = Question
    path = "answers__interview"
    priority = 0.7


# The fixed pages, each dated by the latest published interview (frontpage's "pages" section).
PAGES = [
    "interviews:list",
    "interviews:leaders",
    "interviews:platforms",
    "interviews:themes",
    "interviews:questions",
    "interviews:quotes",
]

SITEMAPS = {
    "interviews": InterviewSitemap,
    "leaders": LeaderSitemap,
    "series": SeriesSitemap,
    "platforms": PlatformSitemap,
    "themes": ThemeSitemap,
    "questions": QuestionSitemap,
}
