"""The catalogue counts (leaders per platform, interviews per theme, answers per question) are
computed once per content generation when the page cache is on, and every change readers can
see, including a schedule coming due, shows in them at once."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interviews.models import InterviewPlatform
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(page_cache):
    from comments.models import ModerationSettings

    ModerationSettings.load()  # its first-use row is a content change: get it out of the way


def leaders_using(client, slug):
    page = client.get(f"/platforms/{slug}/").content.decode()
    return int(re.search(r"<strong>(\d+)</strong> leaders? uses?", page).group(1))


def answers_on_home(client, question):
    page = client.get("/").content.decode()
    item = page[page.index(question.get_absolute_url()) :]
    return int(re.search(r'question-index__count">(\d+) answer', item).group(1))


def test_counts_are_computed_once_per_generation():
    from django.test import Client

    platform = f.platform(slug="linkedin")
    f.uses(f.interview(), platform)
    f.answer(interview=f.interview())
    client = Client()
    assert client.get("/platforms/").status_code == 200  # computes the platform counts
    with CaptureQueriesContext(connection) as home:
        assert client.get("/").status_code == 200  # a page miss, but the counts are known
    sql = " ".join(q["sql"] for q in home.captured_queries)
    assert "COUNT(DISTINCT" not in sql  # the platform counts were not computed again
    assert "interviews_question" in sql  # the question counts were (first use)
    with CaptureQueriesContext(connection) as questions:
        assert client.get("/questions/").status_code == 200
    assert "interviews_question" not in " ".join(q["sql"] for q in questions.captured_queries)


def test_publishing_editing_and_unpublishing_show_in_the_counts_at_once(client):
    platform = f.platform(slug="linkedin")
    first = f.interview()
    f.uses(first, platform)
    assert leaders_using(client, "linkedin") == 1

    second = f.interview()
    use = f.uses(second, platform)
    assert leaders_using(client, "linkedin") == 2  # a new row, counted on the next request

    use.delete()
    assert leaders_using(client, "linkedin") == 1
    InterviewPlatform.objects.create(interview=second, platform=platform)
    assert leaders_using(client, "linkedin") == 2
    second.status = "draft"
    second.save()
    assert leaders_using(client, "linkedin") == 1


def test_a_schedule_coming_due_shows_in_the_counts(client):
    now = timezone.now()
    question = f.question(slug="advice")
    f.answer(question=question)
    later = f.interview(publish_at=now + timedelta(hours=1))
    f.answer(question=question, interview=later)
    assert answers_on_home(client, question) == 1
    assert answers_on_home(client, question) == 1
    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(hours=1, seconds=1)):
        assert answers_on_home(client, question) == 2
