"""Posting comments and replies: what readers see, and every refusal (comments/views.py)."""

import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from comments.forms import TIMESTAMP_SALT, make_timestamp
from comments.models import Comment
from tests import factories
from tests.comments.support import form_data, post_url, send
from tests.factories import moderation_settings as policy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def post():
    return factories.post(title="Why leaders tweet")


@pytest.fixture
def trusted(post):
    """ada@example.org already has an approved comment, so she is trusted."""
    return factories.comment(post=post, email="ada@example.org", name="Ada Reader")


# The form ----------------------------------------------------------------------------------


def test_form_under_a_published_post_and_interview(client, post):
    interview = factories.interview()
    for target in (post, interview):
        html = client.get(target.get_absolute_url()).content.decode()
        assert 'id="comment-form"' in html
        assert f'action="{post_url(target)}"' in html
        # The same page for every reader: no per-visitor token (socialleaders/csrf.py).
        assert 'name="csrfmiddlewaretoken"' not in html
        assert "Notify me of follow-up comments by email" in html
        assert 'name="hp_subject"' in html and "hidden" in html


def test_no_comments_on_drafts(client):
    draft = factories.post(published=False)
    assert send(client, draft).status_code == 404
    assert not Comment.objects.exists()


# Publishing and moderation messages --------------------------------------------------------


def test_first_time_commenter_waits_and_sees_their_own_comment(client, post):
    response = send(client, post, body="My first comment")
    assert response.status_code == 303
    comment = Comment.objects.get(body="My first comment")
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    comment = Comment.objects.get(body="My first comment")  # stored before the page says so
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_note == "first comment from this email address"
    assert response.cookies["sl_pending"].value == "1"
    assert response.cookies["sl_pending"]["httponly"]
    assert not response.cookies["sl_pending"]["secure"]  # plain HTTP here; secure over HTTPS

    page = client.get(post.get_absolute_url()).content.decode()
    assert "your comment is awaiting moderation" in page
    assert "My first comment" in page
    assert "Awaiting moderation" in page

    stranger = Client().get(post.get_absolute_url()).content.decode()
    assert "My first comment" not in stranger


def test_trusted_commenter_is_published_at_once(client, post, trusted):
    response = send(client, post, body="Published straight away")
    comment = Comment.objects.get(body="Published straight away")
    assert comment.status == Comment.Status.APPROVED
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    page = client.get(post.get_absolute_url()).content.decode()
    assert "your comment is published" in page
    # Shown once, in its place in the thread, for the writer as for everyone else; the writer's
    # "Your comments" only links to it (and to editing it).
    shown = "<p>Published straight away</p>"
    assert page.count(shown) == 1
    assert f'href="#comment-{comment.pk}">see it in the thread' in page
    assert Client().get(post.get_absolute_url()).content.decode().count(shown) == 1


def message_box_of(page, pk):
    """The markup of the comment's <li> up to its text: what the reader sees first on landing."""
    start = page.index(f'id="comment-{pk}"')
    return page[start : page.index('class="comment__text"', start)]


@pytest.mark.parametrize("trusted_writer", [False, True], ids=["pending", "published"])
def test_the_message_sits_at_the_comment_it_is_about_without_javascript(
    client, post, trusted, trusted_writer
):
    email = "ada@example.org" if trusted_writer else "new@example.org"
    send(client, post, body="Where is my message?", email=email, follow="on")
    comment = Comment.objects.get(body="Where is my message?")
    page = client.get(post.get_absolute_url()).content.decode()
    head = message_box_of(page, comment.pk)  # the page lands here: #comment-<pk>
    assert 'class="comment-messages" role="status"' in head and "Thank you: your comment is" in head
    assert "emailed you a link to confirm" in head
    assert page.count("Thank you: your comment is") == 1  # not again above the form
    assert page.count('class="comment-messages"') == 1


def test_an_edits_message_sits_at_the_comment_and_others_stay_above_the_form(client, post):
    send(client, post, body="First words.", email="new@example.org")
    comment = Comment.objects.get(body="First words.")
    client.get(post.get_absolute_url())  # the message seen
    client.post(f"/comments/{comment.pk}/edit/", {"body": "Better words."})
    client.post(
        f"/comments/post/{post.pk}/follow/",
        {**form_data(post), "email": "follower@example.org"},
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Your comment is updated" in message_box_of(page, comment.pk)
    section = page[page.index('class="comment-section"') :]
    assert "emailed you a link" in section and "Your comment is updated" not in section
    assert page.count('id="comment-messages"') == 1  # the follow's box, where its link lands
    assert page.index('id="comment-messages"') > page.index('class="comment-section"')


def test_email_is_never_in_the_page_source(client, post, trusted):
    send(client, post, email="secret.person@example.net", body="Hello")
    Comment.objects.filter(email="secret.person@example.net").update(status=Comment.Status.APPROVED)
    for reader in (client, Client()):
        html = reader.get(post.get_absolute_url()).content.decode()
        assert "Hello" in html
        assert "secret.person" not in html
        assert "ada@example.org" not in html


def test_the_post_authors_reply_is_marked_and_published(client, django_user_model, post, trusted):
    user = django_user_model.objects.create_user("writer", "writer@example.org", "pw")
    post.author.user = user
    post.author.save()
    client.force_login(user)
    send(
        client,
        post,
        name="The Author",
        email="writer@example.org",
        parent=trusted.pk,
        body="Thanks for reading",
    )
    reply = Comment.objects.get(body="Thanks for reading")
    assert reply.by_post_author and reply.status == Comment.Status.APPROVED
    assert reply.parent == trusted


def test_interview_comments(client, trusted):
    interview = factories.interview()
    send(client, interview, body="On an interview")
    comment = Comment.objects.get(body="On an interview")
    assert comment.interview == interview and comment.post is None


# Threads -----------------------------------------------------------------------------------


def test_reply_link_without_javascript_turns_the_form_into_a_reply(client, post, trusted):
    html = client.get(f"{post.get_absolute_url()}?reply_to={trusted.pk}").content.decode()
    assert f'name="parent" value="{trusted.pk}"' in html
    assert "Replying to <strong data-replying-name>Ada Reader</strong>" in html
    # The form sits under the comment it answers, inside its list item, once.
    assert html.count('id="comment-form-element"') == 1
    comment_at = html.index(f'id="comment-{trusted.pk}"')
    assert comment_at < html.index('id="comment-form-element"') < html.index('id="comment-section"')
    send(client, post, parent=trusted.pk, body="A reply")
    assert Comment.objects.get(body="A reply").parent == trusted


def test_bad_reply_to_in_the_address_says_so(client, post):
    html = client.get(f"{post.get_absolute_url()}?reply_to=999999").content.decode()
    assert "does not exist" in html
    html = client.get(f"{post.get_absolute_url()}?reply_to=abc").content.decode()
    assert "does not exist" in html


def test_replies_deeper_than_the_limit_join_the_deepest_level(client, post):
    chain = [factories.comment(post=post, body="level 1")]
    for level in range(2, 6):
        chain.append(factories.comment(post=post, parent=chain[-1], body=f"level {level}"))
    send(client, post, email="deep@example.org", parent=chain[-1].pk, body="level 6?")
    deep = Comment.objects.get(body="level 6?")
    assert deep.parent == chain[3]  # a sibling of level 5, so at level 5

    policy(max_depth=2)
    cache.clear()
    send(client, post, email="deeper@example.org", parent=chain[2].pk, body="depth two")
    assert Comment.objects.get(body="depth two").parent == chain[0]


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing", "does not exist"),
        ("other_post", "on a different page"),
        ("pending", "still awaiting moderation"),
        ("spam", "not open for replies"),
        ("removed", "not open for replies"),
    ],
)
def test_refused_replies_keep_what_was_typed(client, post, case, message):
    if case == "missing":
        parent_id = 987654
    elif case == "other_post":
        parent_id = factories.comment(post=factories.post()).pk
    else:
        parent_id = factories.comment(post=post, status=case).pk
    response = send(client, post, parent=parent_id, body="My careful reply text")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "My careful reply text" in html
    assert 'value="Ada Reader"' in html
    assert not Comment.objects.filter(body="My careful reply text").exists()


# Closing -----------------------------------------------------------------------------------


def test_closed_post_has_no_form_and_refuses_posts(client):
    post = factories.post(comments_open=False)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Comments are closed" in html
    assert 'id="comment-form-element"' not in html
    response = send(client, post, body="Too late")
    assert response.status_code == 403
    assert "Comments are closed on this post." in response.content.decode()
    assert "Too late" in response.content.decode()
    assert not Comment.objects.exists()


