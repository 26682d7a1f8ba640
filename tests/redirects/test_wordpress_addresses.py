"""Every old address the WordPress importer hands to ``add_redirect``/``gone`` answers 301 with
the new address (or 410), however the link was spelled when it was shared."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from redirects.models import Redirect
from redirects.services import RedirectError, add_redirect, gone
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return f.post(slug="why-leaders-tweet", title="Why leaders tweet")


def assert_moved(client, old, new):
    response = client.get(old)
    assert response.status_code == 301, (old, response.status_code)
    assert response["Location"] == new
    assert "max-age=60" in response["Cache-Control"]


@pytest.mark.parametrize(
    "old",
    [
        "/2014/05/12/why-leaders-tweet/",  # day and name
        "/2014/05/why-leaders-tweet/",  # month and name
        "/2014/why-leaders-tweet/",
        "/archives/123",  # numeric permalinks
        "/why-leaders-tweet/",  # post name only
    ],
)
def test_permalinks_of_a_post_lead_to_its_new_page(client, post, old):
    add_redirect(old, post)
    assert_moved(client, old, "/blog/why-leaders-tweet/")
    # The same link as people shared it: no trailing slash, capitals, tracking parameters.
    assert_moved(
        client, old.rstrip("/").upper() + "?utm_source=twitter", "/blog/why-leaders-tweet/"
    )


def test_plain_permalinks_by_id_lead_to_the_piece(client, post):
    add_redirect("/?p=123", post)
    page = f.post(slug="about-us")
    add_redirect("/?page_id=7", page)
    assert_moved(client, "/?p=123", "/blog/why-leaders-tweet/")
    assert_moved(client, "/?p=123&replytocom=5", "/blog/why-leaders-tweet/")
    assert_moved(client, "/?page_id=7", "/blog/about-us/")
    # The home page itself, and ids nobody imported, are left alone.
    assert client.get("/").status_code == 200
    assert client.get("/?p=999").status_code == 200


def test_categories_tags_and_authors_lead_to_the_blogs_pages(client, post):
    tag = Tag.objects.create(name="Local government", slug="local-government")
    news = Tag.objects.create(name="News", slug="news")
    add_redirect("/category/local-government/", tag)
    add_redirect("/category/news/sub-news/", news)
    add_redirect("/tag/news/", news)
    add_redirect("/?cat=4", tag)
    add_redirect("/author/jane/", post.author)
    add_redirect("/?author=2", post.author)
    assert_moved(client, "/category/local-government/", "/blog/tags/local-government/")
    assert_moved(client, "/category/news/sub-news", "/blog/tags/news/")
    assert_moved(client, "/tag/news/", "/blog/tags/news/")
    assert_moved(client, "/?cat=4", "/blog/tags/local-government/")
    assert_moved(client, "/author/jane/", post.author.get_absolute_url())
    assert_moved(client, "/?author=2", post.author.get_absolute_url())


def test_feeds_lead_to_the_new_feeds(client, post):
    news = Tag.objects.create(name="News", slug="news")
    site_feed = reverse("feeds:site-rss")
    tag_feed = reverse("feeds:tag-rss", kwargs={"slug": "news"})
    add_redirect("/feed/", site_feed)
    add_redirect("/feed/atom/", reverse("feeds:site-atom"))
    add_redirect("/?feed=rss2", site_feed)
    add_redirect("/comments/feed/", site_feed)
    add_redirect("/category/news/feed/", tag_feed)
    add_redirect("/tag/news/feed/", tag_feed)
    add_redirect("/2014/05/12/why-leaders-tweet/feed/", post)
    assert_moved(client, "/feed/", site_feed)
    assert_moved(client, "/feed", site_feed)
    assert_moved(client, "/feed/atom/", "/feeds/atom/")
    assert_moved(client, "/?feed=rss2", site_feed)
    assert_moved(client, "/comments/feed/", site_feed)
    assert_moved(client, "/category/news/feed/", tag_feed)
    assert_moved(client, "/tag/news/feed/", tag_feed)
    assert_moved(client, "/2014/05/12/why-leaders-tweet/feed/", "/blog/why-leaders-tweet/")
    assert news.slug == "news"


def test_attachment_pages_and_uploaded_files_lead_to_the_new_media(client, post):
    add_redirect("/2014/05/12/why-leaders-tweet/team-photo/", post)
    add_redirect("/?attachment_id=55", post)
    add_redirect("/wp-content/uploads/2014/05/Team-Photo.jpg", "/media/posts/2014/team-photo.jpg")
    add_redirect(
        "/wp-content/uploads/2014/05/Team-Photo-300x200.jpg", "/media/posts/2014/team-photo.jpg"
    )
    add_redirect("/wp-content/uploads/2014/05/report.pdf", "https://cdn.example.org/report.pdf")
    assert_moved(client, "/2014/05/12/why-leaders-tweet/team-photo/", "/blog/why-leaders-tweet/")
    assert_moved(client, "/?attachment_id=55", "/blog/why-leaders-tweet/")
    assert_moved(
        client, "/wp-content/uploads/2014/05/Team-Photo.jpg", "/media/posts/2014/team-photo.jpg"
    )
    assert_moved(
        client,
        "/wp-content/uploads/2014/05/team-photo-300x200.jpg",
        "/media/posts/2014/team-photo.jpg",
    )
    assert_moved(
        client, "/wp-content/uploads/2014/05/report.pdf", "https://cdn.example.org/report.pdf"
    )


def test_non_ascii_slugs_match_however_they_were_encoded(client, post):
    add_redirect("/2014/05/12/caf%C3%A9-cr%C3%A8me/", post)
    assert_moved(client, "/2014/05/12/café-crème/", "/blog/why-leaders-tweet/")
    assert_moved(client, "/2014/05/12/caf%C3%A9-cr%C3%A8me", "/blog/why-leaders-tweet/")


def test_pieces_that_were_trashed_answer_410(client):
    gone("/2013/01/02/old-news/")
    gone("/?p=77")
    response = client.get("/2013/01/02/old-news/")
    assert response.status_code == 410
    assert b"removed" in response.content
    assert client.get("/?p=77").status_code == 410


def test_running_the_import_again_changes_nothing(post):
    add_redirect("/2014/05/12/why-leaders-tweet/", post)
    add_redirect("/2014/05/12/why-leaders-tweet", post)
    add_redirect("https://old.example.com/2014/05/12/why-leaders-tweet/", post)
    assert Redirect.objects.count() == 1
    redirect = Redirect.objects.get()
    assert redirect.source == Redirect.Source.WORDPRESS
    assert redirect.target == post


def test_a_redirect_follows_the_piece_when_its_slug_changes_later(client, post):
    add_redirect("/2014/05/12/why-leaders-tweet/", post)
    post.slug = "leaders-on-twitter"
    post.save()
    assert_moved(client, "/2014/05/12/why-leaders-tweet/", "/blog/leaders-on-twitter/")
    assert_moved(client, "/blog/why-leaders-tweet/", "/blog/leaders-on-twitter/")


def test_live_pages_win_over_a_redirect(client, post):
    add_redirect("/blog/why-leaders-tweet/", "/elsewhere/")
    assert client.get("/blog/why-leaders-tweet/").status_code == 200


def test_bad_input_is_refused_and_changes_nothing(post):
    with pytest.raises(ValueError):
        add_redirect("", post)
    with pytest.raises(ValueError):
        add_redirect("/x/", "javascript:alert(1)")
    with pytest.raises(RedirectError):
        add_redirect("/blog/why-leaders-tweet", post)
    assert not Redirect.objects.exists()
