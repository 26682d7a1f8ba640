"""Themes and tags match whatever the case: typing "listening" reuses "Listening"."""

import pytest

from interviews.models import Theme
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_theme_typed_in_another_case_is_the_same_theme():
    listening = f.theme(name="Listening", slug="listening")
    interview = f.interview()
    interview.themes.add("listening", "LISTENING")
    assert list(interview.themes.all()) == [listening]
    assert Theme.objects.filter(name__iexact="listening").count() == 1


def test_blog_tags_too():
    first, second = f.post(), f.post()
    first.tags.add("Councils")
    second.tags.add("councils")
    assert list(first.tags.all()) == list(second.tags.all())