def test_an_editor_can_close_comments_on_one_interview(client, editor):
    closed = factories.interview(comments_open=False)
    other = factories.interview()
    html = client.get(closed.get_absolute_url()).content.decode()
    assert "Comments are closed on this interview." in html
    assert 'id="comment-form-element"' not in html
    response = send(client, closed, body="Too late for this one")
    assert response.status_code == 403
    assert "Too late for this one" in response.content.decode()
    assert not Comment.objects.exists()
    assert 'id="comment-form-element"' in client.get(other.get_absolute_url()).content.decode()
    # The switch is on the interview's admin page.
    client.force_login(editor)
    change = client.get(f"/admin/interviews/interview/{closed.pk}/change/")
    assert 'name="comments_open"' in change.content.decode()


def test_site_wide_switch_interview_switch_and_auto_close(client, post):
    interview = factories.interview()
    policy(comments_enabled=False)
    assert send(client, post).status_code == 403
    policy(comments_enabled=True, interviews_open=False)
    assert send(client, interview).status_code == 403
    assert (
        "Comments are closed on interviews."
        in client.get(interview.get_absolute_url()).content.decode()
    )
    policy(interviews_open=True, close_after_days=30)
    old = factories.post(publish_at=timezone.now() - timedelta(days=31))
    response = send(client, old)
    assert response.status_code == 403
    assert "Comments close 30 days after publication." in response.content.decode()
    assert send(client, post).status_code == 303  # published yesterday: still open


# Bots --------------------------------------------------------------------------------------


def test_honeypot_is_refused(client, post):
    response = send(client, post, hp_subject="http://spam.example", body="Buy now")
    assert response.status_code == 400
    assert "filled in by a program" in response.content.decode()
    assert "Buy now" in response.content.decode()
    assert not Comment.objects.exists()


def test_too_fast_too_old_and_tampered_forms_are_refused(client, post, settings, time_machine):
    time_machine.move_to(time.time(), tick=False)
    fast = send(client, post, timestamp=make_timestamp(post, now=time.time()), body="quick")
    assert fast.status_code == 400
    assert "very quick" in fast.content.decode()

    settings.COMMENTS_MAX_FORM_AGE_SECONDS = 3600
    old = send(client, post, age=3601, body="slow")
    assert old.status_code == 400
    assert "has expired" in old.content.decode()
    assert "slow" in old.content.decode()

    tampered = send(client, post, timestamp="WzE3MDAwMDAwMDBd:forged", body="forged")
    assert "incomplete or altered" in tampered.content.decode()

    elsewhere = send(client, post, timestamp=make_timestamp(factories.post(), now=time.time() - 60))
    assert "belongs to another page" in elsewhere.content.decode()
    assert not Comment.objects.exists()


def test_a_refused_form_comes_back_with_a_fresh_timestamp(client, post, time_machine):
    time_machine.move_to(time.time(), tick=False)
    response = send(client, post, age=3 * 24 * 3600, body="kept")
    html = response.content.decode()
    assert "has expired" in html
    token = re.search(r'name="timestamp" value="([^"]+)"', html).group(1)
    served, key = signing.loads(token, salt=TIMESTAMP_SALT)
    assert served == int(time.time())
    assert key == f"post:{post.pk}"


def test_a_pending_reply_says_whom_it_answers(client, post, trusted):
    first = factories.comment(
        post=post, name="Bob Earlier", body="Leaders should   blog weekly, " * 3
    )
    response = send(client, post, body="I disagree", parent=str(first.pk), email="new@example.org")
    assert response.status_code == 303
    reply = Comment.objects.get(body="I disagree")
    assert response["Location"].endswith(f"#comment-{reply.pk}")
    page = client.get(post.get_absolute_url()).content.decode()
    # Shown once, in its place: inside the list item of the comment it answers.
    assert page.count("<p>I disagree</p>") == 1
    parent_at = page.index(f'<li class="comment" id="comment-{first.pk}"')
    assert (
        parent_at
        < page.index(f'id="comment-{reply.pk}"')
        < page.index(
            'id="comment-section"' if 'id="comment-section"' in page else 'id="comment-form"'
        )
    )
    assert (
        f'In reply to <a href="#comment-{first.pk}">Bob Earlier</a>: '
        "“Leaders should blog weekly, Leaders should blog weekly,…”"
    ) in page
    assert "Awaiting moderation" in page


def test_without_javascript_a_reply_link_says_which_comment(client, post, trusted):
    page = client.get(f"{post.get_absolute_url()}?reply_to={trusted.pk}").content.decode()
    assert "Replying to <strong data-replying-name>Ada Reader</strong>: “<span" in page
    assert page.split("data-replying-excerpt>")[1].startswith("A comment.</span>”")


