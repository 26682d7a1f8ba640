"""A reader comments and replies, sees their pending comments, an editor approves one in the
admin, the reader sees it published; the same with JavaScript off."""

import re

import pytest

from comments.models import Comment
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def post(settings):
    # The form-time and flood rules have their own tests; a browser is quicker than a person.
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    settings.COMMENTS_FLOOD_SECONDS = 0
    post = factories.post(title="Why leaders blog", slug="why-leaders-blog")
    factories.comment(post=post, name="Bob Earlier", body="An approved comment to answer.")
    return post


def write(page, body, name="Rita Reader", email="rita@example.org"):
    form = page.locator("#comment-form-element")
    form.locator("textarea[name=body]").fill(body)
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=email]").fill(email)
    with page.expect_navigation():  # the page after posting, not the one before it
        form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def approve_in_admin(context, live_server, comment):
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/comments/comment/")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", "correct horse battery")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/comments/comment/?status__exact=pending")
    page.check(f"input[name=_selected_action][value='{comment.pk}']")
    page.select_option("select[name=action]", "approve")
    page.click("button[name=index]")
    page.wait_for_load_state()
    assert "1 comment approved" in page.content()
    page.close()


def test_comment_reply_moderation_with_javascript(
    live_server, page, post, editor, new_context, screenshot
):
    bob = Comment.objects.get(name="Bob Earlier")
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    write(page, "My first thoughts on blogging.")
    assert "your comment is awaiting moderation" in page.content()
    mine = page.locator("#comments .comment--pending")
    assert "My first thoughts on blogging." in mine.inner_text()
    assert "Awaiting moderation" in mine.inner_text()

    # With JavaScript the form moves under the comment being answered.
    page.click(f"[data-reply-to='{bob.pk}']")
    assert page.locator(f"#comment-{bob.pk} #comment-form-element").count() == 1
    assert page.locator("[data-replying]").is_visible()
    assert page.input_value("#comment-form-element input[name=parent]") == str(bob.pk)
    screenshot(page, "reply-form-moved")
    write(page, "A reply to Bob.")
    reply = Comment.objects.get(body="A reply to Bob.")
    assert reply.parent == bob and reply.status == "pending"
    assert "A reply to Bob." in page.locator(f"#comment-{bob.pk} .comment--pending").inner_text()

    # Another reader sees neither.
    other = new_context().new_page()
    other.goto(f"{live_server.url}{post.get_absolute_url()}")
    assert "My first thoughts" not in other.content()

    first = Comment.objects.get(body="My first thoughts on blogging.")
    approve_in_admin(new_context(), live_server, first)

    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    thread = page.locator("#comments")
    assert "My first thoughts on blogging." in thread.inner_text()
    assert page.locator(f"#comment-{first.pk}").count() == 1
    # Still waiting: its writer sees it in its place, marked pending; nobody else sees it.
    assert page.locator(f"#comment-{bob.pk} #comment-{reply.pk}.comment--pending").count() == 1
    other.goto(f"{live_server.url}{post.get_absolute_url()}")
    assert "A reply to Bob." not in other.content()
    screenshot(page, "after-approval")


def test_comment_and_reply_with_javascript_off(live_server, post, editor, new_context):
    bob = Comment.objects.get(name="Bob Earlier")
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    write(page, "Written without scripts.", email="noscript@example.org")
    assert "Written without scripts." in page.locator("#comments .comment--pending").inner_text()

    page.click(f"a[data-reply-to='{bob.pk}']")
    assert re.search(rf"\?reply_to={bob.pk}#comment-form$", page.url)
    assert "Replying to Bob Earlier" in page.locator("#comment-form").inner_text()
    write(page, "A scriptless reply.", email="noscript@example.org")
    reply = Comment.objects.get(body="A scriptless reply.")
    assert reply.parent == bob

    first = Comment.objects.get(body="Written without scripts.")
    approve_in_admin(new_context(), live_server, first)
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    assert page.locator(f"#comments #comment-{first.pk}").count() == 1


# Commenting that feels heard: at a phone's and a desktop's width, with and without JavaScript.

WIDTHS = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 900}}


def _in_view(page, selector):
    box = page.locator(selector).first.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] < height and box["y"] + min(box["height"], 40) > 0


@pytest.fixture(
    params=[(w, js) for w in WIDTHS for js in (True, False)],
    ids=lambda p: f"{p[0]}-{'js' if p[1] else 'nojs'}",
)
def reader(request, new_context):
    width, javascript = request.param
    page = new_context(viewport=WIDTHS[width], java_script_enabled=javascript).new_page()
    page.javascript = javascript
    return page


def test_the_browser_checks_the_fields_before_sending(live_server, post, reader):
    reader.goto(f"{live_server.url}{post.get_absolute_url()}")
    url = reader.url
    reader.locator("#comment-form-element button[type=submit]").click()
    reader.wait_for_timeout(300)
    assert reader.url == url  # nothing sent: the browser asks for the fields first
    assert reader.locator("#comment-form-element textarea:invalid").count() == 1
    reader.fill("#comment-form-element input[name=email]", "not an email")
    assert reader.locator("#comment-form-element input[name=email]:invalid").count() == 1
    assert not Comment.objects.filter(post=post).exclude(name="Bob Earlier").exists()


def test_after_posting_the_page_lands_on_the_message_and_the_comment(live_server, post, reader):
    reader.goto(f"{live_server.url}{post.get_absolute_url()}")
    write(reader, "Heard, I hope.")
    mine = Comment.objects.get(body="Heard, I hope.")
    assert reader.url.endswith(f"#comment-{mine.pk}")
    # Shown once, in its place in the thread, marked pending where it is.
    assert reader.get_by_text("Heard, I hope.").count() == 1
    assert _in_view(reader, f"#comments #comment-{mine.pk}.comment--pending")
    assert "awaiting moderation" in message_at(reader, mine)


