"""schema.org JSON-LD for search engines: the pieces every page type builds on (the publisher,
breadcrumbs, absolute URLs, dates). Content apps build their types from these; base templates
print them with ``{% json_ld %}``. Which page carries which type, and why: docs/frontend.md,
"Sharing"."""

from django.conf import settings
from django.utils import timezone

CONTEXT = "https://schema.org"


def absolute(url):
    return url if not url or url.startswith(("http://", "https://")) else settings.SITE_URL + url


def date(value):
    """ISO 8601 to the second (search engines want a time zone, HTML no fractions)."""
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else None


def publisher():
    return {"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL + "/"}


def breadcrumbs(*trail):
    """A BreadcrumbList from (name, url) pairs, the home page first."""
    items = [("Home", "/"), *trail]
    return {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": absolute(url)}
            for position, (name, url) in enumerate(items, start=1)
        ],
    }


def collection(name, url, items, *, kind="CollectionPage", start=1, main_entity=None):
    """A page listing things (a section, a theme, an archive month): a CollectionPage whose
    mainEntity is an ItemList of what the page shows, from (name, url) pairs, numbered from
    ``start`` (page 2 goes on from page 1). Google's list guide needs each ListItem's position
    and url. A page about one thing (an author's ProfilePage) keeps that thing as its
    mainEntity and the list as ``hasPart``."""
    listing = {
        "@type": "ItemList",
        "numberOfItems": len(items),
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": item_name, "url": absolute(link)}
            for position, (item_name, link) in enumerate(items, start=start)
        ],
    }
    page = {"@context": CONTEXT, "@type": kind, "name": name, "url": absolute(url)}
    if main_entity:
        page.update(mainEntity=main_entity, hasPart=listing)
    else:
        page["mainEntity"] = listing
    return page


def article(kind, *, headline, url, author, published, modified, image, description=""):
    """An Article or BlogPosting with what Google's article guide recommends (it requires none):
    headline, author (with a name and url), dates, image; and the publisher."""
    data = {
        "@context": CONTEXT,
        "@type": kind,
        "headline": headline[:110],
        "url": absolute(url),
        "mainEntityOfPage": absolute(url),
        "author": [author],
        "publisher": publisher(),
        "datePublished": date(published),
        "dateModified": date(max(filter(None, [published, modified]), default=None)),
        "image": [absolute(image)] if image else [],
    }
    if description:
        data["description"] = description
    return data


def website(search_url):
    """The site, with the search box search engines may offer (SearchAction)."""
    return {
        "@context": CONTEXT,
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": settings.SITE_URL + "/",
        "description": settings.SITE_TAGLINE,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": absolute(search_url) + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }
