"""Comment bodies: plain text in, safe HTML out (comments/text.py)."""

from html.parser import HTMLParser

import pytest

from comments.text import clean_text, count_links, render_comment


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def tags_of(html):
    parser = TagCollector()
    parser.feed(str(html))
    return parser.tags


def text_of(html):
    parser = TagCollector()
    parser.feed(str(html))
    parser.close()
    return "".join(parser.text)


def test_paragraphs_and_line_breaks():
    html = render_comment("First line\nsecond line\n\n\nNew paragraph")
    assert html == "<p>First line<br>second line</p><p>New paragraph</p>"


def test_windows_newlines_make_the_same_paragraphs():
    assert render_comment("a\r\nb\r\n\r\nc") == render_comment("a\nb\n\nc")


def test_urls_become_nofollow_ugc_links_without_trailing_punctuation():
    html = render_comment(
        "See https://example.org/a?b=1&c=2. Or www.example.com, (https://x.org/y)"
    )
    links = [attrs for tag, attrs in tags_of(html) if tag == "a"]
    assert [link["href"] for link in links] == [
        "https://example.org/a?b=1&c=2",
        "https://www.example.com",
        "https://x.org/y",
    ]
    assert all(link["rel"] == "nofollow ugc noopener" for link in links)
    assert "</a>. Or" in html
    assert "</a>)" in html


def test_brackets_that_belong_to_the_address_are_kept():
    html = render_comment("https://en.wikipedia.org/wiki/Dune_(novel)")
    assert 'href="https://en.wikipedia.org/wiki/Dune_(novel)"' in html


def test_long_link_text_is_shortened_but_the_address_is_whole():
    url = "https://example.org/" + "x" * 200
    html = render_comment(url)
    assert f'href="{url}"' in html
    assert "…</a>" in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        "javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "<svg onload=alert(1)><b><i>unbalanced",
        "</p></div></body><p onclick=x>",
        '"><script>alert(1)</script>',
        'https://example.org/"onmouseover="alert(1)',
        "<style>body{display:none}</style>",
    ],
)
def test_hostile_markup_is_escaped_and_never_runs(hostile):
    html = render_comment(f"Before {hostile} after")
    tags = tags_of(html)
    assert {tag for tag, _ in tags} <= {"p", "br", "a"}
    for tag, attrs in tags:
        if tag == "a":
            assert set(attrs) == {"href", "rel"}
            assert attrs["href"].startswith(("http://", "https://"))
        else:
            assert attrs == {}
    # What the reader typed is still there, shown as the text it is.
    assert text_of(html) == f"Before {hostile} after"


def test_javascript_and_data_urls_are_not_links():
    html = render_comment("javascript:alert(1) data:text/html,hi")
    assert "<a" not in html


def test_bidi_overrides_controls_and_surrogates_are_cleaned():
    dirty = "evil\u202egpj.exe\u2066x\u2069 \x07bell \x1b[31m lone\ud800 ok\n\ttab"
    cleaned = clean_text(dirty)
    for bad in ["\u202e", "\u2066", "\u2069", "\x07", "\x1b", "\ud800"]:
        assert bad not in cleaned
    assert "\ufffd" in cleaned
    assert "\n\ttab" in cleaned
    # Rendering cleans too, and the result can be encoded (stored, sent) as UTF-8.
    render_comment(dirty).encode("utf-8")


def test_nul_bytes_never_reach_the_html():
    assert "\x00" not in render_comment("a\x00b")


def test_count_links_counts_addresses_and_anchors():
    assert count_links("plain text") == 0
    assert count_links("one https://a.org two www.b.org") == 2
    assert count_links('<a href="x">x</a> and http://c.org') == 2


def test_a_50000_character_body_renders_quickly_and_whole():
    body = ("word " * 10000).strip()
    html = render_comment(body)
    assert html.count("word") == 10000
