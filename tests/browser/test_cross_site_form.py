"""A page on another site cannot post a comment in a reader's name: the shared comment form
carries no per-visitor token, so the browser's own Origin and Sec-Fetch-Site headers decide."""

import html
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from comments.forms import make_timestamp
from comments.models import Comment
from tests import factories
from tests.comments.support import post_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _other_site(page_html):
    """A real second origin (another port) serving one page."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = page_html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_form_on_another_site_cannot_post_a_comment(live_server, page, settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    post = factories.post(title="Targeted post")
    fields = {
        "name": "Forged Name",
        "email": "victim@example.org",
        "body": "Posted by another site",
        "timestamp": make_timestamp(post, now=time.time() - 60),
        "hp_subject": "",
        "parent": "",
        "website": "",
    }
    inputs = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
        for name, value in fields.items()
    )
    action = f"{live_server.url}{post_url(post)}"
    other = _other_site(
        f'<!doctype html><form id="f" method="post" action="{action}">{inputs}</form>'
        "<script>document.getElementById('f').submit()</script>"
    )
    try:
        with page.expect_response(lambda r: r.url == action) as answer:
            page.goto(f"http://127.0.0.1:{other.server_port}/")
        response = answer.value
        assert response.status == 403
        page.wait_for_load_state()
        assert "sent from a page on another site" in page.content()
        assert not Comment.objects.filter(body="Posted by another site").exists()

        # The same form, sent from the site's own page, is accepted.
        page.goto(f"{live_server.url}{post.get_absolute_url()}")
        form = page.locator("#comment-form-element")
        form.locator("textarea[name=body]").fill("Posted from the post's own page")
        form.locator("input[name=name]").fill("Rita Reader")
        form.locator("input[name=email]").fill("rita@example.org")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert Comment.objects.filter(body="Posted from the post's own page").exists()
    finally:
        other.shutdown()
        other.server_close()
