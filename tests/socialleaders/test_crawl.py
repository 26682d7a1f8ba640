"""With the publication's real content imported, every link on every public page resolves.

A crawl from the home page follows every same-site link (pages, feeds, the sitemap's entries) and
checks that each answers 200, and that links to an anchor (#q-advice) land on an element with that
id. Nothing may be a 404 or a 500."""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("/admin/", "/static/", "/media/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _local_path(href, base):
    url = urljoin(base, href)
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    if parts.scheme not in ("http", "https") or parts.netloc not in ("testserver", site.netloc):
        return None
    return (
        parts.path
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


def test_every_link_on_every_page_resolves(client, seeds_dir):
    call_command("import_content", *sorted(str(p) for p in seeds_dir.glob("*.txt")), verbosity=0)
    seen, queue, broken, anchors = set(), ["/"], [], []
    ids_by_page = {}
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, follow=True)
        if response.status_code != 200:
            broken.append((path, response.status_code))
            continue
        content_type = response.headers.get("Content-Type", "")
        if "html" not in content_type and "xml" not in content_type:
            continue  # images (quote share cards) and other files: resolved, nothing to follow
        body = response.content.decode()
        if "html" in content_type:
            parser = _Links()
            parser.feed(body)
            ids_by_page[path] = parser.ids
            hrefs = parser.links
        elif "xml" in content_type:  # feeds and the sitemap
            hrefs = re.findall(r"<(?:loc|link)>([^<]+)</", body) + re.findall(
                r'<link[^>]+href="([^"]+)"', body
            )
        else:
            continue
        for href in hrefs:
            local = _local_path(href, "http://testserver" + path)
            if not local or local.startswith(SKIP_PREFIXES):
                continue
            page, fragment = urldefrag(local)
            if fragment:
                anchors.append((path, page, fragment))
            if page not in seen:
                queue.append(page)

    assert broken == []
    assert len(seen) > 60, "the crawl reached the whole site"
    missing = [
        (src, page, frag)
        for src, page, frag in anchors
        if page in ids_by_page and frag not in ids_by_page[page]
    ]
    assert missing == []
