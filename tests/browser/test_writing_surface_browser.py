"""The writing surface in Chromium: the toolbar formats the selection, the preview beside the
box shows what the page will (the server's renderer), and text typed but not saved comes back
after the tab is closed, with a notice. axe on the post form with the surface."""

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from editorial.roles import EDITOR, sync_roles
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long editor passphrase"


@pytest.fixture
def editor(django_user_model):
    sync_roles(Group, Permission)
    user = django_user_model.objects.create_user(
        username="eddie", email="eddie@example.org", password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=EDITOR))
    f.author(name="Eddie Editor", user=user)
    return user


def login(page, site, user):
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")


def test_toolbar_preview_and_autosave_restore(live_server, new_context, axe, screenshot, editor):
    site = live_server.url
    context = new_context(bypass_csp=False)
    page = context.new_page()
    login(page, site, editor)
    page.goto(f"{site}/admin/blog/post/add/")
    body = page.locator("#id_body")
    body.fill("Residents ask")
    body.press("Control+a")
    page.get_by_role("button", name="Bold").click()
    expect(body).to_have_value("**Residents ask**")
    body.press("End")
    body.press_sequentially("\n\nfirst point")
    page.get_by_role("button", name="Bulleted list").click()
    expect(body).to_have_value("**Residents ask**\n\n- first point")
    preview = page.locator("#id_body-preview")
    expect(preview.locator("strong")).to_have_text("Residents ask")
    expect(preview.locator("ul li")).to_have_text("first point")
    page.fill("#id_title", "Answering residents")
    page.wait_for_timeout(600)  # the autosave's pause after typing
    screenshot(page, "writing")

    # The tab is closed without saving; the form opened again gets the text back.
    page.close()
    again = context.new_page()
    again.goto(f"{site}/admin/blog/post/add/")
    expect(again.locator("#autosave-notice")).to_contain_text("Restored what you typed")
    expect(again.locator("#id_body")).to_have_value("**Residents ask**\n\n- first point")
    expect(again.locator("#id_title")).to_have_value("Answering residents")
    expect(again.locator("#id_body-preview strong")).to_have_text("Residents ask")
    screenshot(again, "restored")
    # "Discard the restored text" puts the form back as it came.
    again.get_by_role("button", name="Discard the restored text").click()
    expect(again.locator("#id_body")).to_have_value("")
    again.reload()
    expect(again.locator("#autosave-notice")).to_have_count(0)

    checker = new_context(bypass_csp=True).new_page()
    login(checker, site, editor)
    checker.goto(f"{site}/admin/blog/post/add/")
    checker.fill("#id_body", "Some *text*")
    expect(checker.locator("#id_body-preview em")).to_have_text("text")
    assert axe(checker) == []
    interview = f.interview(published=False)
    f.answer(interview=interview, body="An **answer**.")
    checker.goto(f"{site}/admin/interviews/interview/{interview.pk}/change/")
    expect(checker.locator("#id_answers-0-body-preview strong")).to_have_text("answer")
    assert axe(checker) == []


def test_themes_are_offered_as_you_type(live_server, a11y_page, axe, editor):
    f.theme(name="Listening")
    f.theme(name="Leadership")
    site = live_server.url
    login(a11y_page, site, editor)
    a11y_page.goto(f"{site}/admin/interviews/interview/add/")
    box = a11y_page.locator("#id_themes")
    box.press_sequentially("Leadership, LIS")
    options = a11y_page.locator("#id_themes-suggestions option")
    expect(options).to_have_count(1)
    assert options.first.get_attribute("value") == "Leadership, Listening"
    assert box.get_attribute("list") == "id_themes-suggestions"
    assert axe(a11y_page) == []
