"""The editorial journey of issue 5 in a real browser: an editor creates an interview with answers
and an image in the admin, schedules it, sends the leader an approval link; the leader opens it in
a fresh browser with no account and approves; the interview appears to readers at its time.

Time: the live server runs in a thread of this test process, so the test moves the clock for the
site and the test alike by patching ``django.utils.timezone.now`` (which ``published()``, the page
cache's schedule check and the approval links read at call time). The clock runs from the real
time plus an offset, so logins, sessions and the browser's own timing are unaffected; the offset
jumps to a minute before the publish time, then a minute after it. Nothing waits for real time.

The page cache is on (a memory cache of its own) as in production, so the test also shows that a
list cached before the publish time does not hide the interview after it.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from editorial.models import ApprovalEvent, ApprovalLink, PublicationRecord
from editorial.roles import EDITOR, sync_roles
from interviews.models import Interview, Leader, Question
from socialleaders.publishing import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long editor passphrase"
TITLE = "Ada Example on leading in the open"
ANSWERS = [
    ("Why did you start?", "Because nobody else in the council was talking to residents there."),
    ("What would you tell a new chief executive?", "Reply to people yourself, every day."),
]


@pytest.fixture
def newsroom(django_user_model):
    """An editor (in the Editor group of editorial's data migration), a leader and the questions
    the interview answers. Transactional tests empty the database between tests, so the groups
    are synced again here."""
    sync_roles(Group, Permission)
    editor = django_user_model.objects.create_user(
        username="eddie", email="eddie@example.org", password=PASSWORD, is_staff=True
    )
    editor.groups.add(Group.objects.get(name=EDITOR))
    leader = Leader.objects.create(
        name="Ada Example", slug="ada-example", role="Chief Executive", organisation="Exampleshire"
    )
    questions = [
        Question.objects.create(text=text, label=f"Question {i}", slug=f"question-{i}", order=i)
        for i, (text, _) in enumerate(ANSWERS, start=1)
    ]
    return editor, leader, questions


@pytest.fixture
def photo(tmp_path):
    """A real JPEG made with Pillow, as a phone would send it (with a name the site must drop)."""
    path = tmp_path / "IMG_0042 my holiday.jpg"
    image = Image.new("RGB", (1600, 1000), (40, 90, 160))
    for x in range(600, 1000):  # something to see in the crop
        for y in range(300, 700, 4):
            image.putpixel((x, y), (250, 200, 40))
    image.save(path, "JPEG", quality=85)
    return path


def serve_media(context):
    """Django does not serve uploads (the front web server does, see docs/production.md): let the
    browser fetch them from MEDIA_ROOT so the screenshots show the real renditions."""
    root = Path(settings.MEDIA_ROOT)

    def handle(route):
        name = route.request.url.split(settings.MEDIA_URL, 1)[1].split("?")[0]
        path = (root / name).resolve()
        if root.resolve() in path.parents and path.is_file():
            route.fulfill(path=str(path))
        else:
            route.fulfill(status=404, body="missing")

    context.route(re.compile(r".*/media/.*"), handle)


def pick(page, select_id, text):
    """Choose ``text`` in one of the admin's select2 autocomplete widgets, as a person does."""
    page.locator(f"#{select_id} + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()
    expect(page.locator(f"#{select_id}")).not_to_have_value("")


def local(dt):
    return timezone.localtime(dt)


def test_editor_schedules_leader_approves_interview_appears_at_its_time(
    live_server, page, new_context, screenshot, clock, page_cache, newsroom, photo
):
    editor, leader, questions = newsroom
    site = live_server.url
    # 7 a.m. (site time) the day after tomorrow: a real schedule, never in a DST-ambiguous hour.
    publish_at = local(timezone.now() + timedelta(days=2)).replace(
        hour=7, minute=0, second=0, microsecond=0
    )
    serve_media(page.context)

    # --- The editor logs in and writes the interview in the admin ---------------------------
    blocked = []  # what the Content-Security-Policy refused, anywhere on the editor's way
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("input[name=username]", editor.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    # The dashboard's comments box is styled by a stylesheet (CSP forbids inline styles).
    moderation = page.locator("#moderation-module p")
    expect(moderation).to_contain_text("No comments awaiting moderation")
    expect(moderation).to_have_css("padding-top", "8px")
    screenshot(page, "0-admin-index")
    page.locator("tr.model-interview a.addlink").click()
    expect(page).to_have_url(re.compile(r"/admin/interviews/interview/add/$"))

    page.locator("#id_title").press_sequentially(TITLE)  # typed: the slug follows keystrokes
    expect(page.locator("#id_slug")).to_have_value("ada-example-on-leading-in-the-open")
    pick(page, "id_leader", "Ada Example")
    page.fill("#id_standfirst", "How a chief executive answers residents herself.")
    page.select_option("#id_status", Status.PUBLISHED)
    page.fill("#id_publish_at_0", local(publish_at).strftime("%Y-%m-%d"))  # the date picker
    page.fill("#id_publish_at_1", local(publish_at).strftime("%H:%M"))
    page.fill("#id_introduction", "Ada Example runs **Exampleshire** council.")

    # The two questions are laid out, in order: only the answers to write.
    for i, (question, (_text, body)) in enumerate(zip(questions, ANSWERS, strict=True)):
        expect(page.locator(f"#id_answers-{i}-question")).to_have_value(str(question.pk))
        page.fill(f"#id_answers-{i}-body", body)

    # The image, in the collapsed "Video and image" section.
    page.locator("fieldset", has_text="Video and image").locator("summary").click()
    page.set_input_files("#id_image_upload", str(photo))
    page.fill("#id_image_alt", "Ada Example at her desk")
    screenshot(page, "1-admin-add-form")
    page.click("input[name=_continue]")

    expect(page).to_have_url(re.compile(r"/admin/interviews/interview/\d+/change/$"))
    assert "was added successfully" in page.locator(".messagelist").inner_text()
    interview = Interview.objects.get(title=TITLE)
    assert interview.leader == leader and interview.owner == editor
    assert interview.status == Status.PUBLISHED and interview.publish_at == publish_at
    assert interview.is_scheduled
    assert [a.body for a in interview.answers.order_by("order")] == [b for _, b in ANSWERS]
    # Stored under a generated name, nothing of the phone's file name kept.
    assert re.fullmatch(r"images/[0-9a-f-]{32,36}\.jpg", interview.image.file.name)
    assert "holiday" not in interview.image.file.name
    with Image.open(interview.image.file.path) as stored:
        assert stored.size == (1600, 1000)
    decision = PublicationRecord.objects.get(object_id=interview.pk)
    assert decision.action == PublicationRecord.Action.SCHEDULED and decision.user == editor

    # --- The editor sends the leader an approval link ----------------------------------------
    page.click("text=Send to the leader for approval")
    page.fill("input[name=to]", "")  # no address: the link is shown to copy and send by hand
    page.click("input[type=submit][value='Send the link']")
    url = page.input_value("#approval-url")
    assert re.fullmatch(r"https?://[^/]+/approve/[\w:.-]+/", url), url
    screenshot(page, "2-approval-link")
    link_path = "/approve/" + url.split("/approve/", 1)[1]

    # --- The leader opens it in a fresh browser, no account, and approves --------------------
    leader_context = new_context()
    serve_media(leader_context)
    leader_page = leader_context.new_page()
    sent_referers = []
    leader_page.on("request", lambda r: sent_referers.append(r.headers.get("referer", "")))
    response = leader_page.goto(site + link_path)
    assert response.status == 200
    assert "no-store" in response.headers["cache-control"]
    assert response.headers["referrer-policy"] == "strict-origin"
    expect(leader_page.locator("#preview-banner")).to_contain_text("Preview for approval")
    expect(leader_page.locator("h1")).to_have_text(TITLE)
    for _question, body in ANSWERS:
        expect(leader_page.locator("main")).to_contain_text(body)
    hero = leader_page.locator(".article-image img")
    expect(hero).to_have_attribute("alt", "Ada Example at her desk")
    hero.scroll_into_view_if_needed()
    leader_page.wait_for_function(
        "() => { const i = document.querySelector('.article-image img');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    expect(leader_page.locator("#approval input[name=name]")).to_have_value("Ada Example")
    # Readers' comments are not open on an unpublished interview: the only form is hers.
    expect(leader_page.locator("#comment-form-element")).to_have_count(0)
    expect(leader_page.get_by_text("Comments open once this is published")).to_have_count(0)
    screenshot(leader_page, "3-leader-preview")
    leader_page.click("button[value=approve]")
    expect(leader_page).to_have_url(re.compile(r"\?sent=approved$"))
    expect(leader_page.locator("#approval-title")).to_have_text("Approved: thank you")
    expect(leader_page.locator(".approval__done")).to_contain_text("Thank you!")
    screenshot(leader_page, "4-leader-approved")
    # The page's stylesheet, image and form post went out, and none carried the secret.
    assert len(sent_referers) > 3
    assert not [r for r in sent_referers if "/approve/" in r]

    link = ApprovalLink.objects.get(interview=interview)
    assert link.approved_at is not None and link.approved_by_name == "Ada Example"
    kinds = list(link.events.order_by("at", "pk").values_list("kind", flat=True))
    # Opened, approved, and opened again by the page that thanks her.
    Kind = ApprovalEvent.Kind
    assert kinds == [Kind.OPENED, Kind.APPROVED, Kind.OPENED]
    assert [m.to for m in mail.outbox if "approved" in m.subject] == [[editor.email]]
    # Approval does not publish: still scheduled for its time.
    interview.refresh_from_db()
    assert interview.publish_at == publish_at and interview.is_scheduled

    # The editor sees the approval on the interview's admin page.
    page.goto(f"{site}/admin/interviews/interview/{interview.pk}/change/")
    approvals = page.locator("#approval_links-group")
    expect(approvals).to_contain_text("Approved")
    expect(approvals).to_contain_text("Ada Example")
    assert blocked == []

    # --- Readers: nothing before the publish time, the interview from it on ------------------
    clock.set(publish_at - timedelta(minutes=1))
    before = new_context().new_page()
    response = before.goto(site + interview.get_absolute_url())
    assert response.status == 404
    response = before.goto(site + "/interviews/")
    assert response.status == 200
    listing = before.locator("main")
    assert interview.get_absolute_url() not in listing.inner_html()
    assert "Ada Example" not in listing.inner_text()
    assert before.goto(site + "/interviews/").status == 200  # now from the page cache
    screenshot(before, "5-reader-before")

    clock.set(publish_at + timedelta(minutes=1))
    after = new_context().new_page()
    serve_media(after.context)
    after.goto(site + "/interviews/")
    listed = after.locator(f"main a[href='{interview.get_absolute_url()}']")
    expect(listed.first).to_be_visible()
    listed.first.click()
    expect(after).to_have_url(re.compile(re.escape(interview.get_absolute_url()) + "$"))
    expect(after.locator("h1")).to_have_text(TITLE)
    expect(after.locator("#preview-banner")).to_have_count(0)
    for _question, body in ANSWERS:
        expect(after.locator("main")).to_contain_text(body)
    screenshot(after, "6-reader-after")


def test_approval_page_is_accessible_with_errors_and_once_approved(
    live_server, a11y_page, axe, newsroom, screenshot
):
    """The leader's page passes axe (serious and critical) as she finds it, when she sends
    comments without writing any (an error on the form), and once approved."""
    editor, leader, questions = newsroom
    interview = Interview.objects.create(title=TITLE, slug="ada-draft", leader=leader)
    for i, (question, (_text, body)) in enumerate(zip(questions, ANSWERS, strict=True)):
        interview.answers.create(question=question, body=body, order=i)
    _link, token = ApprovalLink.create_for(interview, editor)
    page = a11y_page
    page.goto(f"{live_server.url}/approve/{token}/")
    assert axe(page) == []

    page.click("button[value=comment]")
    expect(page.locator("#message-error")).to_contain_text("Write your comments")
    expect(page.locator("#id_message")).to_have_attribute("aria-invalid", "true")
    assert axe(page) == []
    screenshot(page, "form-error")

    page.click("button[value=approve]")
    expect(page.locator("#approval-title")).to_have_text("Approved: thank you")
    assert axe(page) == []