def test_an_empty_form_gets_field_errors_not_a_request_to_slow_down(client, post, settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 3600
    response = send(client, post, name="", email="", body="", age=0)
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required" in html
    assert "very quick" not in html


def test_the_form_is_checked_by_the_browser_first(client, post):
    html = client.get(post.get_absolute_url()).content.decode()
    form = html[html.index('<form class="comment-form"') :]
    form = form[: form.index("</form>")]
    assert "novalidate" not in form
    assert re.search(r'<input type="text" name="name"[^>]*maxlength="100"[^>]*required', form)
    assert re.search(r'<input type="email" name="email"[^>]*autocomplete="email"', form)
    assert 'autocomplete="name"' in form and 'autocomplete="url"' in form
    assert re.search(r"<textarea[^>]*maxlength=\"5000\"[^>]*required", form)


# Floods and duplicates ---------------------------------------------------------------------


def test_second_comment_within_15_seconds_gets_429(client, post, trusted):
    assert send(client, post, body="first").status_code == 303
    response = send(client, post, body="second, straight after")
    assert response.status_code == 429
    assert response["Retry-After"] == "15"
    html = response.content.decode()
    assert "commenting too quickly" in html
    assert "second, straight after" in html
    # Same IP, another email: still the same sender by address.
    assert send(client, post, email="other@example.org", body="third").status_code == 429
    assert Comment.objects.filter(post=post).count() == 2  # trusted + first


def test_after_the_interval_the_sender_may_comment_again(client, post, trusted, time_machine):
    assert send(client, post, body="first").status_code == 303
    time_machine.move_to(time.time() + 16)  # the 15-second keys expire
    assert send(client, post, body="second").status_code == 303


def test_other_senders_are_not_slowed_down(post, trusted):
    a = Client(REMOTE_ADDR="192.0.2.1")
    b = Client(REMOTE_ADDR="192.0.2.2")
    assert send(a, post, body="from a").status_code == 303
    assert send(b, post, email="b@example.org", body="from b").status_code == 303


def test_a_refusal_by_email_does_not_start_the_interval_for_its_address(post, trusted):
    a = Client(REMOTE_ADDR="192.0.2.1")
    b = Client(REMOTE_ADDR="192.0.2.2")
    assert send(a, post, body="from a").status_code == 303
    # b's address is fresh but the email was just used: refused, and b's address stays free.
    assert send(b, post, body="same email from b").status_code == 429
    response = send(b, post, email="b@example.org", name="B Reader", body="b's own email")
    assert response.status_code == 303
    assert not Comment.objects.filter(body="same email from b").exists()


def test_a_refusal_by_address_does_not_start_the_interval_for_its_email(post, trusted):
    a = Client(REMOTE_ADDR="192.0.2.1")
    c = Client(REMOTE_ADDR="192.0.2.3")
    assert send(a, post, body="from a").status_code == 303
    # The same address with another email: refused, and that email stays free elsewhere.
    assert send(a, post, email="b@example.org", body="b on a's address").status_code == 429
    response = send(c, post, email="b@example.org", name="B Reader", body="b from c")
    assert response.status_code == 303


def test_the_same_comment_twice_is_a_duplicate(client, post, trusted):
    assert send(client, post, body="Same words").status_code == 303
    cache.clear()
    response = send(client, post, body="  same WORDS ")
    assert response.status_code == 409
    assert "already posted this comment" in response.content.decode()
    assert Comment.objects.filter(body__iexact="same words").count() == 1


# Hostile input -----------------------------------------------------------------------------


def test_nul_bytes_get_a_form_error(client, post):
    response = send(client, post, body="nul\x00byte", name="Nul\x00Name")
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()


def test_lone_surrogates_in_the_request_are_replaced_not_a_500(client, post, trusted):
    data = form_data(post, body="BODY", name="Ada Reader")
    from urllib.parse import urlencode

    raw = urlencode(data).replace("BODY", "lone%ED%A0%80surrogate")
    response = client.post(post_url(post), raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303
    body = Comment.objects.exclude(pk=trusted.pk).get().body
    assert body.startswith("lone") and body.endswith("surrogate")
    body.encode("utf-8")


def test_lone_surrogates_in_python_strings_are_cleaned():
    from comments.forms import CommentForm

    post = factories.post()
    form = CommentForm(form_data(post, body="x\ud800y", name="N\udfffame"), target=post)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["body"] == "x\ufffdy"


def test_right_to_left_overrides_are_removed(client, post, trusted):
    send(client, post, name="Ada Reader\u202e", body="look \u202egnp.exe\u202c here")
    comment = Comment.objects.exclude(pk=trusted.pk).get()
    assert "\u202e" not in comment.name + comment.body
    assert comment.body == "look gnp.exe here"


def test_50000_character_body_gets_a_clear_error_and_is_kept(client, post):
    body = "x" * 50000
    response = send(client, post, body=body)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value has at most 5000 characters (it has 50000)" in html
    assert body in html


def test_1000_character_name_gets_a_clear_error(client, post):
    response = send(client, post, name="N" * 1000)
    assert response.status_code == 400
    assert "at most 100 characters (it has 1000)" in response.content.decode()


def test_javascript_website_is_refused(client, post):
    for website in ["javascript:alert(1)", "data:text/html,x", "ftp://example.org/"]:
        response = send(client, post, website=website)
        assert response.status_code == 400, website
    assert not Comment.objects.exists()


def test_script_in_a_comment_is_shown_as_text(client, post, trusted):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> javascript:alert(1)'
    send(client, post, body=hostile, name='<b onmouseover="x">Mallory</b>')
    comment = Comment.objects.get(name__contains="Mallory")
    comment.status = Comment.Status.APPROVED
    comment.save()
    html = Client().get(post.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert" in html
    assert '<b onmouseover="x">' not in html


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://elsewhere.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://elsewhere.example"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_REFERER": "https://elsewhere.example/page"},
    ],
    ids=["other-origin", "null-origin", "cross-site", "sibling-site", "other-referer"],
)
def test_a_comment_sent_from_another_site_is_refused_and_the_text_kept(post, headers):
    client = Client(enforce_csrf_checks=True)
    response = client.post(post_url(post), form_data(post, body="Typed with care"), **headers)
    assert response.status_code == 403
    html = response.content.decode()
    assert "sent from a page on another site" in html
    assert "Typed with care" in html
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_REFERER": "http://testserver/blog/"},
        {},  # no browser header at all: nobody's cookies to abuse
    ],
    ids=["same-origin", "same-referer", "no-headers"],
)
def test_a_comment_from_the_sites_own_page_needs_no_token(post, headers):
    client = Client(enforce_csrf_checks=True)
    response = client.post(post_url(post), form_data(post), **headers)
    assert response.status_code == 303
    assert Comment.objects.count() == 1


