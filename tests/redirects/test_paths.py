"""Old addresses in every spelling a link may have come in give one key."""

import pytest

from redirects.paths import BadPath, clean_target, normalise


@pytest.mark.parametrize(
    "spelling",
    [
        "/2014/05/12/my-post/",
        "/2014/05/12/my-post",
        "2014/05/12/my-post/",
        "/2014//05/12/My-Post/",
        "https://oldblog.example.com/2014/05/12/my-post/",
        "//oldblog.example.com/2014/05/12/my-post/",
        "/2014/05/12/my-post/?utm_source=twitter&replytocom=12",
        "/2014/05/12/my-post/#comments",
        "/2014/05/12/my%2Dpost/",
        "  /2014/05/12/my-post/  ",
    ],
)
def test_spellings_of_one_address_give_one_key(spelling):
    assert normalise(spelling) == "/2014/05/12/my-post"


def test_wordpress_content_queries_are_part_of_the_key_sorted_and_others_dropped():
    assert normalise("/?p=123") == "/?p=123"
    assert normalise("http://old.example.com/?p=123&utm_medium=x") == "/?p=123"
    assert normalise("/?feed=rss2&cat=4") == "/?cat=4&feed=rss2"
    assert normalise("/?P=123") == "/?p=123"
    assert normalise("/") == "/"
    assert normalise("/?utm_source=x") == "/"


def test_non_ascii_addresses_are_decoded_and_lower_cased():
    assert normalise("/2014/05/caf%C3%A9-cr%C3%A8me/") == "/2014/05/café-crème"
    assert normalise("/2014/05/CAFÉ-crème") == "/2014/05/café-crème"


def test_files_keep_their_name():
    assert normalise("/wp-content/uploads/2014/05/Photo-1.JPG") == (
        "/wp-content/uploads/2014/05/photo-1.jpg"
    )


@pytest.mark.parametrize("bad", ["", "   ", "/a\x00b/", "/a%0Ab/", "/" + "a" * 1200])
def test_addresses_that_cannot_be_keys_are_refused(bad):
    with pytest.raises(BadPath):
        normalise(bad)


@pytest.mark.parametrize(
    "target", ["/blog/x/", "https://example.org/x", "http://example.org", "/media/a b.jpg"]
)
def test_targets_are_site_paths_or_http_urls(target):
    assert clean_target(target).replace("%20", " ") == target


@pytest.mark.parametrize(
    "bad",
    ["", "javascript:alert(1)", "//evil.example/", "blog/x/", "ftp://x/", "/a\r\nSet-Cookie: x"],
)
def test_other_targets_are_refused(bad):
    with pytest.raises(BadPath):
        clean_target(bad)
