"""Share images: 1200×630 PNG, drawn with Pillow in the fonts the site ships.

Two kinds, one style: a quote card (the quote shrunk until it fits its box, the leader's name and
role: quotes, interviews, leaders) and a title card (a headline, a byline or description: posts,
lists, the home page). Stored once under a hash of everything drawn. Fonts, scripts and layout:
docs/editorial.md, "Quote cards"; which page gets which card: docs/frontend.md, "Sharing".
"""

import hashlib
import io
import json
import unicodedata
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
LAYOUT_VERSION = 2
FONTS_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
QUOTE_FONT = "DejaVuSerif.ttf"
NAME_FONT = "DejaVuSans-Bold.ttf"
SMALL_FONT = "DejaVuSans.ttf"
PAPER = (251, 248, 243)
INK = (28, 26, 23)
INK_SOFT = (79, 74, 67)
ACCENT = (122, 31, 43)
MAX_SIZE, MIN_SIZE = 60, 24
# The box the quote must fit in: below the opening mark, above the attribution.
QUOTE_BOX = (MARGIN, 120, WIDTH - MARGIN, HEIGHT - 170)


@lru_cache(maxsize=64)
def font(name, size):
    return ImageFont.truetype(str(FONTS_DIR / name), size)


FALLBACK_FONT = "DejaVuSans.ttf"  # has Arabic and Hebrew, which DejaVu Serif lacks
CJK_FONT = "DroidSansFallbackFull.ttf"  # Chinese and Japanese, which DejaVu lacks
HANGUL_FONT = "NanumGothic.ttf"  # Korean, which none of the others has
_NOTDEF = "\U0010fffd"  # a private-use character no font draws: its mask is the "missing" box


@lru_cache(maxsize=4096)
def _has_glyph(name, char):
    face = font(name, 40)
    mask, missing = face.getmask(char), face.getmask(_NOTDEF)
    return not (mask.size == missing.size and bytes(mask) == bytes(missing))


def font_name_for(text, preferred):
    """The preferred face if it draws every letter of the text, else the first fallback that
    does (DejaVu Sans, Droid Sans Fallback, Nanum Gothic), else the one that draws the most."""
    letters = {char for char in text if char.isalpha()}
    candidates = [preferred, FALLBACK_FONT, CJK_FONT, HANGUL_FONT]
    for name in candidates:
        if all(_has_glyph(name, char) for char in letters):
            return name
    return max(candidates, key=lambda name: sum(_has_glyph(name, c) for c in letters))


def quote_font_name(text):
    """DejaVu Serif, the site's reading face, unless the quote has letters it lacks."""
    return font_name_for(text, QUOTE_FONT)


def card_fields(quote):
    leader = quote.leader
    return {
        "text": " ".join(quote.text.split()),
        "name": leader.display_name,
        "role": leader.role_line,
        "site": settings.SITE_NAME,
    }


def card_hash(fields):
    payload = json.dumps([LAYOUT_VERSION, fields], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def card_path(fields):
    return f"quotecards/{card_hash(fields)}.png"


def _is_wide(char):
    return unicodedata.east_asian_width(char) in {"W", "F"}


def _tokens(text):
    """(word, spaced) pairs: words, with CJK characters as words of their own (those scripts
    break anywhere); ``spaced`` says whether white space stood before it (Korean puts spaces
    between words, Chinese and Japanese do not), so wrapping keeps the text's own spacing."""
    tokens, current, current_spaced, spaced = [], "", False, False
    for char in text:
        if char.isspace():
            if current:
                tokens.append((current, current_spaced))
                current = ""
            spaced = True
        elif _is_wide(char):
            if current:
                tokens.append((current, current_spaced))
                current = ""
                spaced = False
            tokens.append((char, spaced))
            spaced = False
        else:
            if not current:
                current_spaced, spaced = spaced, False
            current += char
    if current:
        tokens.append((current, current_spaced))
    return tokens


def wrap(text, face, max_width):
    lines, line = [], ""
    for token, spaced in _tokens(text):
        candidate = f"{line} {token}" if line and spaced else f"{line}{token}"
        if face.getlength(candidate) <= max_width:
            line = candidate
            continue
        if line:
            lines.append(line)
        # A single word wider than the box is broken by characters.
        line = ""
        for char in token:
            if face.getlength(line + char) > max_width and line:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines


def layout_quote(text, box=QUOTE_BOX):
    """The largest font size at which the quote fits the box: (font, lines, line height).
    At the smallest size a quote still too long is cut with an ellipsis."""
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    face_name = quote_font_name(text)
    for size in range(MAX_SIZE, MIN_SIZE - 1, -2):
        face = font(face_name, size)
        line_height = round(size * 1.3)
        lines = wrap(text, face, width)
        if len(lines) * line_height <= height:
            return face, lines, line_height
    face = font(face_name, MIN_SIZE)
    line_height = round(MIN_SIZE * 1.3)
    fit = max(1, height // line_height)
    lines = wrap(text, face, width)[:fit]
    last = lines[-1]
    while last and face.getlength(last + " …") > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + " …"
    return face, lines, line_height


def _fit_line(text, face, max_width):
    while text and face.getlength(text) > max_width:
        text = text[:-2] + "…"
    return text


def _draw_lines(draw, lines, face, origin, line_height):
    """Draw ``lines`` down from ``origin``; returns the box they cover and the y below them."""
    left, y = origin
    boxes = []
    for line in lines:
        draw.text((left, y), line, font=face, fill=INK)
        boxes.append(draw.textbbox((left, y), line, font=face))
        y += line_height
    box = tuple(f(b[i] for b in boxes) for i, f in enumerate((min, min, max, max)))
    return box, y


def draw_card(fields):
    """The card as an image, and the bounding box of the quote text (for tests)."""
    if fields.get("kind") == "title":
        return draw_title_card(fields)
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 16, HEIGHT], fill=ACCENT)
    draw.text((MARGIN - 6, 20), "“", font=font(QUOTE_FONT, 120), fill=ACCENT)
    face, lines, line_height = layout_quote(fields["text"])
    left, top, right, _bottom = QUOTE_BOX
    text_box, y = _draw_lines(draw, lines, face, (left, top), line_height)
    draw.line([MARGIN, HEIGHT - 150, MARGIN + 120, HEIGHT - 150], fill=ACCENT, width=4)
    name_face = font(font_name_for(fields["name"], NAME_FONT), 34)
    small_face = font(font_name_for(fields["role"], SMALL_FONT), 26)
    width = WIDTH - 2 * MARGIN
    draw.text(
        (MARGIN, HEIGHT - 128),
        _fit_line(fields["name"], name_face, width),
        font=name_face,
        fill=INK,
    )
    if fields["role"]:
        draw.text(
            (MARGIN, HEIGHT - 84),
            _fit_line(fields["role"], small_face, width - 320),
            font=small_face,
            fill=INK_SOFT,
        )
    site_face = font(NAME_FONT, 24)
    site = f"#{fields['site']}" if " " not in fields["site"] else fields["site"]
    site_width = site_face.getlength(site)
    draw.text((WIDTH - MARGIN - site_width, HEIGHT - 82), site, font=site_face, fill=ACCENT)
    return image, text_box


