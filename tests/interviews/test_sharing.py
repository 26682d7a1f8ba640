"""Every page shares well: an og:image that really is an image (the uploaded one, else a
generated 1200×630 card), refreshed when the piece changes."""

import io
import json
import re
import time
from datetime import datetime, timedelta
from html import unescape
from urllib.parse import quote as urlquote

import pytest
import reversion
import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from editorial import quotecards
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


def meta(page, prop):
    found = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', page)
    assert found, f"no {prop}"
    return unescape(found.group(1))


def follow_image(client, settings, url):
    """The image an og:image URL points at, fetched through the site (or its storage)."""
    assert url.startswith(settings.SITE_URL + "/"), url
    path = url[len(settings.SITE_URL) :]
    if path.startswith(settings.MEDIA_URL):
        with default_storage.open(path[len(settings.MEDIA_URL) :], "rb") as handle:
            return Image.open(io.BytesIO(handle.read()))
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


@pytest.fixture
def content():
    leader = f.leader(name="Ada Example", role="Chief Executive", slug="ada")
    interview = f.interview(leader=leader, slug="ada-interview", title="Ada on being you")
    question = f.question(slug="why", text="Why do you use social media?")
    answer = f.answer(interview=interview, question=question, body="Because it works.")
    f.quote(interview=interview, answer=answer, leader=leader, text="An early line.")
    pull = f.quote(interview=interview, answer=answer, leader=leader, text="Be you.", featured=True)
    post = f.post(slug="a-post", title="Ten ways to be heard", author=f.author(name="Bo Writer"))
    post.tags.add("Advice")
    platform = f.platform(slug="linkedin", name="LinkedIn")
    f.uses(interview, platform)
    interview.themes.add("Being yourself")
    return {"leader": leader, "interview": interview, "quote": pull, "post": post}


