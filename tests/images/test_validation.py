"""Image rules: every bad file is built here and refused with a clear error, never a 500; good
uploads are stored upright without metadata, with their renditions made at save."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from PIL import Image

from images import renditions
from images.models import Image as ImageModel
from images.validation import inspect_image
from interviews.models import Leader
from tests import factories

pytestmark = pytest.mark.django_db


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width, height):
    """A PNG that claims a size but holds (almost) no pixels: how decompression bombs start."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def image_bytes(fmt="JPEG", size=(640, 480), color=(200, 30, 40), **save):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **save)
    return out.getvalue()


def refused(data, name, code):
    with pytest.raises(ValidationError) as info:
        inspect_image(data, name)
    assert info.value.code == code, info.value.messages
    return info.value.messages[0]


def test_a_decompression_bomb_is_refused():
    message = refused(png_header_only(40_000, 40_000), "bomb.png", "image_too_many_pixels")
    assert "pixels" in message


def test_an_image_between_one_and_two_times_pillows_limit_is_refused():
    # Pillow only warns for these (DecompressionBombWarning); here that is an error.
    side = int((Image.MAX_IMAGE_PIXELS * 1.5) ** 0.5)
    assert Image.MAX_IMAGE_PIXELS < side * side < 2 * Image.MAX_IMAGE_PIXELS
    refused(png_header_only(side, side), "big.png", "image_too_many_pixels")


def test_the_pixel_cap_is_a_setting(settings):
    settings.IMAGES_MAX_PIXELS_JPEG = 100 * 100
    message = refused(image_bytes(size=(200, 200)), "photo.jpg", "image_too_many_pixels")
    assert "200×200" in message


def test_a_truncated_png_is_refused():
    data = image_bytes("PNG", size=(400, 300), color=None)
    noisy = Image.effect_noise((400, 300), 60).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    data = out.getvalue()
    refused(data[: len(data) // 2], "cut.png", "image_truncated")


def test_html_named_jpg_is_refused():
    html = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
    refused(html, "innocent.jpg", "image_not_raster")


def test_svg_with_script_is_refused():
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b"<script>alert(document.domain)</script></svg>"
    )
    refused(svg, "logo.svg", "image_not_raster")
    refused(svg, "logo.png", "image_not_raster")


def test_a_png_named_jpg_is_refused_with_the_right_extension_suggested():
    message = refused(image_bytes("PNG"), "photo.jpg", "image_extension")
    assert ".png" in message


def test_files_over_thirty_megabytes_are_refused():
    message = refused(b"\xff\xd8" + b"\x00" * (30 * 1024 * 1024), "huge.jpg", "image_too_large")
    assert "30 MB" in message


def test_good_images_pass():
    assert inspect_image(image_bytes("JPEG"), "photo.jpeg") == "JPEG"
    assert inspect_image(image_bytes("WEBP"), "photo.webp") == "WEBP"


def jpeg_with_gps_and_orientation():
    """A 60×40 JPEG, left half red, whose EXIF says 'rotate 90° clockwise' and holds a GPS
    position."""
    image = Image.new("RGB", (60, 40), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 30, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 0.0)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=95)
    return out.getvalue()


def upload_leader_photo(editor_client, data, name, alt="A portrait", **extra):
    leader = factories.leader()
    url = reverse("admin:interviews_leader_change", args=[leader.pk])
    response = editor_client.post(
        url,
        {
            **extra,
            "name": leader.name,
            "honours": "",
            "slug": leader.slug,
            "role": "",
            "organisation": "",
            "sector": "",
            "bio": "",
            "website": "",
            "photo": "",
            "photo_upload": SimpleUploadedFile(name, data),
            "photo_alt": alt,
            "accounts-TOTAL_FORMS": "0",
            "accounts-INITIAL_FORMS": "0",
        },
    )
    leader.refresh_from_db()
    return response, leader


def test_upload_strips_exif_and_gps_applies_orientation_and_renames(editor_client):
    data = jpeg_with_gps_and_orientation()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # GPS is there before
    response, leader = upload_leader_photo(editor_client, data, "../../etc/My Holiday.JPG")
    assert response.status_code == 302
    name = leader.photo.file.name
    assert name.startswith("images/") and name.endswith(".jpg")
    assert "Holiday" not in name and ".." not in name
    assert leader.photo.title == "My Holiday"  # for finding it in the library
    with leader.photo.file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        stored.load()
    exif = stored.getexif()
    assert not exif.get_ifd(0x8825) and 0x0112 not in exif and 0x010F not in exif
    assert stored.size == (40, 60)  # turned upright
    top = stored.getpixel((20, 5))
    assert top[0] > 200 and top[2] < 60  # the red half is now on top


