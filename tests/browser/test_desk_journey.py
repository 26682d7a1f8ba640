"""Issue 15's journey in a real browser, on the publication's real content: an editor with the
Editor role only creates a leader, writes next week's interview in the series with its six
questions laid out, one pull quote chosen from an answer, platforms and themes, the leader's
portrait reused from the library as the interview's image, schedules it for next Monday 07:00,
previews it, emails the leader the approval link, the leader approves it in a fresh browser, the
editor's desk shows it scheduled and approved, and readers see it appear at its time (the site's
clock moved past it: ``clock``, tests/browser/conftest.py; the page cache on, as in production).

``actions`` counts what the editor does for the interview itself, from "Add an interview" to the
one save (each click, fill, choice or selection is one): the goal is at most 25.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from editorial.models import ApprovalLink
from editorial.roles import EDITOR, sync_roles
from images.models import Image
from interviews.models import Interview, Leader, Question, Series, Theme
from socialleaders.publishing import Status

from .seeded import import_seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long editor passphrase"
TITLE = "Sam Rivers on answering residents"
ANSWERS = [
    "Twitter first, then LinkedIn. I post most mornings.",
    "It keeps me honest. Residents tell me what is wrong before my reports do.",
    "More than it was: half the directors post now.",
    "The evenings. I switch it off at nine.",
    "I answer every question myself, even the angry ones.",
    "Start by listening. Reply before you broadcast.",
]
QUOTE = "It keeps me honest."


def next_monday_7am():
    now = timezone.localtime()
    days = (7 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=7, minute=0, second=0, microsecond=0)


class Actions:
    """Counts the editor's actions: wrap each one in ``do``."""

    def __init__(self):
        self.count = 0

    def __call__(self, result=None):
        self.count += 1
        return result


@pytest.fixture
def newsroom(django_user_model, seeds_dir):
    import_seeds(seeds_dir)
    sync_roles(Group, Permission)
    editor = django_user_model.objects.create_user(
        username="eddie", email="eddie@example.org", password=PASSWORD, is_staff=True
    )
    editor.groups.add(Group.objects.get(name=EDITOR))
    Theme.objects.create(name="Listening", slug="listening")  # made by an editor before
    return editor


