"""Library images in post and answer bodies: placed as ``![Alt](image:12)`` (the Markdown
toolbar's chooser writes it), kept by the sanitiser as a placeholder and drawn on the page and
in the editors' preview with the library's renditions (responsive srcset, as the piece images);
alt text is required; a page resolves all its body images in one query."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from socialleaders.text import render_markdown
from tests import factories as f
from tests.admin_support import change_form_data

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def made(django_capture_on_commit_callbacks):
    """Library images with their renditions made (at commit, as on the site)."""

    def make(**kw):
        with django_capture_on_commit_callbacks(execute=True):
            return f.image(size=(1600, 1000), **kw)

    return make


def test_the_sanitiser_keeps_library_images_only():
    assert render_markdown("![A cat](image:12)") == '<p><img src="image:12" alt="A cat"></p>'
    assert "img" not in render_markdown("![Elsewhere](https://evil.example/x.png)")
    assert "image:" not in render_markdown("[a link](image:3)")
    raw = render_markdown('<img src="image:4" alt="x" onerror="alert(1)" title="t">')
    assert raw == '<p><img src="image:4" alt="x"></p>'


def test_a_post_body_shows_its_library_images_with_renditions(client, made, no_page_cache):
    photo = made(title="Desk", alt="Library default")
    post = f.post(body=f"Before.\n\n![Ada at her desk](image:{photo.pk})\n\nAfter.")
    html = client.get(post.get_absolute_url()).text
    figure = html.split('<figure class="body-image">')[1].split("</figure>")[0]
    assert 'alt="Ada at her desk"' in figure
    assert '<source type="image/webp" srcset="' in figure
    assert re.search(r'srcset="[^"]+ 640w, [^"]+ 960w', figure)
    assert 'sizes="(min-width: 44rem) 40rem, 100vw"' in figure
    assert 'src="image:' not in html  # no placeholder reaches the reader


def test_an_image_gone_from_the_library_is_left_out(client, made, no_page_cache):
    photo = made()
    post = f.post(body=f"Text.\n\n![Gone soon](image:{photo.pk})")
    photo.delete()
    html = client.get(post.get_absolute_url()).text
    assert "Gone soon" not in html and 'src="image:' not in html


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_body_with_several_images_costs_one_query_for_them(client, made, no_page_cache):
    photos = [made(title=f"Photo {n}") for n in range(5)]
    one = f.post(body=f"![One](image:{photos[0].pk})")
    five = f.post(body="\n\n".join(f"![Photo {p.pk}](image:{p.pk})" for p in photos))
    plain = f.post(body="No image.")
    _queries(client, one.get_absolute_url())  # warm what is cached per process
    assert _queries(client, five.get_absolute_url()) == _queries(client, one.get_absolute_url())
    assert (
        _queries(client, plain.get_absolute_url()) == _queries(client, one.get_absolute_url()) - 1
    )


def test_an_interviews_answers_resolve_their_images_together(client, made, no_page_cache):
    photos = [made() for _ in range(6)]
    small = f.interview(slug="small")
    f.answer(interview=small, body=f"![First](image:{photos[0].pk})")
    large = f.interview(slug="large")
    for n, photo in enumerate(photos):
        f.answer(interview=large, body=f"Answer {n}.\n\n![Photo {n}](image:{photo.pk})")
    _queries(client, small.get_absolute_url())
    assert _queries(client, large.get_absolute_url()) == _queries(client, small.get_absolute_url())
    html = client.get(large.get_absolute_url()).text
    assert html.count('<figure class="body-image">') == 6


def test_the_preview_draws_the_images_as_the_page_does(editor_client, client, made, no_page_cache):
    photo = made(alt="Default")
    body = f"Intro.\n\n![A portrait](image:{photo.pk})"
    preview = editor_client.post(reverse("editorial:markdown_preview"), {"text": body}).json()
    post = f.post(body=body)
    page = client.get(post.get_absolute_url()).text
    assert preview["html"] in page
    assert "<picture>" in preview["html"]


def _post_form(editor_client, post):
    url = reverse("admin:blog_post_change", args=[post.pk])
    return url, change_form_data(editor_client.get(url))


@pytest.mark.parametrize(
    "body, says",
    [
        ("Typed text.\n\n![](image:{pk})", "has no alt text"),
        ("Typed text.\n\n![ ](image:{pk})", "has no alt text"),
        ("Typed text.\n\n![A photo](image:999999)", "no image 999999 in the library"),
    ],
)
def test_a_body_image_without_alt_is_refused_keeping_what_was_typed(
    editor_client, made, body, says
):
    photo = made()
    post = f.post(published=False, body="Before.")
    url, data = _post_form(editor_client, post)
    typed = body.format(pk=photo.pk)
    data.update({"body": typed, "_continue": "1"})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert says in response.text
    assert "Typed text." in response.text
    post.refresh_from_db()
    assert post.body == "Before."


def test_an_answer_body_image_needs_alt_text_too(editor_client, made):
    photo = made()
    interview = f.interview(published=False)
    f.answer(interview=interview, body="Before.")
    url = reverse("admin:interviews_interview_change", args=[interview.pk])
    data = change_form_data(editor_client.get(url))
    data.update({"answers-0-body": f"Kept.\n\n![](image:{photo.pk})", "_continue": "1"})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "has no alt text" in response.text and "Kept." in response.text
    data["answers-0-body"] = f"Kept.\n\n![The leader on stage](image:{photo.pk})"
    assert editor_client.post(url, data).status_code == 302
    assert interview.answers.get().body.endswith(f"(image:{photo.pk})")


def test_the_toolbar_offers_images_on_bodies_and_the_chooser_lists_thumbnails(
    editor_client, client, made
):
    photo = made(title="Portrait of Ada", alt="Ada Lovelace")
    form = editor_client.get(reverse("admin:blog_post_add")).text
    chooser = reverse("admin:images_image_choose")
    assert f'data-image-chooser-url="{chooser}"' in form
    listed = editor_client.get(chooser, {"q": "ada"}).json()["images"]
    assert listed == [
        {
            "id": photo.pk,
            "title": "Portrait of Ada",
            "alt": "Ada Lovelace",
            "thumbnail": reverse("admin:images_image_thumbnail", args=[photo.pk]),
        }
    ]
    assert editor_client.get(chooser, {"q": "nobody"}).json()["images"] == []
    assert Client().get(chooser).status_code == 302  # to the login page


def test_an_image_uploaded_with_a_piece_keeps_its_description_in_the_library(editor_client):
    from tests.images.test_validation import upload_leader_photo

    response, leader = upload_leader_photo(
        editor_client, f.jpeg_bytes(), "sam.jpg", alt="Sam Rivers in the council chamber"
    )
    assert response.status_code == 302
    assert leader.photo.alt == "Sam Rivers in the council chamber"  # offered when reused
