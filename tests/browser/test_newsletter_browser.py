"""The newsletter on a phone (390 px wide), in headless Chromium, with a real SMTP server: sign up
on the home page and on the subscribe page, confirm from the email, change what one receives,
leave by the email's link and by the one-click POST a mail client sends (RFC 8058). Every page
on the way has no serious axe violation and is valid HTML for the Nu checker."""

import re
import urllib.request

import pytest
from django.utils import timezone

from newsletter.models import Subscriber
from tests import factories
from tests.newsletter import conftest as newsletter_fixtures
from tests.newsletter.support import link_in
from tests.socialleaders import test_valid_html

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# Fixtures of other folders, under their names: the real SMTP server, the Nu HTML checker.
smtp_server, smtp = newsletter_fixtures.smtp_server, newsletter_fixtures.smtp
vnu = test_valid_html.vnu


@pytest.fixture
def site(live_server, smtp, settings):
    settings.SITE_URL = live_server.url  # the links in the emails lead to the live server
    factories.interview(title="Listening first")
    return live_server.url


@pytest.fixture
def phone(new_context):
    # axe is injected as a script tag, which the site's Content-Security-Policy forbids.
    return new_context(viewport=PHONE, bypass_csp=True).new_page()


class Pages:
    """The pages of the journey as served (their bytes, for the Nu checker) and as seen."""

    def __init__(self, page, axe, screenshot, tmp_path):
        self.page, self.axe, self.screenshot, self.dir = page, axe, screenshot, tmp_path
        self.files, self.violations = [], {}

    def seen(self, name, response, status=200):
        assert response.status == status, name
        path = self.dir / f"{name}.html"
        path.write_bytes(response.body())
        self.files.append(path)
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name}: {width} px wide, wider than the phone"
        if found := self.axe(self.page):
            self.violations[name] = found
        self.screenshot(self.page, name)

    def submit(self, name, button, status=200):
        with self.page.expect_navigation() as navigation:
            button.click()
        self.seen(name, navigation.value, status)


def confirm_link(smtp, address, site):
    (message,) = smtp.to(address)
    return link_in(message, re.escape(site) + r"/subscribe/confirm/\S+")


def test_sign_up_confirm_choose_and_leave_on_a_phone(
    site, phone, smtp, axe, screenshot, vnu, tmp_path
):
    pages = Pages(phone, axe, screenshot, tmp_path)

    # The form under the home page's content.
    pages.seen("home", phone.goto(site + "/"))
    form = phone.locator(".signup form")
    form.get_by_label("Your email address").fill("home@example.org")
    form.get_by_label("New posts on the blog").check()
    pages.submit("check-inbox", form.get_by_role("button", name="Subscribe"))
    assert phone.locator("h1").inner_text() == "Check your inbox"

    # The confirmation email, from the SMTP server; its link confirms.
    pages.seen("confirmed", phone.goto(confirm_link(smtp, "home@example.org", site)))
    assert phone.locator("h1").inner_text() == "You are subscribed"
    home = Subscriber.objects.get(email="home@example.org")
    assert (home.status, home.wants_interviews, home.wants_blog) == ("confirmed", True, True)

    # Changing what one receives.
    with phone.expect_navigation() as navigation:
        phone.get_by_role("link", name="Change what you receive").click()
    pages.seen("manage", navigation.value)
    phone.get_by_label("New posts on the blog").uncheck()
    phone.get_by_label("A weekly digest of both").check()
    pages.submit("manage-saved", phone.get_by_role("button", name="Save"))
    assert phone.get_by_role("status").inner_text() == "Saved."
    home.refresh_from_db()
    assert (home.wants_interviews, home.wants_blog, home.wants_digest) == (True, False, True)

    # The subscribe page: a mistyped address is refused and kept, then corrected.
    pages.seen("subscribe", phone.goto(site + "/subscribe/"))
    phone.get_by_label("Your email address").fill("page@example")
    pages.submit("subscribe-refused", phone.get_by_role("button", name="Subscribe"), 400)
    assert phone.get_by_label("Your email address").input_value() == "page@example"
    assert "valid email" in phone.locator("main").inner_text()
    phone.get_by_label("Your email address").fill("page@example.org")
    pages.submit("check-inbox-again", phone.get_by_role("button", name="Subscribe"))
    phone.goto(confirm_link(smtp, "page@example.org", site))
    assert Subscriber.objects.get(email="page@example.org").status == "confirmed"

    # An interview goes live: both get it, with an unsubscribe link and the one-click headers.
    interview = factories.interview(published=False, title="Being you online")
    factories.answer(interview=interview, body="Just start.")
    interview.status, interview.publish_at = "published", timezone.now()
    interview.save()
    (to_page,) = [m for m in smtp.to("page@example.org") if "Being you online" in m["Subject"]]
    (to_home,) = [m for m in smtp.to("home@example.org") if "Being you online" in m["Subject"]]

    # Leaving by the link in the email: the page asks, the button unsubscribes.
    link = link_in(to_page, re.escape(site) + r"/subscribe/unsubscribe/\S+")
    pages.seen("unsubscribe", phone.goto(link))
    assert Subscriber.objects.get(email="page@example.org").status == "confirmed"
    pages.submit("unsubscribed", phone.get_by_role("button", name="Unsubscribe"))
    assert phone.locator("h1").inner_text() == "You are unsubscribed"
    assert Subscriber.objects.get(email="page@example.org").status == "unsubscribed"

    # Leaving with one click in the mail client: it POSTs to the List-Unsubscribe address, with
    # no cookie and no page of ours open (RFC 8058, section 3.1).
    assert to_home["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # (The header is folded: its value starts on the next line, as RFC 5322 allows.)
    url = re.fullmatch(r"<(https?://\S+)>", to_home["List-Unsubscribe"].strip()).group(1)
    request = urllib.request.Request(
        url,
        data=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    assert Subscriber.objects.get(email="home@example.org").status == "unsubscribed"

    assert pages.violations == {}
    assert vnu(pages.files) == []
