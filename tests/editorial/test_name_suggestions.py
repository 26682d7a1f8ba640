"""Themes and tags offered as you type: a staff-only list of existing names."""

import pytest
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from tests import factories

pytestmark = pytest.mark.django_db


def suggest(client, label, typed):
    return client.get(reverse("editorial:name_suggestions", args=[label]), {"q": typed})


def test_existing_themes_are_offered_whatever_the_case(editor_client):
    for name in ("Listening", "Leadership", "Being listened to", "Video"):
        factories.theme(name=name)
    response = suggest(editor_client, "interviews.theme", "LIST")
    assert response.status_code == 200
    assert response.json()["names"] == ["Listening", "Being listened to"]  # starting with it first
    assert suggest(editor_client, "interviews.theme", " ").json()["names"] == []


def test_blog_tags_are_offered(editor_client):
    Tag.objects.create(name="Councils", slug="councils")
    assert suggest(editor_client, "taggit.tag", "coun").json()["names"] == ["Councils"]


def test_suggestions_are_for_staff_and_known_lists_only(editor_client, django_user_model):
    factories.theme(name="Listening")
    client = Client()
    assert suggest(client, "interviews.theme", "list").status_code == 403
    django_user_model.objects.create_user(username="reader", password="a long passphrase")
    client.login(username="reader", password="a long passphrase")
    assert suggest(client, "interviews.theme", "list").status_code == 403
    assert suggest(editor_client, "auth.user", "a").status_code == 404
    assert suggest(editor_client, "nonsense", "a").status_code == 404


def test_the_theme_and_tag_boxes_ask_for_suggestions(editor_client):
    form = editor_client.get(reverse("admin:interviews_interview_add"))
    assert 'data-suggest-url="/admin/writing/names/interviews.theme/"' in form.text
    assert "editorial/tag-suggest.js" in form.text
    post_form = editor_client.get(reverse("admin:blog_post_add"))
    assert 'data-suggest-url="/admin/writing/names/taggit.tag/"' in post_form.text
