"""The writing surface: the Markdown preview is the page's own rendering, for staff only."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

SOURCE = (
    "## A heading\r\n\r\nSome **bold** and *italic* words, a [link](https://example.org) and "
    '<script>alert("x")</script> a script.\r\n\r\n- one\r\n- two\r\n\r\n> A quote.\r\n'
)
URL = "/admin/writing/markdown-preview/"


def test_the_url_is_named():
    assert reverse("editorial:markdown_preview") == URL


def test_the_preview_is_exactly_what_the_interview_page_shows(editor_client):
    preview = editor_client.post(URL, {"text": SOURCE})
    assert preview.status_code == 200
    assert "no-cache" in preview["Cache-Control"]
    html = preview.json()["html"]
    assert "<h2>A heading</h2>" in html and "<strong>bold</strong>" in html
    assert "<script" not in html  # the site's sanitiser ran

    interview = factories.interview(introduction=SOURCE.replace("\r\n", "\n").strip())
    answer = factories.answer(interview=interview, body=SOURCE.replace("\r\n", "\n").strip())
    assert interview.introduction_html == html and answer.body_html == html
    page = Client().get(interview.get_absolute_url())
    assert html in page.text


def test_the_preview_matches_a_post_body(editor_client):
    post = factories.post(body="Para one.\n\n1. first\n2. second")
    html = editor_client.post(URL, {"text": "Para one.\r\n\r\n1. first\r\n2. second"}).json()
    assert html["html"] == post.body_html
    assert post.body_html in Client().get(post.get_absolute_url()).text


def test_the_preview_refuses_readers_and_non_staff(client, django_user_model):
    assert client.post(URL, {"text": "Hi"}).status_code == 403
    django_user_model.objects.create_user(username="reader", password="a long passphrase")
    client.login(username="reader", password="a long passphrase")
    response = client.post(URL, {"text": "Hi"})
    assert response.status_code == 403 and "html" not in response.json()


def test_the_preview_checks_the_csrf_token_and_takes_post_only(editor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    assert browser.post(URL, {"text": "Hi"}).status_code == 403
    assert browser.get(URL).status_code == 405
    form = browser.get(reverse("admin:blog_post_add"))
    token = form.cookies["csrftoken"].value if "csrftoken" in form.cookies else None
    assert token
    ok = browser.post(URL, {"text": "*Hi*"}, HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200 and ok.json()["html"] == "<p><em>Hi</em></p>"


def test_markdown_bodies_get_the_writing_surface(editor_client):
    interview = factories.interview()
    factories.answer(interview=interview)
    form = editor_client.get(reverse("admin:interviews_interview_change", args=[interview.pk]))
    for name in ("introduction", "closing", "answers-0-body"):
        assert f'name="{name}"' in form.text
    assert form.text.count("markdown-editor") >= 3
    assert f'data-preview-url="{URL}"' in form.text
    assert "editorial/markdown-editor.js" in form.text
    post_form = editor_client.get(reverse("admin:blog_post_add"))
    assert 'class="markdown-editor"' in post_form.text
