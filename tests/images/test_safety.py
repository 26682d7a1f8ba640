"""Stored files and renditions keep no metadata of any format, whatever the upload carried; a
file that is also a script is re-encoded and could not run from /media/ anyway; a real photo
whose metadata mentions <svg is judged by its pixels, not refused."""

import io
import re
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

from images.models import Image as LibraryImage
from images.validation import inspect_image
from tests import factories

pytestmark = pytest.mark.django_db

PAYLOAD = b"<script>alert(document.cookie)</script> owner=Jane Doe GPS 51.5007N 0.1246W"


def gif_with_comment_and_xmp(frames=1):
    """A GIF whose comment extension and XMP application extension carry the payload."""
    images = [Image.new("RGB", (32, 24), (i * 80, 255 - i * 80, 30)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(
        out,
        format="GIF",
        save_all=frames > 1,
        append_images=images[1:],
        duration=120,
        loop=0,
        comment=PAYLOAD,
    )
    data = out.getvalue()
    xmp = (
        b"\x21\xff\x0bXMP DataXMP"
        + b'<?xpacket begin=""?><x:xmpmeta>'
        + PAYLOAD
        + b"</x:xmpmeta>"
        + bytes(range(255, -1, -1))  # the "magic trailer" XMP in GIF ends with
        + b"\x00"
    )
    head = data.index(b"\x21\xf9")  # before the first graphic control extension
    return data[:head] + xmp + data[head:]


def gif_javascript_polyglot():
    """Shaped like the known GIF/JavaScript polyglot: a width of 0x2a2f makes the header read
    ``GIF89a/*`` (a JS comment opens), the comment extension closes it and runs the script."""
    out = io.BytesIO()
    Image.new("P", (0x2A2F, 1)).save(out, format="GIF", comment=b"*/=1;alert(document.domain);//")
    data = out.getvalue()
    assert data.startswith(b"GIF89a/*")
    return data


def jpeg_with_metadata(text=PAYLOAD, size=(64, 48)):
    """A real JPEG with a COM comment, XMP (APP1) and an ICC profile, each holding ``text``."""
    out = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    Image.new("RGB", size, (10, 120, 200)).save(
        out, format="JPEG", comment=text, icc_profile=profile.tobytes()
    )
    data = out.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + text + b"</x:xmpmeta>"
    app1 = b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp
    return data[:2] + app1 + data[2:]


def png_with_text():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", PAYLOAD.decode())
    info.add_itxt("XML:com.adobe.xmp", PAYLOAD.decode())
    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 200, 0, 128)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def webp_with_exif_and_xmp():
    exif = Image.Exif()
    exif[0x010F] = "Jane Doe's phone"
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 90, 0)).save(
        out, format="WEBP", exif=exif.tobytes(), xmp=PAYLOAD
    )
    return out.getvalue()


def store(data, name, django_capture_on_commit_callbacks):
    inspect_image(data, name)  # what the form runs first
    with django_capture_on_commit_callbacks(execute=True):
        image = factories.image(data=data, name=name)
    image.refresh_from_db()
    return image


def every_file(image):
    """The stored file and every rendition, as bytes."""
    storage = image.file.storage
    with image.file.open("rb") as handle:
        yield image.file.name, handle.read()
    for manifest in image.renditions["specs"].values():
        for entries in manifest["sources"].values():
            for url, _w, _h in entries:
                name = url.split("/media/", 1)[1]
                with storage.open(name, "rb") as handle:
                    yield name, handle.read()


def assert_no_payload(image):
    files = list(every_file(image))
    assert len(files) > 5  # the original and its renditions
    for name, data in files:
        for needle in (b"<script", b"Jane Doe", b"GPS", b"xmpmeta", b"XMP"):
            assert needle not in data, f"{needle!r} survived in {name}"
        if name.endswith(".jpg"):
            assert b"\xff\xfe" not in data.split(b"\xff\xda", 1)[0], f"COM segment in {name}"


@pytest.mark.parametrize(
    "make, name",
    [
        (gif_with_comment_and_xmp, "x.gif"),
        (jpeg_with_metadata, "x.jpg"),
        (png_with_text, "x.png"),
        (webp_with_exif_and_xmp, "x.webp"),
    ],
    ids=["gif-comment-xmp", "jpeg-com-xmp-icc", "png-text", "webp-exif-xmp"],
)
def test_no_metadata_survives_in_the_stored_file_or_any_rendition(
    make, name, django_capture_on_commit_callbacks
):
    data = make()
    assert PAYLOAD[:20] in data or b"Jane Doe" in data  # the hostile file really carries it
    image = store(data, name, django_capture_on_commit_callbacks)
    assert_no_payload(image)
    with image.file.open("rb") as handle, Image.open(handle) as stored:
        assert not {"comment", "xmp", "exif", "icc_profile", "XML:com.adobe.xmp"} & set(stored.info)


def test_an_animated_gif_keeps_its_frames_and_loses_its_metadata(
    django_capture_on_commit_callbacks,
):
    image = store(gif_with_comment_and_xmp(frames=3), "a.gif", django_capture_on_commit_callbacks)
    with image.file.open("rb") as handle, Image.open(handle) as stored:
        assert stored.n_frames == 3 and stored.info.get("duration") == 120
    assert_no_payload(image)


def test_an_animation_is_counted_frame_by_frame_against_the_pixel_cap(settings):
    settings.IMAGES_MAX_PIXELS = 32 * 24 * 2
    with pytest.raises(Exception) as info:
        inspect_image(gif_with_comment_and_xmp(frames=3), "a.gif")
    assert "3 frames" in info.value.messages[0]


def test_a_gif_that_is_also_javascript_is_not_stored_as_it_is(
    django_capture_on_commit_callbacks,
):
    data = gif_javascript_polyglot()
    assert Image.open(io.BytesIO(data)).format == "GIF"
    image = store(data, "x.gif", django_capture_on_commit_callbacks)
    with image.file.open("rb") as handle:
        stored = handle.read()
    assert b"alert" not in stored and stored != data


def test_media_cannot_run_as_a_script_on_our_pages(client, db):
    csp = client.get("/")["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1).split()
    assert script_src == ["http://testserver/static/", "http://testserver/admin/jsi18n/"]
    assert "'self'" not in script_src and not any("/media/" in s for s in script_src)


def test_a_real_jpeg_whose_metadata_mentions_svg_is_accepted(django_capture_on_commit_callbacks):
    data = jpeg_with_metadata(b'<svg xmlns="http://www.w3.org/2000/svg"><html> made in an editor')
    assert b"<svg" in data[:1024]
    assert inspect_image(data, "photo.jpg") == "JPEG"
    image = store(data, "photo.jpg", django_capture_on_commit_callbacks)
    with image.file.open("rb") as handle:
        assert b"<svg" not in handle.read()


def test_an_svg_is_still_refused_as_a_document():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(Exception) as info:
        inspect_image(svg, "x.jpg")
    assert info.value.code == "image_not_raster"


def test_uploads_through_the_library_admin_are_re_encoded(editor_client):
    response = editor_client.post(
        "/admin/images/image/add/",
        {"file": SimpleUploadedFile("x.gif", gif_with_comment_and_xmp()), "title": "", "alt": ""},
    )
    assert response.status_code == 302, response.content[:2000]
    image = LibraryImage.objects.get()
    with image.file.open("rb") as handle:
        assert PAYLOAD[:20] not in handle.read()