@pytest.mark.parametrize(
    "data, name, expected",
    [
        (b"<html><script>alert(1)</script></html>", "photo.jpg", "not a photo"),
        (b"<svg onload='alert(1)'><script>alert(1)</script></svg>", "photo.svg", "svg"),
        (png_header_only(40_000, 40_000), "bomb.png", "pixels"),
    ],
    ids=["html-as-jpg", "svg-script", "bomb"],
)
def test_bad_uploads_get_a_clear_form_error(editor_client, data, name, expected):
    response, leader = upload_leader_photo(editor_client, data, name)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors.get("photo_upload", []))
    assert errors, "the form should explain what is wrong with the photo"
    assert expected.lower() in errors.lower() or "valid image" in errors.lower()
    assert not leader.photo


def test_alt_text_is_required_with_an_image_and_the_upload_is_kept(editor_client):
    response, leader = upload_leader_photo(editor_client, image_bytes(), "a.jpg", alt="")
    assert response.status_code == 200
    assert "alt text" in " ".join(response.context["adminform"].form.errors["photo_alt"])
    assert not Leader.objects.get(pk=leader.pk).photo
    # The file is in the library already, and the form shows it chosen: no second upload.
    kept = ImageModel.objects.get()
    html = response.content.decode()
    assert f'name="photo" value="{kept.pk}"' in html
    assert "image-chooser__preview" in html and kept.file.url in html


def render_picture(image, spec, sizes="100vw"):
    template = Template("{% load images %}{% picture image alt='Portrait' spec=spec sizes=sizes %}")
    return template.render(Context({"image": image, "spec": spec, "sizes": sizes}))


def test_renditions_webp_and_jpeg_with_srcset_and_dimensions(
    editor_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _response, leader = upload_leader_photo(
            editor_client, image_bytes(size=(1000, 800)), "p.jpg"
        )
    leader.photo.refresh_from_db()
    html = render_picture(leader.photo, "thumb", "160px")
    assert '<source type="image/webp"' in html
    assert 'width="320" height="320"' in html and 'alt="Portrait"' in html
    assert "160w" in html and "320w" in html and 'sizes="160px"' in html
    og = renditions.manifest(leader.photo, "og")
    _url, width, height = og["sources"]["jpeg"][-1]
    assert (width, height) == (1000, 525)  # never upscaled to 1200
    hero = renditions.manifest(leader.photo, "hero")
    assert [w for _u, w, _h in hero["sources"]["webp"]] == [640, 960]


def test_renditions_are_made_again_when_the_focal_point_moves(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = factories.image(size=(800, 600))
    image.refresh_from_db()
    first = renditions.manifest(image, "card")
    assert first
    image.focus_x = 0.0
    assert renditions.manifest(image, "card") is None  # stale: pages show the original
    with django_capture_on_commit_callbacks(execute=True):
        image.save()
    image.refresh_from_db()
    moved = renditions.manifest(image, "card")
    assert moved["sources"]["jpeg"][0][0] != first["sources"]["jpeg"][0][0]


def test_the_focal_point_keeps_the_subject_in_the_crop():
    assert renditions.crop_box((1000, 500), 1.0, (0.0, 0.5)) == (0, 0, 500, 500)
    assert renditions.crop_box((1000, 500), 1.0, (1.0, 0.5)) == (500, 0, 1000, 500)
    assert renditions.crop_box((1000, 500), 1.0, (0.5, 0.5)) == (250, 0, 750, 500)
    assert renditions.crop_box((400, 1000), 2.0, (0.5, 0.1)) == (0, 0, 400, 200)


def test_a_missing_original_makes_no_renditions_and_no_error(django_capture_on_commit_callbacks):
    image = factories.image()
    image.file.storage.delete(image.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        image.save()  # the renditions fail, logged; the save does not
    image.refresh_from_db()
    assert renditions.manifest(image, "hero") is None
    assert 'alt="Portrait"' in render_picture(image, "hero")
