"""The blog's pages: index, post with threaded comments, tag, author, monthly archive."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from comments.models import Comment
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


def html(response):
    return response.content.decode()


def test_blog_index_lists_published_posts_newest_first_paginated(client):
    posts = [f.post(publish_at=timezone.now() - timedelta(days=i)) for i in range(12)]
    f.post(title="Draft post", published=False)
    f.post(title="Future post", publish_at=timezone.now() + timedelta(days=1))
    page = html(client.get("/blog/"))
    assert page.count('class="post-list__item"') == 10
    assert page.index(posts[0].title + "<") < page.index(posts[1].title + "<")
    assert "Draft post" not in page and "Future post" not in page
    second = html(client.get("/blog/?page=2"))
    assert second.count('class="post-list__item"') == 2
    assert client.get("/blog/?page=3").status_code == 404
    assert client.get("/blog/?page=two").status_code == 404


def test_post_page(client, settings):
    settings.SITE_URL = "https://socialleaders.example"
    author = f.author(name="Gemma Writer", slug="gemma", bio="Writes about *housing*.")
    post = f.post(
        author=author,
        title="Why we tweet",
        slug="why-we-tweet",
        excerpt="A short excerpt.",
        body="Para one.\n\n* a list item\n\n" + "word " * 600,
    )
    post.tags.add("Housing")
    response = client.get("/blog/why-we-tweet/")
    assert response.status_code == 200
    page = html(response)
    assert page.count("<h1") == 1
    assert "Why we tweet · Social Leaders</title>" in page
    assert "<li>a list item</li>" in page
    assert "3 min read" in page
    assert 'href="/blog/tags/housing/"' in page
    assert 'href="/blog/authors/gemma/"' in page
    assert "Writes about <em>housing</em>." in page
    assert '<link rel="canonical" href="https://socialleaders.example/blog/why-we-tweet/">' in page
    local = timezone.localtime(post.publish_at)
    assert f'href="/blog/{local:%Y}/{local:%m}/"' in page
    assert f"{local.day} {local:%B %Y}" in page  # "21 November 2026"


@pytest.mark.parametrize(
    "kwargs", [{"published": False}, {"publish_at": timezone.now() + timedelta(days=1)}]
)
def test_hidden_post_is_404_but_editors_preview_it(client, editor, kwargs):
    f.post(slug="hidden", title="Hidden post", **kwargs)
    assert client.get("/blog/hidden/").status_code == 404
    client.force_login(editor)
    response = client.get("/blog/hidden/")
    assert response.status_code == 200
    assert 'id="preview-banner"' in html(response)
    for directive in ("private", "no-cache", "no-store"):
        assert directive in response["Cache-Control"]


def test_comments_are_threaded_approved_only_with_pingbacks_apart(client):
    post = f.post(slug="talk")
    first = f.comment(post=post, name="Alice", body="First!")
    reply = f.comment(
        post=post, parent=first, name="Post Author", body="Thanks Alice", by_post_author=True
    )
    deeper = f.comment(post=post, parent=reply, name="Alice", body="A deeper reply")
    second = f.comment(post=post, name="Bob", body="Second top-level")
    f.comment(post=post, name="Spammer", body="Buy things", status=Comment.Status.SPAM)
    f.comment(post=post, name="Waiting", body="Not yet", status=Comment.Status.PENDING)
    pending_parent = f.comment(post=post, name="Held", body="Held", status="pending")
    orphan = f.comment(post=post, parent=pending_parent, name="Orphan", body="Reply to held")
    f.comment(
        post=post,
        name="Other Blog",
        body="[...] linked [...]",
        kind=Comment.Kind.PINGBACK,
        website="https://other.example/",
    )
    page = html(client.get("/blog/talk/"))
    assert "Buy things" not in page and "Not yet" not in page and ">Held<" not in page
    assert "5 responses" in page  # four approved comments + the orphaned reply, no pingback
    # Nesting: the reply sits in a nested list inside its parent's <li>, and so on.
    thread = page[page.index(f'id="comment-{first.pk}"') : page.index(f'id="comment-{second.pk}"')]
    assert thread.count('<ol class="comment-list comment-list--replies">') == 2
    assert f'id="comment-{reply.pk}"' in thread and f'id="comment-{deeper.pk}"' in thread
    # Balanced lists: as many <ol> as </ol>, <li> as </li> in the whole comments section.
    section = page[page.index('id="comments"') : page.index('id="pingbacks-title"')]
    assert section.count("<ol") == section.count("</ol>")
    assert section.count("<li") == section.count("</li>")
    # The author's reply is marked in words.
    reply_html = page[page.index(f'id="comment-{reply.pk}"') :]
    assert '<span class="badge badge--author">Author</span>' in reply_html[:600]
    # A reply whose parent is not shown is shown at the top level.
    assert f'id="comment-{orphan.pk}"' in page
    # Comments are open on this post: each shown comment has its reply link.
    assert f'data-reply-to="{deeper.pk}"' in page
    # Pingbacks are listed apart, after the comments.
    assert page.index("Elsewhere on the web") > page.index("Second top-level")
    assert 'href="https://other.example/"' in page


def test_comment_text_is_escaped(client):
    post = f.post(slug="x")
    f.comment(
        post=post,
        name="<b>Bold</b>",
        body="<script>alert(1)</script>",
        website="https://ok.example/",
    )
    page = html(client.get("/blog/x/"))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page
    assert "<b>Bold</b>" not in page  # not in the reply link's attributes either


def test_tag_page(client):
    tagged = f.post(title="Tagged post")
    tagged.tags.add("Digital")
    other = f.post(title="Untagged post")
    draft = f.post(title="Tagged draft", published=False)
    draft.tags.add("Digital")
    page = html(client.get("/blog/tags/digital/"))
    assert "Tagged post" in page
    assert other.title not in page and "Tagged draft" not in page
    assert client.get("/blog/tags/unknown/").status_code == 404


def test_author_page(client):
    author = f.author(name="Guest Writer", slug="guest", is_guest=True)
    f.post(author=author, title="Guest post")
    f.post(author=author, title="Guest draft", published=False)
    page = html(client.get("/blog/authors/guest/"))
    assert "<h1>Guest Writer</h1>" in page
    assert "Guest post" in page and "Guest draft" not in page
    assert "<strong>1</strong> post" in page
    assert client.get("/blog/authors/nobody/").status_code == 404


def test_month_archive(client):
    tz = timezone.get_current_timezone()
    may = f.post(title="May post", publish_at=datetime(2024, 5, 31, 23, 30, tzinfo=tz))
    f.post(title="June post", publish_at=datetime(2024, 6, 1, 0, 30, tzinfo=tz))
    f.post(title="May draft", published=False, publish_at=datetime(2024, 5, 3, tzinfo=tz))
    page = html(client.get("/blog/2024/05/"))
    assert "<h1>May 2024</h1>" in page
    assert may.title in page and "June post" not in page and "May draft" not in page
    assert client.get("/blog/2024/07/").status_code == 404  # no posts that month
    for bad in (
        "/blog/2024/13/",
        "/blog/2024/00/",
        "/blog/0000/01/",
        "/blog/2024/5/",
        "/blog/99999/01/",
    ):
        assert client.get(bad).status_code == 404, bad


def test_archive_routes_are_not_taken_for_post_slugs(client):
    f.post(slug="tags", title="A post called tags")
    f.post(slug="authors", title="A post called authors")
    assert "A post called tags" in html(client.get("/blog/tags/"))
    assert client.get("/blog/authors/").status_code == 200


def _responses_shown(client, post):
    """The "N responses" figure the blog index shows next to ``post`` (0 when none)."""
    import re

    page = html(client.get("/blog/"))
    item = page[page.index(f'href="{post.get_absolute_url()}"') :]
    item = item[: item.index("</li>")] if "</li>" in item else item
    found = re.search(r"(\d+) responses?<", item)
    return int(found.group(1)) if found else 0


def test_blog_index_counts_follow_moderation_by_every_path(client, admin_client):
    from comments import services as comments_services

    post = f.post(title="Counted post")
    f.post(title="Another post")  # its comments must not be counted on the first
    approved = [f.comment(post=post) for _ in range(3)]
    f.comment(post=post, kind=Comment.Kind.PINGBACK, website="https://x.example/")
    pending = f.comment(post=post, status=Comment.Status.PENDING)
    f.comment(post=f.post(title="Third post"))  # counted on its own post, not this one
    assert _responses_shown(client, post) == 3  # approved comments only, no pingback

    comments_services.approve(Comment.objects.filter(pk=pending.pk))
    assert _responses_shown(client, post) == 4

    comments_services.mark_spam(Comment.objects.filter(pk=approved[0].pk))
    assert _responses_shown(client, post) == 3

    # The admin's bulk actions write with update(): the count follows them too.
    changelist = "/admin/comments/comment/"
    response = admin_client.post(
        changelist, {"action": "remove", "_selected_action": [approved[1].pk]}
    )
    assert response.status_code == 302
    assert _responses_shown(client, post) == 2
    response = admin_client.post(
        changelist, {"action": "approve", "_selected_action": [approved[0].pk]}
    )
    assert response.status_code == 302
    assert _responses_shown(client, post) == 3

    comments_services.delete_comment(Comment.objects.get(pk=approved[2].pk))
    assert _responses_shown(client, post) == 2
    Comment.objects.filter(post=post).update(status=Comment.Status.SPAM)
    assert _responses_shown(client, post) == 0


def test_a_written_excerpt_is_a_standfirst_but_a_cut_opening_is_not_repeated(client):
    written = f.post(excerpt="Why we stopped counting followers.", body="It began in 2014.")
    cut = f.post(
        excerpt="Two years ago I invited someone…",
        body="Two years ago I invited someone to a meeting &amp; a chat.\n\nMore.",
    )
    assert '<p class="standfirst p-summary">Why we stopped' in html(
        client.get(written.get_absolute_url())
    )
    page = html(client.get(cut.get_absolute_url()))
    assert 'class="standfirst' not in page
    main = page[page.index("<main") : page.index("</main>")]
    assert main.count("Two years ago I invited someone") == 1  # in the body, once
