"""A post's author defaults to the editor's own author profile."""

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_new_post_is_by_the_editors_own_author_profile(editor_client, editor):
    mine = f.author(name="The Editor", user=editor)
    f.author(name="Someone else")
    form = editor_client.get(reverse("admin:blog_post_add")).context["adminform"].form
    assert form.initial["author"] == mine.pk