def test_a_signed_in_writer_without_a_token_is_refused_with_a_page_that_says_so(post, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = send(client, post, body="Typed with care")
    assert response.status_code == 403
    html = response.content.decode()
    assert "security token was missing or out of date" in html
    assert "Typed with care" in html
    assert 'name="csrfmiddlewaretoken"' in html  # their page is their own: a fresh token
    assert not Comment.objects.exists()


def test_csrf_failure_elsewhere_gets_djangos_page(post, editor):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "editor", "password": "x"})
    assert response.status_code == 403


def test_get_on_the_post_address_is_not_allowed(client, post):
    assert client.get(post_url(post)).status_code == 405
    assert client.post("/comments/page/1/", {}).status_code == 404


def test_published_comments_show_paragraphs_and_nofollow_links(client, post):
    factories.comment(post=post, body="See https://example.org/guide.\n\nSecond paragraph")
    html = client.get(post.get_absolute_url()).content.decode()
    assert (
        '<p>See <a href="https://example.org/guide" rel="nofollow ugc noopener">'
        "https://example.org/guide</a>.</p><p>Second paragraph</p>"
    ) in html


def test_reply_links_only_while_comments_are_open(client, post):
    comment = factories.comment(post=post)
    assert (
        f"?reply_to={comment.pk}#comment-form"
        in client.get(post.get_absolute_url()).content.decode()
    )
    post.comments_open = False
    post.save()
    assert "reply_to=" not in client.get(post.get_absolute_url()).content.decode()


def test_the_pending_cookie_is_secure_over_https(client, post):
    response = client.post(post_url(post), form_data(post, body="Sent over HTTPS"), secure=True)
    assert response.status_code == 303
    assert response.cookies["sl_pending"]["secure"]


def test_a_first_comment_on_an_interview_shows_to_its_writer(client):
    """An interview with no published comments yet still shows its writer their own."""
    interview = factories.interview()
    assert send(client, interview, body="The very first response").status_code == 303
    html = client.get(interview.get_absolute_url()).content.decode()
    assert "The very first response" in html and "Awaiting moderation" in html
    # Other readers see no comments section at all.
    assert 'id="comments"' not in Client().get(interview.get_absolute_url()).content.decode()
