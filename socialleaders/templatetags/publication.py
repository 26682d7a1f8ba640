"""Template helpers for the public site: dates, reading time, Markdown, video embeds, paging,
JSON-LD."""

import functools
import json
import re
from urllib.parse import parse_qs, urlencode, urlparse

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.dateformat import format as date_format
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.timezone import is_aware, localtime
from django.utils.translation import get_language

from socialleaders.text import render_markdown

register = template.Library()

WORDS_PER_MINUTE = 230
# Below this many minutes a piece is short enough not to need a reading time.
LONG_READ_MINUTES = 2


@functools.lru_cache(maxsize=4096)
def _format_day(day, language):
    return date_format(day, "j F Y")


def format_day(day):
    """A calendar date in the publication's style, formatted once per day and language: pages
    list many items from the same few days (docs/benchmarks.md, "Dates")."""
    return _format_day(day, get_language())


@register.filter
def pubdate(value):
    """The publication's date style: "21 November 2026"."""
    if not value:
        return ""
    if hasattr(value, "hour"):
        if is_aware(value):
            value = localtime(value)
        value = value.date()
    return format_day(value)


@register.filter
def isodate(value):
    """An ISO 8601 timestamp for <time datetime> and metadata, to the second: HTML allows at most
    three digits of a fraction of a second, and no reader needs one."""
    if not value:
        return ""
    if hasattr(value, "hour"):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def word_count(*html_fragments):
    return sum(len(strip_tags(fragment or "").split()) for fragment in html_fragments)


def minutes_to_read(*html_fragments):
    words = word_count(*html_fragments)
    return max(1, round(words / WORDS_PER_MINUTE)) if words else 0


@register.filter
def reading_time(html):
    """ "6 min read" for a long piece of HTML, "" for a short one."""
    minutes = minutes_to_read(html)
    return f"{minutes} min read" if minutes >= LONG_READ_MINUTES else ""


@register.filter
def markdown(source):
    """Render an editor's Markdown (already sanitised by render_markdown)."""
    return mark_safe(render_markdown(source))  # noqa: S308 - nh3 has cleaned it


_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{5,12}$")


def video_embed(url):
    """Where a video address can be embedded without tracking: a dict (provider, embed_url,
    watch_url) for YouTube (youtube-nocookie.com) and Vimeo (do-not-track), else None (a link)."""
    if not url:
        return None
    try:
        parts = urlparse(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = [segment for segment in parts.path.split("/") if segment]
    video_id = None
    if host in {"youtube.com", "youtube-nocookie.com"}:
        if path[:1] == ["watch"]:
            video_id = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(path) >= 2 and path[0] in {"embed", "shorts", "live", "v"}:
            video_id = path[1]
    elif host == "youtu.be" and path:
        video_id = path[0]
    if video_id is not None:
        if not _YOUTUBE_ID.match(video_id):
            return None
        return {
            "provider": "YouTube",
            "embed_url": f"https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1",
            "watch_url": f"https://www.youtube.com/watch?v={video_id}",
        }
    if host in {"vimeo.com", "player.vimeo.com"} and path:
        candidate = path[-1]
        if _VIMEO_ID.match(candidate):
            return {
                "provider": "Vimeo",
                "embed_url": f"https://player.vimeo.com/video/{candidate}?dnt=1&autoplay=1",
                "watch_url": f"https://vimeo.com/{candidate}",
            }
    return None


register.filter("video_embed", video_embed)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current address with ?page=<number>, keeping any other query parameters."""
    request = context["request"]
    params = request.GET.copy()
    if int(number) == 1:
        params.pop("page", None)
    else:
        params["page"] = number
    query = urlencode(sorted(params.lists()), doseq=True)
    return f"{request.path}?{query}" if query else request.path


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """settings.SITE_URL + the path; page 2 onwards keeps its page number."""
    request = context.get("request")
    site_url = context.get("SITE_URL", "")
    if request is None:
        return site_url + "/"
    page = request.GET.get("page", "")
    suffix = f"?page={page}" if page.isdigit() and page != "1" else ""
    return f"{site_url}{request.path}{suffix}"


@register.filter
def initials(name):
    """ "Simon Blake OBE" -> "SB", for a monogram when a leader has no photo."""
    words = [word for word in str(name).split() if word[:1].isalpha() and not word.isupper()]
    return "".join(word[0] for word in words[:2]).upper() or str(name)[:1].upper()


# Which main-navigation section each page belongs to, for aria-current in the header.
SECTIONS = {
    "interviews:list": "interviews",
    "interviews:detail": "interviews",
    "interviews:series": "interviews",
    "interviews:leaders": "leaders",
    "interviews:leader": "leaders",
    "interviews:platforms": "platforms",
    "interviews:platform": "platforms",
    "interviews:themes": "themes",
    "interviews:theme": "themes",
    "interviews:questions": "questions",
    "interviews:question": "questions",
    "interviews:quotes": "quotes",
}


@register.simple_tag(takes_context=True)
def current_section(context):
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.namespace == "blog":
        return "blog"
    return SECTIONS.get(match.view_name, "")


@register.filter
def file_url(field):
    """A file field's URL, or "" when there is no file (``.url`` would raise)."""
    try:
        return field.url if field else ""
    except ValueError:
        return ""


@register.simple_tag
def json_ld(data):
    """Each item as a <script type="application/ld+json"> block: data, never run (so the
    Content-Security-Policy's script-src does not apply). ``<``, ``>`` and ``&`` are written as
    \\u escapes, so no text in it can close the element or open a comment."""
    items = data if isinstance(data, list | tuple) else [data]
    blocks = []
    for item in items:
        text = json.dumps(item, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":"))
        for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            text = text.replace(char, escape)
        blocks.append(f'<script type="application/ld+json">{text}</script>')
    return mark_safe("\n  ".join(blocks))  # noqa: S308 - escaped above
