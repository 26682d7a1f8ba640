"""Pieces taken off the site for good answer 410 Gone; deleting answers 404 unless asked."""

import pytest
from django.urls import reverse

from redirects.models import Redirect
from redirects.services import add_redirect, gone
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_take_down_action_answers_410_at_every_address_of_the_piece(editor_client, reader):
    post = f.post(slug="b", title="Taken down")
    post.slug = "c"
    post.save()  # /blog/b/ → /blog/c/
    add_redirect("/2014/05/12/b/", post)
    response = editor_client.post(
        reverse("admin:blog_post_changelist"),
        {"action": "take_down_for_good", "_selected_action": [post.pk]},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == "draft"
    for path in ("/blog/c/", "/blog/b/", "/2014/05/12/b/"):
        assert reader.get(path).status_code == 410, path


def test_publishing_a_taken_down_piece_again_brings_its_addresses_back(editor_client, reader):
    interview = f.interview(slug="b")
    add_redirect("/old/", interview)
    editor_client.post(
        reverse("admin:interviews_interview_changelist"),
        {"action": "take_down_for_good", "_selected_action": [interview.pk]},
    )
    assert reader.get("/old/").status_code == 410
    interview.refresh_from_db()
    interview.status = "published"
    interview.save()
    assert reader.get("/interviews/b/").status_code == 200
    response = reader.get("/old/")
    assert (response.status_code, response["Location"]) == (301, "/interviews/b/")
    assert not Redirect.objects.filter(old_path="/interviews/b").exists()


def test_deleting_a_piece_answers_404_and_drops_the_redirects_to_it(client):
    post = f.post(slug="b")
    add_redirect("/old/", post)
    post.delete()
    assert not Redirect.objects.exists()
    assert client.get("/old/").status_code == 404
    assert client.get("/blog/b/").status_code == 404


def test_with_the_option_deleting_a_live_piece_answers_410(settings, client):
    settings.REDIRECTS_GONE_ON_DELETE = True
    post = f.post(slug="b")
    add_redirect("/old/", post)
    draft = f.post(slug="never-public", published=False)
    post.delete()
    draft.delete()
    assert client.get("/old/").status_code == 410
    assert client.get("/blog/b/").status_code == 410
    assert client.get("/blog/never-public/").status_code == 404


def test_an_address_marked_gone_by_hand(client):
    gone("/2012/01/01/spam/", source=Redirect.Source.MANUAL)
    response = client.get("/2012/01/01/spam")
    assert response.status_code == 410
    assert "noindex" in response.content.decode()
