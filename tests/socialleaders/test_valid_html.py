"""Every page type is valid HTML, as the W3C Nu HTML checker (npm vnu-jar, run with Java) sees it.

The pages are rendered with the test client, written to a temporary folder and checked in one
Java process (starting the checker costs seconds; checking a page, milliseconds). CI sets
REQUIRE_BROWSER=1 so that a missing Java or checker fails the run instead of skipping.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from comments.models import Comment
from tests import factories as f
from tests.comments.support import form_data, post_url, send
from tests.socialleaders.test_query_budgets import Site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache", "fresh_cache")]

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture
def vnu():
    java = shutil.which("java")
    if not java or not VNU_JAR.exists():
        what = "Java (Debian default-jre-headless)" if not java else "vnu-jar (npm ci)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{what} is required for the HTML checks (REQUIRE_BROWSER=1)")
        pytest.skip(f"{what} not available: make browser-deps")

    def check(files):
        result = subprocess.run(
            [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        # The JSON report goes to stderr; its exit status is 1 when there are errors.
        report = json.loads(result.stderr or "{}")
        return [
            f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m.get('message')}"
            f" [{(m.get('extract') or '').strip()[:120]}]"
            for m in report.get("messages", [])
            if m.get("type") in ("error", "non-document-error")
        ]

    return check


def comment_pages(client, site):
    """The comment flows' own pages: a refused form, the thread with one's own pending comment
    and a reply form opened under a comment, the edit, delete and follow pages, a message."""
    pages = {}
    response = client.post(post_url(site.post), form_data(site.post, name="", email="", body=""))
    assert response.status_code == 400
    pages["comment refused"] = response
    assert send(client, site.post, body="My own words, for the checker").status_code == 303
    mine = Comment.objects.get(body="My own words, for the checker")
    pages["post with own pending comment"] = client.get(site.post.get_absolute_url())
    root = site.root_comments[0]
    pages["reply form under a comment"] = client.get(
        f"{site.post.get_absolute_url()}?reply_to={root.pk}"
    )
    pages["edit comment"] = client.get(f"/comments/{mine.pk}/edit/")
    pages["delete comment"] = client.get(f"/comments/{mine.pk}/delete/")
    pages["follow"] = client.get(f"/comments/post/{site.post.pk}/follow/")
    pages["message"] = client.get("/comments/follow/confirm/not-a-token/")
    return pages


def test_every_page_type_is_valid_html(client, vnu, tmp_path):
    site = Site()
    site.grow(2)
    f.interview(slug="without-extras")  # no image, video, answers or comments
    pages = {name: client.get(url) for name, url in site.urls().items()}
    pages["search results"] = client.get("/search/?q=interview")
    pages["search, nothing found"] = client.get("/search/?q=zzzqqq")
    pages["search, no query"] = client.get("/search/")
    pages["interview without extras"] = client.get("/interviews/without-extras/")
    pages["not found"] = client.get("/no-such-page/")
    pages.update(comment_pages(client, site))

    files = []
    for name, response in pages.items():
        assert response.status_code < 500, name
        assert response["Content-Type"].startswith("text/html"), name
        path = tmp_path / f"{name.replace(' ', '-').replace(',', '')}.html"
        path.write_bytes(response.content)
        files.append(path)
    errors = vnu(files)
    assert errors == [], "\n".join(errors)


def test_times_are_given_to_the_second(client):
    """HTML allows at most three digits of a fraction of a second; the checker needs no Java."""
    post = f.post(slug="timed")
    f.comment(post=post)
    html = client.get(post.get_absolute_url()).content.decode()
    stamps = re.findall(r'datetime="([^"]+)"', html)
    assert stamps
    for stamp in stamps:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", stamp), stamp
