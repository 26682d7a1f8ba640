"""Library images placed in long text (``![Alt text](image:12)``, socialleaders.text): found in
one query for all the texts of a page, drawn as the piece images are (``{% picture %}``'s
responsive ``<picture>``, renditions made at save)."""

from django.utils.html import format_html

from .models import Image

# As wide as the text column (the article image's sizes).
SIZES = "(min-width: 44rem) 40rem, 100vw"


def resolve(ids):
    return {image.pk: image for image in Image.objects.filter(pk__in=ids)}


def render(image, alt, alone):
    """Alone in its paragraph: a figure of its own; within a sentence: the picture inline."""
    from .templatetags.images import picture

    drawn = picture(image, alt=alt, spec="hero", sizes=SIZES, css_class="body-image__img")
    if not alone:
        return drawn
    return format_html('<figure class="body-image">{}</figure>', drawn)


def connect():
    from socialleaders import text

    text.register_library_images(resolve, render)
