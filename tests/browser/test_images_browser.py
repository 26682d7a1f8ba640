"""The image library in the admin, in Chromium: the focal point set by clicking the image, and a
leader's portrait picked from the library with a live preview. Screenshots in test-artifacts/."""

import importlib
import io
import re

import pytest
from django.urls import clear_url_caches
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from images import renditions
from images.models import Image as LibraryImage
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def portrait_bytes():
    """A 1200×800 picture with a 'face' (a disc) up and to the left."""
    image = Image.linear_gradient("L").resize((1200, 800)).convert("RGB")
    ImageDraw.Draw(image).ellipse((220, 140, 420, 340), fill=(230, 180, 140))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def media_served(settings):
    """As on `make run`: DEBUG on, so the root URLconf serves /media/ (socialleaders/urls.py)."""
    import socialleaders.urls

    settings.DEBUG = True
    importlib.reload(socialleaders.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(socialleaders.urls)
    clear_url_caches()


def log_in(page, site, user):
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_focal_point_by_click_and_a_portrait_from_the_library(
    page, live_server, editor, screenshot, a11y_page, axe, media_served
):
    site = live_server.url
    image = factories.image(data=portrait_bytes(), name="Ada at work.jpg", alt="Ada at her desk")
    leader = factories.leader(name="Ada Example")
    blocked = []
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    log_in(page, site, editor)

    # The library's list shows thumbnails.
    page.goto(f"{site}/admin/images/image/")
    thumb = page.locator("img.image-thumb").first
    expect(thumb).to_be_visible()
    assert "/media/renditions/" in thumb.get_attribute("src")
    screenshot(page, "1-library-list")

    # Click the face: the two fields fill in, the marker moves there.
    page.goto(f"{site}/admin/images/image/{image.pk}/change/")
    picture = page.locator(".focal-picker__image")
    expect(picture).to_be_visible()
    box = picture.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.27, box["y"] + box["height"] * 0.30)
    assert abs(float(page.input_value("#id_focus_x")) - 0.27) < 0.01
    assert abs(float(page.input_value("#id_focus_y")) - 0.30) < 0.01
    screenshot(page, "2a-focal-point-clicked")
    marker = page.locator(".focal-picker__marker").bounding_box()
    assert abs(marker["x"] + marker["width"] / 2 - (box["x"] + box["width"] * 0.27)) < 3
    picture.focus()
    page.keyboard.press("ArrowRight")  # the keyboard moves it too
    assert abs(float(page.input_value("#id_focus_x")) - 0.29) < 0.01
    screenshot(page, "2-focal-point-picker")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    image.refresh_from_db()
    assert abs(image.focus_x - 0.29) < 0.01 and abs(image.focus_y - 0.30) < 0.01
    assert renditions.manifest(image, "thumb")  # redrawn around the new point at the save

    # A leader's portrait chosen from the library: the lookup opens the thumbnails.
    page.goto(f"{site}/admin/interviews/leader/{leader.pk}/change/")
    page.locator("fieldset", has_text="Photo").locator("summary").click()
    preview = page.locator(".image-chooser__preview")
    expect(preview).to_be_hidden()
    with page.expect_popup() as popup_info:
        page.click("#lookup_id_photo")
    popup = popup_info.value
    popup.wait_for_load_state("load")
    screenshot(popup, "3a-library-lookup-popup")
    popup.locator("#result_list a", has_text="Ada at work").first.click()
    expect(page.locator("#id_photo")).to_have_value(str(image.pk))
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("src", re.compile(r"/thumbnail/$"))
    for _ in range(100):  # the thumbnail loaded (wait_for_function would need 'unsafe-eval')
        if preview.evaluate("img => img.complete && img.naturalWidth") > 0:
            break
        page.wait_for_timeout(100)
    assert preview.evaluate("img => img.naturalWidth") > 0
    screenshot(page, "3-leader-photo-chooser")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    leader.refresh_from_db()
    assert leader.photo_id == image.pk  # alt from the library's description
    assert LibraryImage.objects.count() == 1
    assert blocked == []

    # No serious or critical accessibility problems on the two pages.
    a11y_page.goto(f"{site}/admin/login/?next=/admin/")
    a11y_page.fill("input[name=username]", editor.username)
    a11y_page.fill("input[name=password]", PASSWORD)
    a11y_page.click("input[type=submit]")
    for url in (
        f"{site}/admin/images/image/{image.pk}/change/",
        f"{site}/admin/interviews/leader/{leader.pk}/change/",
        f"{site}/admin/images/image/",
    ):
        a11y_page.goto(url)
        # Ours: the chooser, the upload, the picker (the leader page's social accounts inline
        # has violations of its own, outside this work).
        ours = [
            v
            for v in axe(a11y_page)
            if "leader" not in url
            or any(re.search(r"photo|image|focus", str(node)) for node in v["nodes"])
        ]
        assert ours == [], url
