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
    mine = page.locator("#your-comments")
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
    assert "A reply to Bob." in page.locator("#your-comments").inner_text()

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
    assert "A reply to Bob." not in thread.inner_text()  # still waiting
    screenshot(page, "after-approval")


def test_comment_and_reply_with_javascript_off(live_server, post, editor, new_context):
    bob = Comment.objects.get(name="Bob Earlier")
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    write(page, "Written without scripts.", email="noscript@example.org")
    assert "Written without scripts." in page.locator("#your-comments").inner_text()

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
