"""Markdown rendered safely (socialleaders/text.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from socialleaders.text import render_markdown
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
SECOND = timedelta(seconds=1)


def test_markdown_keeps_paragraphs_and_lists():
    html = render_markdown("First paragraph.\n\nSecond.\n\n- one\n- two\n\n1. first\n2. second")
    assert "<p>First paragraph.</p>" in html
    assert "<p>Second.</p>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html


def test_markdown_numbered_list_keeps_its_start():
    assert '<ol start="3">' in render_markdown("3. third\n4. fourth")


@pytest.mark.parametrize(
    "source, forbidden",
    [
        ("Hello <script>alert('x')</script> world", ["<script", "alert('x')"]),
        ('<p onclick="steal()">Click</p>', ["onclick", "steal()"]),
        ("[a link](javascript:alert(1))", ["javascript:"]),
        ('<a href="javascript:alert(1)">x</a>', ["javascript:"]),
        ('<img src="x" onerror="alert(1)">', ["<img", "onerror"]),
        ('<iframe src="https://evil.example"></iframe>', ["<iframe"]),
        ('<a href="https://ok.example" style="color:red">ok</a>', ["style="]),
    ],
)
def test_markdown_output_is_sanitised(source, forbidden):
    html = render_markdown(source)
    for bad in forbidden:
        assert bad not in html


def test_markdown_keeps_safe_links_and_emphasis():
    html = render_markdown("Read [the blog](https://example.org/blog) *now*.")
    assert 'href="https://example.org/blog"' in html
    assert 'rel="noopener"' in html
    assert "<em>now</em>" in html
    assert render_markdown("") == ""


def test_long_text_is_rendered_on_save():
    interview = f.interview(
        introduction="Meet *Ada*.<script>alert(1)</script>", closing="- thanks\n- bye"
    )
    assert interview.introduction_html.startswith("<p>Meet <em>Ada</em>.")
    assert "<script" not in interview.introduction_html
    assert "<li>thanks</li>" in interview.closing_html
    answer = f.answer(body="Two things:\n\n1. listen\n2. <b onclick='x()'>reply</b>")
    assert "<li>listen</li>" in answer.body_html
    assert "onclick" not in answer.body_html and "<b>reply</b>" in answer.body_html
    post = f.post(body='Hi <a href="javascript:x()">there</a>')
    assert "javascript:" not in post.body_html
    series = f.series(summary="**Found**")
    assert series.summary_html == "<p><strong>Found</strong></p>"
