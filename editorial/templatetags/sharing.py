"""``{% share_card_url %}``: the generated share image of a page (editorial.quotecards)."""

from html import unescape

from django import template
from django.utils.html import strip_tags

from editorial import quotecards

register = template.Library()


@register.simple_tag
def share_card_url(text, name="", role="", kind="quote"):
    """A quote card (text, leader's name and role) or, with kind="title", a headline card
    (text, then ``name`` as byline or description). Text may be HTML: it is drawn as plain text."""
    plain = [unescape(strip_tags(str(value or ""))) for value in (text, name, role)]
    if kind == "title" and len(plain[1]) > 200:
        plain[1] = plain[1][:200].rsplit(" ", 1)[0] + " …"
    return quotecards.card_url(quotecards.share_fields(*plain, kind=kind))