def login(page, site, editor):
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("input[name=username]", editor.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def pick(page, select_id, text, do):
    """Choose ``text`` in a select2 autocomplete: click, type, choose (three actions)."""
    do(page.locator(f"#{select_id} + .select2").click())
    do(page.locator(".select2-container--open .select2-search__field").fill(text))
    do(page.locator(".select2-results__option", has_text=text).first.click())
    expect(page.locator(f"#{select_id}")).not_to_have_value("")


@pytest.fixture
def portrait(tmp_path):
    from PIL import Image as Pillow

    path = tmp_path / "Sam Rivers.jpg"
    Pillow.new("RGB", (1200, 1200), (60, 110, 150)).save(path, "JPEG", quality=85)
    return path


def test_editor_writes_schedules_and_gets_approval_in_one_sitting(
    live_server, page, new_context, screenshot, newsroom, portrait, clock, page_cache
):
    editor = newsroom
    site = live_server.url
    series = Series.objects.get()
    questions = list(Question.objects.order_by("order"))
    assert len(questions) == 6
    number = series.interviews.count() + 1
    publish_at = next_monday_7am()
    blocked = []  # what the Content-Security-Policy refused, anywhere on the editor's way
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, site, editor)

    # --- A leader, with two handles and a portrait (it joins the library) --------------------
    page.goto(f"{site}/admin/interviews/leader/add/")
    page.fill("#id_name", "Sam Rivers")
    page.fill("#id_role", "Chief Executive")
    page.fill("#id_organisation", "Riverside Council")
    page.fill("#id_email", "sam.rivers@example.org")
    page.select_option("#id_accounts-0-platform", label="Twitter")
    page.fill("#id_accounts-0-handle", "@samrivers")
    page.locator("#accounts-group .add-row a").click()
    page.select_option("#id_accounts-1-platform", label="LinkedIn")
    page.fill("#id_accounts-1-url", "https://www.linkedin.com/in/samrivers")
    page.locator("summary", has_text="Photo").click()
    page.set_input_files("#id_photo_upload", str(portrait))
    page.fill("#id_photo_alt", "Sam Rivers in the council chamber")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    leader = Leader.objects.get(name="Sam Rivers")
    assert leader.accounts.count() == 2
    assert leader.photo is not None
    assert (leader.photo.title, leader.photo.alt) == (
        "Sam Rivers",
        "Sam Rivers in the council chamber",
    )

    # --- The interview: from the desk's "write the next interview" --------------------------
    do = Actions()
    page.goto(f"{site}/admin/")
    do(page.locator("#desk a", has_text="Write the next interview").first.click())
    expect(page).to_have_url(re.compile(r"/admin/interviews/interview/add/"))
    expect(page.locator("#id_series")).to_have_value(str(series.pk))
    expect(page.locator("#id_series_order")).to_have_value(str(number))
    do(page.locator("#id_title").press_sequentially(TITLE))
    pick(page, "id_leader", "Sam Rivers", do)
    for i, question in enumerate(questions):
        expect(page.locator(f"#id_answers-{i}-question")).to_have_value(str(question.pk))
        expect(page.locator(f"#id_answers-{i}-asked_as")).not_to_have_value("")
        do(page.fill(f"#id_answers-{i}-body", ANSWERS[i]))
    # The pull quote: select its words in the second answer, then "Quote the selection".
    box = page.locator("#id_answers-1-body")
    do(
        box.evaluate(
            "(box, words) => { box.focus(); const at = box.value.indexOf(words);"
            " box.setSelectionRange(at, at + words.length); }",
            QUOTE,
        )
    )
    do(page.locator("#answers-1 .quote-selection").click())
    expect(page.locator("#id_quotes-0-text")).to_have_value(QUOTE)
    expect(page.locator("#id_quotes-0-from_question")).to_have_value(str(questions[1].pk))
    # Platforms: Twitter (the favourite) and LinkedIn.
    do(page.select_option("#id_platform_uses-0-platform", label="Twitter"))
    do(page.check("#id_platform_uses-0-is_favourite"))
    do(page.locator("#platform_uses-group .add-row a").click())
    do(page.select_option("#id_platform_uses-1-platform", label="LinkedIn"))
    do(page.fill("#id_themes", "listening, Trust"))
    # The portrait reused: the leader's photo, picked from the library's thumbnails.
    do(page.locator("summary", has_text="Video and image").click())
    with page.expect_popup() as opened:
        do(page.click("#lookup_id_image"))
    library = opened.value
    do(library.locator("#result_list a", has_text="Sam Rivers").first.click())
    expect(page.locator("#id_image")).to_have_value(str(leader.photo_id))
    # Scheduled for next Monday 07:00, in the browser's own date and time pickers.
    do(page.select_option("#id_status", Status.PUBLISHED))
    do(page.fill("#id_publish_at_0", publish_at.strftime("%Y-%m-%d")))
    do(page.fill("#id_publish_at_1", "07:00"))
    screenshot(page, "1-interview-form")
    do(page.click("input[name=_continue]"))

    expect(page).to_have_url(re.compile(r"/admin/interviews/interview/\d+/change/"))
    messages = page.locator(".messagelist").inner_text()
    assert "was added successfully" in messages
    assert f"Scheduled for {publish_at:%a} {publish_at.day} {publish_at:%b}, 07:00" in messages
    print(f"\nActions for the interview itself: {do.count} (one save)")
    assert do.count <= 25
    interview = Interview.objects.get(title=TITLE)
    assert interview.series == series and interview.series_order == number
    assert interview.status == Status.PUBLISHED and interview.publish_at == publish_at
    assert [a.body for a in interview.answers.order_by("order")] == ANSWERS
    quote = interview.quotes.get()
    assert quote.text == QUOTE and quote.answer.question == questions[1]
    assert sorted(interview.themes.names(), key=str.lower) == ["Listening", "Trust"]
    assert interview.platform_uses.get(is_favourite=True).platform.name == "Twitter"
    assert interview.image_id == leader.photo_id  # reused, not uploaded again
    assert Image.objects.count() == 1

    # --- Preview: the real page, marked with its schedule ------------------------------------
    page.goto(site + interview.get_absolute_url())
    expect(page.locator("#preview-banner")).to_contain_text(
        f"Scheduled for {publish_at:%a} {publish_at.day} {publish_at:%b}, 07:00"
    )
    expect(page.locator("main")).to_contain_text(ANSWERS[0])

    # --- The approval link, emailed to the leader with the editor's message ------------------
    page.goto(f"{site}/admin/interviews/interview/{interview.pk}/change/")
    page.click("text=Send to the leader for approval")
    expect(page.locator("#id_to")).to_have_value("sam.rivers@example.org")
    message = page.locator("#id_message")
    expect(message).to_contain_text("Dear Sam")
    message.fill("Dear Sam,\n\nHere is your interview for Monday. Tell us if anything is wrong.")
    mail.outbox.clear()
    page.click("input[type=submit][value='Send the link']")
    expect(page.locator(".approval-sent")).to_contain_text("Emailed to sam.rivers@example.org")
    expect(page.locator(".copy-button")).to_be_visible()  # the copy button, added by js/copy.js
    screenshot(page, "2-approval-sent")
    sent = [m for m in mail.outbox if m.to == ["sam.rivers@example.org"]]
    assert len(sent) == 1
    assert "Here is your interview for Monday." in sent[0].body
    assert sent[0].reply_to == [editor.email]
    url = re.search(r"https?://\S+/approve/\S+/", sent[0].body).group(0)
    link_path = "/approve/" + url.split("/approve/", 1)[1]

    # --- The leader opens the email's link in a fresh browser and approves --------------------
    leader_page = new_context().new_page()
    assert leader_page.goto(site + link_path).status == 200
    expect(leader_page.locator("h1")).to_have_text(TITLE)
    leader_page.fill("#approval input[name=name]", "Sam Rivers")
    leader_page.click("button[value=approve]")
    expect(leader_page.locator("#approval-title")).to_have_text("Approved: thank you")
    link = ApprovalLink.objects.get(interview=interview)
    assert link.approved_at is not None

    # --- The desk: scheduled, and approved, with when it was sent and opened -----------------
    page.goto(f"{site}/admin/")
    scheduled = page.locator("#desk-scheduled")
    expect(scheduled).to_contain_text(TITLE)
    expect(scheduled).to_contain_text(
        f"Scheduled for {publish_at:%a} {publish_at.day} {publish_at:%b}, 07:00"
    )
    approval = page.locator("#desk-approval tr", has_text=TITLE)
    expect(approval).to_contain_text("emailed to sam.rivers@example.org")
    expect(approval).to_contain_text("Approved")
    expect(approval).to_contain_text("by Sam Rivers")
    screenshot(page, "3-desk")
    interview.refresh_from_db()
    assert interview.is_scheduled  # approval does not publish: still for Monday 07:00

    # --- Readers: nothing until Monday 07:00, then the interview, with no cron ----------------
    reader = new_context().new_page()
    clock.set(publish_at - timedelta(minutes=1))
    assert reader.goto(site + "/interviews/").status == 200
    expect(reader.locator(f"main a[href='{interview.get_absolute_url()}']")).to_have_count(0)
    assert reader.goto(site + interview.get_absolute_url()).status == 404
    stored = new_context().new_page().goto(site + "/interviews/")  # another reader's browser
    assert stored.headers["x-cache"] == "hit"  # the list, from the page cache
    clock.set(publish_at + timedelta(minutes=1))
    reader = new_context().new_page()  # a reader whose browser has no copy of the list
    listing = reader.goto(site + "/interviews/")
    assert listing.headers["x-cache"] == "miss"  # the schedule came due: rendered afresh
    expect(reader.locator(f"main a[href='{interview.get_absolute_url()}']").first).to_be_visible()
    assert reader.goto(site + interview.get_absolute_url()).status == 200
    expect(reader.locator("h1")).to_have_text(TITLE)
    expect(reader.locator(".article-image img")).to_have_attribute(
        "alt",
        "Sam Rivers in the council chamber",  # the library's description, reused
    )
    screenshot(reader, "4-live-for-readers")
    assert errors == [] and blocked == []
