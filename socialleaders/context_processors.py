from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    """The publication's name and canonical origin, for every template."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "SITE_URL": settings.SITE_URL,
    }


def sections(request):
    """``sections.themes`` etc.: whether a section has content (asked only when a page uses it)."""
    from .sections import sections_with_content

    return {"sections": SimpleLazyObject(sections_with_content)}