PAGES = [
    "/",
    "/interviews/",
    "/interviews/ada-interview/",
    "/leaders/",
    "/leaders/ada/",
    "/quotes/",
    "/questions/",
    "/questions/why/",
    "/platforms/",
    "/platforms/linkedin/",
    "/themes/",
    "/themes/being-yourself/",
    "/blog/",
    "/blog/a-post/",
    "/blog/tags/advice/",
    "/search/",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_type_has_an_og_image_that_is_a_1200_by_630_png(client, settings, content, path):
    page = client.get(path)
    assert page.status_code == 200
    image_url = meta(page.text, "og:image")
    assert meta(page.text, "twitter:image") == image_url
    assert meta(page.text, "twitter:card") == "summary_large_image"
    image = follow_image(client, settings, image_url)
    assert image.format == "PNG" and image.size == (1200, 630)


def test_the_interview_card_is_its_leaders_pull_quote(client, content):
    page = client.get("/interviews/ada-interview/").text
    token = meta(page, "og:image").split("/share/cards/")[1].removesuffix(".png")
    fields = quotecards.unsign_fields(token)
    assert fields["text"] == "Be you." and fields["name"] == "Ada Example"
    assert fields["role"] == content["leader"].role_line
    assert "kind" not in fields  # drawn as a quote card


def test_the_post_card_is_its_title_and_author(client, content):
    page = client.get("/blog/a-post/").text
    token = meta(page, "og:image").split("/share/cards/")[1].removesuffix(".png")
    fields = quotecards.unsign_fields(token)
    assert fields == {
        "text": "Ten ways to be heard",
        "name": "By Bo Writer",
        "role": "",
        "site": fields["site"],
        "kind": "title",
    }


def test_an_uploaded_image_wins_over_the_card(
    client, settings, content, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        picture = f.image(size=(1600, 900))
        content["interview"].image = picture
        content["interview"].image_alt = "Ada at her desk"
        content["interview"].save()
    page = client.get("/interviews/ada-interview/").text
    url = meta(page, "og:image")
    assert "/share/cards/" not in url and url.startswith(settings.SITE_URL + settings.MEDIA_URL)
    image = follow_image(client, settings, url)
    assert image.format == "JPEG" and image.size == (1200, 630)  # the og rendition


def test_a_change_to_the_piece_gives_a_new_card(client, settings, content):
    before = meta(client.get("/blog/a-post/").text, "og:image")
    old = follow_image(client, settings, before)
    content["post"].title = "Eleven ways to be heard"
    content["post"].save()
    after = meta(client.get("/blog/a-post/").text, "og:image")
    assert after != before
    assert follow_image(client, settings, after).tobytes() != old.tobytes()


def test_a_card_url_not_signed_by_the_site_is_a_404(client):
    assert client.get("/share/cards/eyJ0ZXh0IjoiaGkifQ:forged.png").status_code == 404
    token = quotecards.sign_fields(quotecards.share_fields("Hi", kind="title"))
    assert client.get(f"/share/cards/{token[:-3]}xyz.png").status_code == 404


def test_a_card_is_drawn_once_and_answers_304(client, content):
    token = quotecards.sign_fields(quotecards.share_fields("Once", "Twice", kind="title"))
    first = client.get(f"/share/cards/{token}.png")
    assert first.status_code == 200 and "public" in first["Cache-Control"]
    path = quotecards.card_path(quotecards.share_fields("Once", "Twice", kind="title"))
    assert default_storage.exists(path)
    again = client.get(f"/share/cards/{token}.png", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


# A page per quote ----------------------------------------------------------------------------


def test_the_quote_page_shows_its_card_the_quote_its_answer_and_share_links(
    client, settings, content
):
    quote = content["quote"]
    page = client.get(f"/quotes/{quote.pk}/")
    assert page.status_code == 200
    html = page.text
    card = meta(html, "og:image")
    assert f'src="{card[len(settings.SITE_URL) :]}"' in html  # the card itself, on the page
    fields = quotecards.unsign_fields(card.split("/share/cards/")[1].removesuffix(".png"))
    assert fields == quotecards.card_fields(quote)  # the same image as the quote wall's
    assert follow_image(client, settings, card).size == (1200, 630)
    assert "Be you." in html
    assert "Why do you use social media?" in html and "Because it works." in html
    assert f'href="{quote.get_absolute_url()}"' in html  # the answer in the interview
    assert 'href="/leaders/ada/"' in html
    url = f"{settings.SITE_URL}/quotes/{quote.pk}/"
    encoded = urlquote(url, safe="")
    for link in (
        f"https://x.com/intent/tweet?text=%E2%80%9CBe%20you.%E2%80%9D%20%E2%80%93%20Ada%20Example&amp;url={encoded}",
        f"https://www.linkedin.com/sharing/share-offsite/?url={encoded}",
        f"https://www.facebook.com/sharer/sharer.php?u={encoded}",
        "https://bsky.app/intent/compose?text=",
        "mailto:?subject=",
    ):
        assert f'href="{link}' in html, link
    assert f'value="{url}" readonly' in html  # copy by hand, or with the button js/copy.js adds
    # No third-party script: only our static files.
    for src in re.findall(r"<script[^>]* src=\"([^\"]+)\"", html):
        assert src.startswith(settings.STATIC_URL), src


def share_links(html):
    """The share section's links (outside it, a page links to X or LinkedIn for other reasons)."""
    found = re.search(r'<section class="share-links".*?</section>', html, re.S)
    assert found, "no share links"
    return found.group(0)


@pytest.mark.parametrize("path", ["/interviews/ada-interview/", "/blog/a-post/"])
def test_interviews_and_posts_have_share_links_without_third_party_script(
    client, settings, content, path
):
    html = client.get(path).text
    section = share_links(html)
    url = settings.SITE_URL + path
    encoded = urlquote(url, safe="")
    for link in (
        "https://x.com/intent/tweet?text=",
        f"https://www.linkedin.com/sharing/share-offsite/?url={encoded}",
        f"https://www.facebook.com/sharer/sharer.php?u={encoded}",
        "mailto:?subject=",
    ):
        assert f'href="{link}' in section, link
    assert f"&amp;url={encoded}" in section and f"&amp;body={encoded}" in section
    assert f'value="{url}" readonly' in section and 'data-copy="Copy link"' in section
    scripts = re.findall(r"<script[^>]* src=\"([^\"]+)\"", html)
    assert any(src.endswith(".js") and "/js/copy" in src for src in scripts), scripts
    for src in scripts:
        assert src.startswith(settings.STATIC_URL), src


def test_share_links_leave_anonymous_pages_the_same_bytes_for_every_reader(content):
    from django.test import Client

    for path in ["/interviews/ada-interview/", "/blog/a-post/", f"/quotes/{content['quote'].pk}/"]:
        # The comment form's signed time is per render (the page cache shares one render; it
        # is off here), so both readers are served within the same second.
        with time_machine.travel(timezone.now(), tick=False):
            first, second = Client().get(path), Client().get(path)
        assert b'class="share-links"' in first.content
        assert first.content == second.content, path
        assert not first.cookies, path


def test_the_leaders_approval_page_has_no_share_links(client, content):
    draft = f.interview(published=False, leader=content["leader"], title="Ada, not yet out")
    token = f.approval_link(draft)[1]
    html = client.get(f"/approve/{token}/").text
    assert "Ada, not yet out" in html and 'class="share-links"' not in html


def test_the_quote_wall_links_each_quote_to_its_page(client, content):
    html = client.get("/quotes/").text
    assert f'href="/quotes/{content["quote"].pk}/"' in html


def test_a_quote_of_an_unpublished_interview_has_no_page(client):
    hidden = f.interview(published=False)
    quote = f.quote(interview=hidden)
    assert client.get(f"/quotes/{quote.pk}/").status_code == 404
    assert client.get("/quotes/999999/").status_code == 404


def test_a_page_gives_the_same_card_url_every_time(client, content):
    first = meta(client.get("/interviews/ada-interview/").text, "og:image")
    time.sleep(1.1)  # a timestamped signature would differ now
    assert meta(client.get("/interviews/ada-interview/").text, "og:image") == first


# Structured data (JSON-LD) -------------------------------------------------------------------


def json_ld(html):
    """Every JSON-LD block of the page, parsed (a block that does not parse fails the test)."""
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def of_type(html, kind):
    found = [item for item in json_ld(html) if item["@type"] == kind]
    assert len(found) == 1, (kind, [item["@type"] for item in json_ld(html)])
    assert found[0]["@context"] == "https://schema.org"
    return found[0]


def assert_breadcrumbs(html, settings, *names):
    trail = of_type(html, "BreadcrumbList")["itemListElement"]
    assert [item["name"] for item in trail] == ["Home", *names]
    assert [item["position"] for item in trail] == list(range(1, len(names) + 2))
    for item in trail:  # Google: each ListItem has position, name and (absolute) item
        assert item["@type"] == "ListItem" and item["item"].startswith(settings.SITE_URL + "/")


def assert_article(data, client, settings):
    """The properties Google's Article guide lists (it requires none; we give all it
    recommends): headline, image, datePublished, dateModified, author with name and url."""
    assert 0 < len(data["headline"]) <= 110
    assert data["image"] and all(url.startswith(settings.SITE_URL) for url in data["image"])
    assert follow_image(client, settings, data["image"][0]).size == (1200, 630)
    for key in ("datePublished", "dateModified"):
        assert datetime.fromisoformat(data[key]).tzinfo is not None, key
        assert "." not in data[key]  # whole seconds
    assert data["dateModified"] >= data["datePublished"]
    for author in data["author"]:
        assert author["@type"] in {"Person", "Organization"} and author["name"] and author["url"]
    assert data["publisher"]["@type"] == "Organization" and data["publisher"]["name"]
    assert data["url"].startswith(settings.SITE_URL + "/")


def test_an_interview_is_an_article_by_the_publication_about_its_leader(client, settings, content):
    html = client.get("/interviews/ada-interview/").text
    data = of_type(html, "Article")
    assert_article(data, client, settings)
    assert data["headline"] == "Ada on being you"
    assert (
        data["datePublished"]
        == content["interview"]
        .publish_at.replace(microsecond=0)
        .astimezone(datetime.fromisoformat(data["datePublished"]).tzinfo)
        .isoformat()
    )
    assert data["author"] == [data["publisher"]]
    assert data["about"]["@type"] == "Person" and data["about"]["name"] == "Ada Example"
    assert data["image"] == [meta(html, "og:image")]
    assert_breadcrumbs(html, settings, "Interviews", "Ada on being you")


def test_a_post_is_a_blog_posting_by_its_author(client, settings, content):
    html = client.get("/blog/a-post/").text
    data = of_type(html, "BlogPosting")
    assert_article(data, client, settings)
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Bo Writer",
            "url": settings.SITE_URL + "/blog/authors/" + content["post"].author.slug + "/",
        }
    ]
    assert_breadcrumbs(html, settings, "Blog", "Ten ways to be heard")


def test_an_edit_in_the_admin_moves_date_modified(editor_client, client, content):
    with reversion.create_revision():
        content["post"].excerpt = "Now with an excerpt."
        content["post"].save()
    data = of_type(client.get("/blog/a-post/").text, "BlogPosting")
    assert data["dateModified"] > data["datePublished"]


def test_a_leader_page_is_a_profile_page_of_a_person(client, settings, content):
    f.social_account(leader=content["leader"], platform=f.platform(slug="twitter"), handle="@ada")
    html = client.get("/leaders/ada/").text
    page = of_type(html, "ProfilePage")
    person = page["mainEntity"]  # Google's profile page guide: mainEntity with a name
    assert person["@type"] == "Person" and person["name"] == "Ada Example"
    assert person["jobTitle"] == "Chief Executive"
    assert person["url"] == settings.SITE_URL + "/leaders/ada/"
    assert "https://twitter.com/ada" in person["sameAs"]
    assert_breadcrumbs(html, settings, "Leaders", "Ada Example")


def test_the_home_page_is_a_website_with_a_search_action(client, settings, content):
    html = client.get("/").text
    site = of_type(html, "WebSite")
    assert site["url"] == settings.SITE_URL + "/" and site["name"] == settings.SITE_NAME
    action = site["potentialAction"]
    assert action["@type"] == "SearchAction"
    template = action["target"]["urlTemplate"]
    assert template == settings.SITE_URL + "/search/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"
    # The template really searches.
    assert client.get(template.replace("{search_term_string}", "Ada")[len(settings.SITE_URL) :])
    assert client.get("/search/?q=Ada").status_code == 200


def test_question_and_quote_pages_have_breadcrumbs_and_no_faq_markup(client, settings, content):
    html = client.get("/questions/why/").text
    assert_breadcrumbs(html, settings, "Questions", "Why do you use social media?")
    assert not {"FAQPage", "QAPage"} & {item["@type"] for item in json_ld(html)}
    html = client.get(f"/quotes/{content['quote'].pk}/").text
    assert_breadcrumbs(html, settings, "Quotes", "Ada Example")


def assert_collection(html, settings, kind, name, urls):
    """A list page: its type, name and url, and an ItemList of what it shows, each ListItem
    with its position and absolute url (Google's list guide) and a name."""
    page = of_type(html, kind)
    assert page["name"] == name and page["url"].startswith(settings.SITE_URL + "/")
    listing = page["hasPart"] if kind == "ProfilePage" else page["mainEntity"]
    assert listing["@type"] == "ItemList"
    items = listing["itemListElement"]
    assert [item["url"] for item in items] == [settings.SITE_URL + url for url in urls]
    assert [item["position"] for item in items] == list(range(1, len(urls) + 1))
    assert listing["numberOfItems"] == len(urls)
    for item in items:
        assert item["@type"] == "ListItem" and item["name"]
    return page


@pytest.fixture
def lists(content):
    """Every kind of list page, with the JSON-LD type, trail and item URLs it must carry."""
    interview, post, quote = content["interview"], content["post"], content["quote"]
    series = f.series(slug="the-series", title="The series")
    interview.series, interview.series_order = series, 1
    interview.save()
    month = timezone.localtime(post.publish_at)
    year_path, month_path = f"/blog/{month:%Y}/", f"/blog/{month:%Y}/{month:%m}/"
    ada, post_url = interview.get_absolute_url(), post.get_absolute_url()
    return {
        "/interviews/": ("CollectionPage", ["Interviews"], [ada]),
        "/leaders/": ("CollectionPage", ["Leaders"], ["/leaders/ada/"]),
        "/platforms/": ("CollectionPage", ["Platforms"], ["/platforms/linkedin/"]),
        "/platforms/linkedin/": ("CollectionPage", ["Platforms", "LinkedIn"], [ada]),
        "/themes/": ("CollectionPage", ["Themes"], ["/themes/being-yourself/"]),
        "/themes/being-yourself/": ("CollectionPage", ["Themes", "Being yourself"], [ada]),
        "/series/the-series/": ("CollectionPage", ["Interviews", "The series"], [ada]),
        "/questions/": ("CollectionPage", ["Questions"], ["/questions/why/"]),
        "/questions/why/": (
            "CollectionPage",
            ["Questions", "Why do you use social media?"],
            [ada + "#q-why"],
        ),
        "/quotes/": ("CollectionPage", ["Quotes"], [f"/quotes/{quote.pk}/"]),
        "/blog/": ("CollectionPage", ["Blog"], [post_url]),
        "/blog/tags/advice/": ("CollectionPage", ["Blog", "Advice"], [post_url]),
        f"/blog/authors/{post.author.slug}/": ("ProfilePage", ["Blog", "Bo Writer"], [post_url]),
        year_path: ("CollectionPage", ["Blog", f"{month:%Y}"], [post_url]),
        month_path: ("CollectionPage", ["Blog", f"{month:%Y}", f"{month:%B %Y}"], [post_url]),
    }


def test_every_list_page_is_a_collection_of_what_it_shows_with_breadcrumbs(
    client, settings, content, lists
):
    # The wall shows both quotes, in its own order.
    wall = re.findall(r'class="pull-quote__page" href="([^"]+)"', client.get("/quotes/").text)
    assert len(wall) == 2
    lists["/quotes/"] = (*lists["/quotes/"][:2], wall)
    for path, (kind, trail, urls) in lists.items():
        html = client.get(path).text
        page = assert_collection(html, settings, kind, trail[-1], urls)
        assert page["url"] == settings.SITE_URL + path, path
        assert_breadcrumbs(html, settings, *trail)
        assert of_type(html, "BreadcrumbList")["itemListElement"][-1]["item"] == page["url"]


def test_an_author_page_is_the_profile_of_the_person_with_their_posts(client, settings, content):
    author = content["post"].author
    author.website = "https://bo.example/"
    author.save()
    page = of_type(client.get(f"/blog/authors/{author.slug}/").text, "ProfilePage")
    assert page["mainEntity"] == {
        "@type": "Person",
        "name": "Bo Writer",
        "url": settings.SITE_URL + author.get_absolute_url(),
        "sameAs": ["https://bo.example/"],
    }


def test_a_later_page_of_a_list_numbers_its_items_on_from_the_first(client, settings, content):
    author = content["post"].author
    for _ in range(10):
        f.post(author=author, publish_at=content["post"].publish_at - timedelta(days=1))
    page = of_type(client.get("/blog/?page=2").text, "CollectionPage")
    assert page["url"] == settings.SITE_URL + "/blog/?page=2"
    items = page["mainEntity"]["itemListElement"]
    assert [item["position"] for item in items] == [11]
    shown = client.get("/blog/?page=2").text
    assert f'href="{items[0]["url"][len(settings.SITE_URL) :]}"' in shown


def test_json_ld_cannot_close_its_script_element(client, content):
    content["post"].title = "</script><script>alert(1)</script> & <!-- more"
    content["post"].save()
    html = client.get("/blog/a-post/").text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block
    data = of_type(html, "BlogPosting")
    assert data["headline"] == "</script><script>alert(1)</script> & <!-- more"


def test_a_visitors_search_words_are_never_drawn_on_a_card(client, content):
    home = meta(client.get("/").text, "og:image")
    searched = meta(client.get("/search/?q=buy+cheap+pills").text, "og:image")
    assert searched == home
    fields = quotecards.unsign_fields(searched.split("/share/cards/")[1].removesuffix(".png"))
    assert "pills" not in str(fields)
