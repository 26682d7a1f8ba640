"""Quote share cards: 1200×630 PNG, the text fits, non-Latin text is drawn, a change redraws."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from editorial import quotecards
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote():
    leader = factories.leader(name="Ada Example", honours="OBE", role="Chief Executive")
    interview = factories.interview(leader=leader)
    return factories.quote(
        text="Be yourself. Dive in. Share stuff.", leader=leader, interview=interview
    )


def test_the_card_is_a_1200_by_630_png(client, quote):
    response = client.get(reverse("interviews:quote_card", args=[quote.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size == (1200, 630)
    assert "public" in response["Cache-Control"] and response["ETag"]
    again = client.get(
        reverse("interviews:quote_card", args=[quote.pk]), HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_download_link_on_the_quote_wall_and_og_image(client, quote, settings):
    page = client.get(reverse("interviews:quotes"))
    card = reverse("interviews:quote_card", args=[quote.pk])
    assert f'href="{card}?download=1"' in page.text
    assert f'<meta property="og:image" content="{settings.SITE_URL}{card}">' in page.text
    download = client.get(card + "?download=1")
    assert download["Content-Disposition"] == f'attachment; filename="quote-{quote.pk}.png"'


def test_a_very_long_quote_is_wrapped_and_shrunk_inside_the_margins():
    long_text = " ".join(["Social media is a conversation, not a broadcast channel."] * 12)
    short = quotecards.layout_quote("Be you.")
    long = quotecards.layout_quote(long_text)
    assert long[0].size < short[0].size  # shrunk
    assert len(long[1]) > 3  # wrapped
    image, box = quotecards.draw_card(
        {"text": long_text, "name": "Ada Example OBE", "role": "Chief Executive", "site": "X"}
    )
    left, top, right, bottom = quotecards.QUOTE_BOX
    assert image.size == (1200, 630)
    assert box[0] >= left and box[2] <= right and box[1] >= top - 10 and box[3] <= bottom
    assert box[2] <= 1200 - quotecards.MARGIN


def test_a_word_longer_than_the_line_is_broken_not_overflowing():
    _image, box = quotecards.draw_card({"text": "x" * 400, "name": "N", "role": "", "site": "S"})
    assert box[2] <= 1200 - quotecards.MARGIN


def test_greek_and_cyrillic_are_drawn_with_real_glyphs():
    font_name = quotecards.quote_font_name("Γειά σου κόσμε — Привет, мир")
    assert font_name == quotecards.QUOTE_FONT
    for char in "Γειάσουκόσμε Приветмир".replace(" ", ""):
        assert quotecards._has_glyph(font_name, char), char
    # Arabic is not in the serif face: the card switches to DejaVu Sans, which has it.
    assert quotecards.quote_font_name("كن نفسك") == quotecards.FALLBACK_FONT
    assert quotecards._has_glyph(quotecards.FALLBACK_FONT, "ك")
    image, _box = quotecards.draw_card(
        {"text": "Γειά σου κόσμε. Привет, мир.", "name": "Ελένη", "role": "", "site": "S"}
    )
    assert image.getbbox()


def test_chinese_japanese_and_korean_are_drawn_with_real_glyphs():
    for text, expected in (
        ("做你自己，参与其中", quotecards.CJK_FONT),
        ("自分らしく、飛び込もう", quotecards.CJK_FONT),
        ("너 자신이 되어라", quotecards.HANGUL_FONT),
    ):
        font_name = quotecards.quote_font_name(text)
        assert font_name == expected, text
        for char in text:
            if char.isalpha():
                assert quotecards._has_glyph(font_name, char), char
    # Wrapping keeps each script's own spacing: Korean between words, none in Chinese.
    wide = quotecards.font(quotecards.HANGUL_FONT, 40)
    assert quotecards.wrap("너 자신이 되어라", wide, 5000) == ["너 자신이 되어라"]
    cjk = quotecards.font(quotecards.CJK_FONT, 40)
    assert quotecards.wrap("做你自己，参与其中", cjk, 5000) == ["做你自己，参与其中"]
    assert quotecards.wrap("Be you, dive in", cjk, 5000) == ["Be you, dive in"]
    # A leader's name in Chinese is drawn too, not as empty boxes.
    assert quotecards.font_name_for("李华", quotecards.NAME_FONT) == quotecards.CJK_FONT
    image, box = quotecards.draw_card(
        {"text": "做你自己，参与其中，分享一切。" * 6, "name": "李华", "role": "", "site": "S"}
    )
    assert box[2] <= 1200 - quotecards.MARGIN


def test_changing_the_quote_or_the_leader_redraws_the_card(quote):
    path, digest = quotecards.card_for(quote)
    first = open_bytes(path)
    assert quotecards.card_for(quote) == (path, digest)  # unchanged: same file, not redrawn
    quote.text = "Be yourself. Dive in. Share more stuff."
    quote.save()
    path2, digest2 = quotecards.card_for(quote)
    assert digest2 != digest and open_bytes(path2) != first
    quote.leader.role = "Chair"
    quote.leader.save()
    path3, digest3 = quotecards.card_for(quote)
    assert digest3 not in (digest, digest2)


def open_bytes(path):
    from django.core.files.storage import default_storage

    with default_storage.open(path, "rb") as handle:
        return handle.read()


def test_cards_of_unpublished_quotes_are_not_served(client):
    draft = factories.interview(published=False)
    hidden = factories.quote(text="Not yet.", leader=draft.leader, interview=draft)
    assert client.get(reverse("interviews:quote_card", args=[hidden.pk])).status_code == 404
    assert client.get("/quotes/999999/card.png").status_code == 404
