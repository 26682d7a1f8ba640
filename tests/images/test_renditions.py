"""Renditions are made once, when an image is saved, by one worker at a time, from a decode at
reduced size; a reader's page never makes one and never waits for one."""

import importlib
import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import clear_url_caches
from PIL import Image

from images import renditions, services
from images.validation import inspect_image
from tests import factories

pytestmark = pytest.mark.django_db


def jpeg(size, **save):
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, format="JPEG", **save)
    return out.getvalue()


def rendition_files(settings):
    root = settings.MEDIA_ROOT / "renditions"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def render(image, spec="hero"):
    template = Template("{% load images %}{% picture image alt='A' spec=spec %}")
    return template.render(Context({"image": image, "spec": spec}))


def test_a_page_never_draws_a_missing_rendition_it_shows_the_original(settings):
    image = factories.image(size=(1200, 900))  # committed never: no renditions made
    html = render(image)
    assert image.file.url in html and "<picture>" not in html
    assert 'width="1200" height="900"' in html  # the space is reserved all the same
    assert rendition_files(settings) == []


def test_saving_makes_every_rendition_once(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = factories.image(size=(1200, 900))
    image.refresh_from_db()
    made = rendition_files(settings)
    assert len(made) == 17  # WebP + JPEG of thumb 4, card 2, hero 2 (never upscaled); og 1 JPEG
    assert set(image.renditions["specs"]) == set(renditions.SPECS)
    assert "<picture>" in render(image)
    assert services.make_renditions(image.pk) is False  # current: nothing redrawn
    assert rendition_files(settings) == made


def test_two_workers_never_draw_the_same_image_at_once(settings):
    image = factories.image(size=(900, 600))
    lock = f"sl:images:renditions-lock:{image.pk}"
    cache.add(lock, "another worker", 60)
    try:
        assert services.make_renditions(image.pk) is False
        assert rendition_files(settings) == []
    finally:
        cache.delete(lock)
    assert services.make_renditions(image.pk) is True
    assert rendition_files(settings)


def test_a_large_jpeg_is_decoded_at_a_reduced_size():
    data = jpeg((6400, 4800))
    reduced = renditions.open_reduced(io.BytesIO(data))
    assert reduced.size == (1600, 1200)  # 1/4 scale straight from the decoder: 16x less memory


def test_a_large_upload_is_stored_at_most_4000_pixels_long(django_capture_on_commit_callbacks):
    image = factories.image(data=jpeg((6000, 4000)))
    assert (image.width, image.height) == (4000, 2667)
    with image.file.open("rb") as handle, Image.open(handle) as stored:
        assert stored.size == (4000, 2667)


def test_the_pixel_limits_and_what_an_editor_reads_above_them(settings):
    settings.IMAGES_MAX_PIXELS_JPEG = 1000 * 1000
    with pytest.raises(ValidationError) as info:
        inspect_image(jpeg((1200, 1000)), "big.jpg")
    assert "1200×1000" in info.value.messages[0] and "JPEG" in info.value.messages[0]
    assert inspect_image(jpeg((1000, 1000)), "ok.jpg") == "JPEG"
    # PNG, WebP and GIF are decoded whole: their own, lower cap (default 50 MP).
    out = io.BytesIO()
    Image.new("RGB", (8000, 7000)).save(out, format="PNG")
    with pytest.raises(ValidationError) as info:
        inspect_image(out.getvalue(), "big.png")
    message = info.value.messages[0]
    assert "PNG images may have at most 50 million pixels" in message
    assert "save it as a JPEG" in message


def test_make_run_serves_uploads(settings, client):
    image = factories.image(size=(100, 80))
    settings.DEBUG = True
    import socialleaders.urls

    importlib.reload(socialleaders.urls)
    clear_url_caches()
    try:
        response = client.get(image.file.url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
    finally:
        settings.DEBUG = False
        importlib.reload(socialleaders.urls)
        clear_url_caches()


def test_make_renditions_fills_in_what_is_missing(settings):
    from django.core.management import call_command

    image = factories.image(size=(700, 500))  # saved without its commit hook: nothing made
    gone = factories.image(size=(300, 200))
    gone.file.storage.delete(gone.file.name)
    out, err = io.StringIO(), io.StringIO()
    call_command("make_renditions", stdout=out, stderr=err)
    assert "1 image(s) given renditions, 1 failed" in out.getvalue()
    assert f"image {gone.pk}" in err.getvalue()
    image.refresh_from_db()
    assert renditions.manifest(image, "card")