TITLE_BOX = (MARGIN, 70, WIDTH - MARGIN, HEIGHT - 250)
TITLE_MAX, TITLE_MIN = 72, 36


def layout_title(text, box=TITLE_BOX):
    """The largest bold size at which the headline fits its box (cut with … at the smallest)."""
    left, top, right, bottom = box
    face_name = quote_font_name(text)
    for size in range(TITLE_MAX, TITLE_MIN - 1, -4):
        face = font(face_name, size)
        line_height = round(size * 1.2)
        lines = wrap(text, face, right - left)
        if len(lines) * line_height <= bottom - top:
            return face, lines, line_height
    face = font(face_name, TITLE_MIN)
    line_height = round(TITLE_MIN * 1.2)
    lines = wrap(text, face, right - left)[: max(1, (bottom - top) // line_height)]
    lines[-1] = _fit_line(lines[-1] + " …", face, right - left)
    return face, lines, line_height


def draw_title_card(fields):
    """A headline card: the title large, then ``name`` (byline or description, two lines at
    most) under the accent rule, the publication's name bottom right."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 16, HEIGHT], fill=ACCENT)
    face, lines, line_height = layout_title(fields["text"])
    left, top, _right, _bottom = TITLE_BOX
    text_box, y = _draw_lines(draw, lines, face, (left, top), line_height)
    rule_y = max(y + 30, HEIGHT - 220)
    draw.line([MARGIN, rule_y, MARGIN + 120, rule_y], fill=ACCENT, width=4)
    if fields.get("name"):
        small = font(font_name_for(fields["name"], SMALL_FONT), 30)
        byline = wrap(fields["name"], small, WIDTH - 2 * MARGIN - 40)[:2]
        if len(wrap(fields["name"], small, WIDTH - 2 * MARGIN - 40)) > 2:
            byline[-1] = _fit_line(byline[-1] + " …", small, WIDTH - 2 * MARGIN - 40)
        for index, line in enumerate(byline):
            draw.text((MARGIN, rule_y + 22 + index * 40), line, font=small, fill=INK_SOFT)
    site_face = font(NAME_FONT, 24)
    site = f"#{fields['site']}" if " " not in fields["site"] else fields["site"]
    draw.text(
        (WIDTH - MARGIN - site_face.getlength(site), HEIGHT - 64), site, font=site_face, fill=ACCENT
    )
    return image, text_box


def render_card(fields):
    image, _box = draw_card(fields)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def card_for(quote, storage=None):
    """(storage path, hash) of the quote's card, drawing and storing it the first time."""
    fields = card_fields(quote)
    return stored_card(fields, storage), card_hash(fields)


# Share cards of any page, by address ----------------------------------------------------------
# The fields travel in the card's URL, signed, so the card view needs no query and no one can
# have the site draw text of their own; a changed piece gives new fields, a new URL (crawlers
# fetch it afresh) and a new stored file.

CARD_SALT = "editorial.sharecard"


def share_fields(text, name="", role="", kind="quote"):
    fields = {
        "text": " ".join(str(text).split())[:600],
        "name": " ".join(str(name).split())[:300],
        "role": " ".join(str(role).split())[:200],
        "site": settings.SITE_NAME,
    }
    if kind != "quote":
        fields["kind"] = kind
    return fields


def sign_fields(fields):
    # Signer, not signing.dumps: no timestamp, so one piece always gives the same URL.
    return signing.Signer(salt=CARD_SALT).sign_object(fields, compress=True)


def unsign_fields(token):
    """The fields a card URL carries, or None if it was not made by this site."""
    try:
        fields = signing.Signer(salt=CARD_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    return fields if isinstance(fields, dict) and "text" in fields else None


def stored_card(fields, storage=None):
    """The storage path of the card for these fields, drawn and stored the first time."""
    storage = storage or default_storage
    path = card_path(fields)
    if not storage.exists(path):
        saved = storage.save(path, ContentFile(render_card(fields)))
        if saved != path:  # another process drew it at the same moment: keep one copy
            storage.delete(saved)
    return path


def card_url(fields):
    """The site-relative URL of the card drawn from these fields."""
    from django.urls import reverse

    return reverse("editorial:share_card", args=[sign_fields(fields)])