def message_at(reader, comment):
    """The message beside the reader's comment, with or without JavaScript: in view where the
    page landed, right above the comment's text, and nowhere else."""
    box = reader.locator(f"#comment-{comment.pk} > .comment-messages")
    assert box.count() == 1
    assert reader.locator(".comment-messages").count() == 1
    assert _in_view(reader, f"#comment-{comment.pk} > .comment-messages")
    text = reader.locator(f"#comment-{comment.pk} .comment__text").first
    assert box.bounding_box()["y"] + box.bounding_box()["height"] <= text.bounding_box()["y"]
    return box.inner_text()


def test_a_published_comment_of_ones_own_is_shown_once_with_its_message(live_server, post, reader):
    factories.comment(post=post, email="rita@example.org", name="Rita Reader", body="Before.")
    reader.goto(f"{live_server.url}{post.get_absolute_url()}")
    write(reader, "Published at once, shown once.")
    mine = Comment.objects.get(body="Published at once, shown once.")
    assert mine.status == "approved"
    assert reader.url.endswith(f"#comment-{mine.pk}")
    assert reader.get_by_text("Published at once, shown once.").count() == 1
    assert _in_view(reader, f"#comment-{mine.pk}")
    assert "your comment is published" in message_at(reader, mine)
    assert reader.locator("#your-comments a", has_text="see it in the thread").count() == 1


def test_following_lands_on_its_message(live_server, post, reader):
    reader.goto(f"{live_server.url}/comments/post/{post.pk}/follow/")
    reader.fill("input[name=email]", "follower@example.org")
    reader.get_by_role("button", name="Follow").click()
    reader.wait_for_load_state()
    assert reader.url.endswith("#comment-messages")
    assert _in_view(reader, "#comment-messages")
    assert "emailed you a link" in reader.locator("#comment-messages").inner_text()


def test_replies_open_under_the_comment_and_say_which_one(live_server, post, reader):
    bob = Comment.objects.get(name="Bob Earlier")
    reader.goto(f"{live_server.url}{post.get_absolute_url()}")
    reader.click(f"a[data-reply-to='{bob.pk}']")
    assert reader.locator(f"#comment-{bob.pk} #comment-form-element").count() == 1
    replying = reader.locator("#comment-form-element [data-replying]")
    assert "Replying to Bob Earlier: “An approved comment to answer.”" in replying.inner_text()
    assert _in_view(reader, "#comment-form-element textarea")
    # One font for every form: the reply form under the (serif) thread stays sans-serif.
    label_font = reader.eval_on_selector(
        "#comment-form-element label", "el => getComputedStyle(el).fontFamily"
    )
    assert "serif" not in label_font.replace("sans-serif", "")
    write(reader, "Answering Bob.", email="another@example.org")
    reply = Comment.objects.get(body="Answering Bob.")
    assert reply.parent == bob
    pending = reader.locator(f"#comment-{bob.pk} #comment-{reply.pk}")
    assert "In reply to Bob Earlier: “An approved comment to answer.”" in pending.inner_text()


def test_name_email_and_website_are_remembered_by_the_browser(live_server, post, new_context):
    page = new_context(viewport=WIDTHS["390"]).new_page()
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    form = page.locator("#comment-form-element")
    form.locator("input[name=website]").fill("https://rita.example.org/")
    write(page, "Remember me.")
    page.goto(f"{live_server.url}/blog/")
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    assert form.locator("input[name=name]").input_value() == "Rita Reader"
    assert form.locator("input[name=email]").input_value() == "rita@example.org"
    assert form.locator("input[name=website]").input_value() == "https://rita.example.org/"
    # Filled in by the browser: the page itself is the same for every reader.
    html = page.request.get(f"{live_server.url}{post.get_absolute_url()}").text()
    assert "rita@example.org" not in html


@pytest.mark.parametrize("width", ["390", "1280"])
def test_the_edit_page_heading_is_clear_of_the_menu(live_server, post, new_context, width):
    page = new_context(viewport=WIDTHS[width]).new_page()
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    write(page, "To be edited.")
    mine = Comment.objects.get(body="To be edited.")
    page.goto(f"{live_server.url}/comments/{mine.pk}/edit/")
    header = page.locator(".site-header").bounding_box()
    heading = page.locator("h1").bounding_box()
    assert heading["y"] >= header["y"] + header["height"] + 20


@pytest.mark.parametrize("width", ["390", "1280"])
def test_comment_pages_have_no_serious_accessibility_violations(
    live_server, post, a11y_page, axe, width
):
    a11y_page.set_viewport_size(WIDTHS[width])
    bob = Comment.objects.get(name="Bob Earlier")
    a11y_page.goto(f"{live_server.url}{post.get_absolute_url()}")
    write(a11y_page, "Checked by axe.")
    problems = {"own pending comment": axe(a11y_page)}
    a11y_page.click(f"a[data-reply-to='{bob.pk}']")
    problems["reply form under a comment"] = axe(a11y_page)
    a11y_page.goto(f"{live_server.url}{post.get_absolute_url()}?reply_to={bob.pk}")
    problems["reply form, no script"] = axe(a11y_page)
    mine = Comment.objects.get(body="Checked by axe.")
    a11y_page.goto(f"{live_server.url}/comments/{mine.pk}/edit/")
    problems["edit"] = axe(a11y_page)
    assert {k: v for k, v in problems.items() if v} == {}
