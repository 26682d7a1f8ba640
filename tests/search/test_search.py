"""Site search: what readers find, in what order, how it is shown, and what bad input does.

Runs on SQLite (the icontains fallback) and on PostgreSQL (full-text search); the tests marked
``postgres_only`` check what only full-text search does (stemming, websearch syntax, the indexes).
"""

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from search import kinds, postgres, services, vectors
from search.query import (
    MAX_QUERY_LENGTH,
    START_SENTINEL,
    STOP_SENTINEL,
    clean_query,
    highlight,
    marks_from_sentinels,
    query_terms,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("search:results")

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="full-text search is PostgreSQL's"
)


def search(client, q=None, **params):
    if q is not None:
        params["q"] = q
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def result_links(response):
    """The result links on the page, in order."""
    html = response.content.decode()
    return re.findall(r'<h2 class="search-result__title[^"]*"><a href="([^"]+)">', html)


def results_html(response):
    html = response.content.decode()
    start = html.find('<ol class="search-results')
    return html[start : html.find("</ol>", start)] if start != -1 else ""


# --- Pure helpers -----------------------------------------------------------------------------


def test_clean_query_drops_control_characters_and_surrogates():
    assert clean_query("  social\x00 \ud800media\t\n ").text == "social media"
    assert clean_query(None).text == ""
    assert not clean_query("\x00\x01 ")


def test_clean_query_truncates_long_input_on_a_word_boundary():
    query = clean_query("word " * 3000)
    assert query.truncated
    assert len(query.text) <= MAX_QUERY_LENGTH
    assert query.text.endswith("word")


def test_query_terms_are_words_only():
    assert query_terms("'; DROP TABLE x; --") == ["drop", "table", "x"]
    assert query_terms("!!! ... ???") == []


def test_highlight_escapes_everything_but_its_marks():
    html = highlight("Use <b>LinkedIn</b> & linkedin.com", ["linkedin"], whole=True)
    assert html == ("Use &lt;b&gt;<mark>LinkedIn</mark>&lt;/b&gt; &amp; <mark>linkedin</mark>.com")


def test_highlight_cuts_a_window_round_the_first_match():
    text = " ".join(f"w{i}" for i in range(200)) + " needle " + "tail " * 100
    snippet = highlight(text, ["needle"], max_words=20)
    assert "<mark>needle</mark>" in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert len(snippet.split()) < 30


def test_headline_markers_become_balanced_marks():
    s, e = START_SENTINEL, STOP_SENTINEL
    assert marks_from_sentinels(f"a {s}<x>{e} b") == "a <mark>&lt;x&gt;</mark> b"
    # Stray markers (as if the stored text contained them) never unbalance the tags.
    assert marks_from_sentinels(f"{e}a {s}{s}b") == "a <mark>b</mark>"


# --- Empty and bad input ----------------------------------------------------------------------


def test_empty_query_invites_a_search_without_touching_the_database(client):
    with CaptureQueriesContext(connection) as queries:
        response = search(client)
    # Only the menu's one question (which sections have content: socialleaders.sections).
    assert [q["sql"][:14] for q in queries.captured_queries] == ["SELECT EXISTS("]
    html = response.content.decode()
    assert "<h1" in html and "Search" in html
    assert 'name="q"' in html
    assert "search-results" not in html
    assert "Nothing matched" not in html


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE interviews_interview; --",
        '"unbalanced quote',
        "a\x00b",
        "!!! ??? ...",
        "-",
        "or",
        "& < > \" '",
        "x" * 10_000,
        "social " * 2_000,
        "\\",
        "%",
        "_",
        "(social | media) & !x:*",
    ],
)
def test_hostile_or_odd_queries_give_a_results_page(client, raw):
    f.interview(title="Social media for leaders")
    response = search(client, raw)
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "\x00" not in html
    assert "DROP TABLE" not in html or "&#x27;; DROP TABLE" in html


def test_typed_text_is_shown_escaped(client):
    response = search(client, '<script>alert("x")</script>')
    html = response.content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_lone_surrogates_and_bad_utf8_in_the_url(client):
    f.interview(title="Social media for leaders")
    for query_string in ["q=%ED%A0%80social", "q=%FF%FEsocial", "q=%00", "q=%C0"]:
        response = client.get(f"{URL}?{query_string}")
        assert response.status_code == 200, query_string


def test_a_huge_query_is_cut_and_says_so(client):
    response = search(client, "leader " * 2000)
    assert response.context["query_truncated"]
    assert len(response.context["query"]) <= MAX_QUERY_LENGTH
    assert "only its first" in response.content.decode()


def test_punctuation_only_asks_for_words(client):
    with CaptureQueriesContext(connection) as queries:
        response = search(client, "?!… —")
    assert len(queries) == MENU  # no search
    assert "There are no words to search for" in response.content.decode()


def test_nothing_found_says_so(client):
    f.interview(title="Social media for leaders")
    response = search(client, "zeppelin")
    assert result_links(response) == []
    assert "Nothing matched" in response.content.decode()


# --- What is found ----------------------------------------------------------------------------


@pytest.fixture
def content():
    """One of each kind mentioning "LinkedIn", plus hidden ones that must never be found."""
    leader = f.leader(name="Ada Lovelace", honours="FRS", role="Chief Executive")
    interview = f.interview(
        leader=leader,
        title="Ada Lovelace on LinkedIn",
        standfirst="Why a chief executive writes every week.",
        introduction="Ada leads a charity.",
    )
    question = f.question(text="Which platform do you like most?", slug="favourite")
    answer = f.answer(
        interview=interview, question=question, body="I post on **LinkedIn** every Monday."
    )
    quote = f.quote(interview=interview, answer=answer, text="LinkedIn is where my sector talks.")
    platform_leader = f.leader(name="Bo LinkedIn-Smith")
    f.interview(leader=platform_leader, title="Another conversation")
    post = f.post(title="Ten LinkedIn habits", excerpt="What we learnt.")
    # Hidden: a draft, a future interview, an unpublished post, and everything hanging off them.
    draft_leader = f.leader(name="Hidden LinkedIn Leader")
    draft = f.interview(leader=draft_leader, title="Draft LinkedIn interview", published=False)
    f.answer(interview=draft, body="Secret LinkedIn answer.")
    f.quote(interview=draft, text="Secret LinkedIn quote.")
    future = f.interview(
        title="Future LinkedIn interview", publish_at=timezone.now() + timedelta(days=3)
    )
    f.answer(interview=future, body="Future LinkedIn answer.")
    f.interview(
        title="Expired LinkedIn interview",
        publish_at=timezone.now() - timedelta(days=30),
        unpublish_at=timezone.now() - timedelta(days=1),
    )
    f.post(title="Draft LinkedIn post", published=False)
    f.post(title="Future LinkedIn post", publish_at=timezone.now() + timedelta(hours=1))
    return {
        "interview": interview,
        "answer": answer,
        "quote": quote,
        "leader": platform_leader,
        "post": post,
    }


def test_finds_every_kind_of_published_content(client, content):
    response = search(client, "linkedin")
    links = result_links(response)
    assert content["interview"].get_absolute_url() in links
    assert content["answer"].get_absolute_url() in links  # the answer's own anchor
    assert content["answer"].get_absolute_url().endswith("#q-favourite")
    assert content["post"].get_absolute_url() in links
    assert content["leader"].get_absolute_url() in links
    kinds = [r.kind for r in response.context["results"]]
    assert sorted(set(kinds)) == ["answers", "interviews", "leaders", "posts", "quotes"]


def test_never_finds_drafts_future_or_expired_items(client, content):
    response = search(client, "linkedin")
    html = results_html(response)
    for word in ["Draft", "Future", "Expired", "Secret", "Hidden"]:
        assert word not in html
    assert response.context["total"] == 5


def test_leaders_without_a_published_interview_are_not_found(client, content):
    response = search(client, "hidden")
    assert result_links(response) == []


def test_matches_are_marked_in_titles_and_snippets(client, content):
    response = search(client, "linkedin")
    html = results_html(response)
    assert re.search(r"Ada Lovelace on <mark>LinkedIn</mark>", html)
    assert re.search(r"I post on <mark>LinkedIn</mark> every Monday", html)
    assert "**" not in html  # snippets come from the rendered text, not the Markdown
    # Nothing but <mark> is added inside titles and snippets.
    for snippet in re.findall(r'class="search-result__snippet[^"]*">(.*?)</p>', html, re.S):
        assert set(re.findall(r"</?(\w+)", snippet)) <= {"mark"}


def test_a_title_match_ranks_above_a_passing_mention(client):
    passing = f.interview(
        title="A conversation",
        standfirst="About many things.",
        introduction="Once, briefly, she mentioned Instagram.",
    )
    titled = f.interview(title="Instagram for chief executives", introduction="Pictures.")
    links = result_links(search(client, "instagram"))
    assert links.index(titled.get_absolute_url()) < links.index(passing.get_absolute_url())


def test_every_word_must_match(client):
    both = f.interview(title="Time and Twitter")
    f.interview(title="Only Twitter here")
    links = result_links(search(client, "time twitter"))
    assert links == [both.get_absolute_url()]


def test_stored_markup_is_escaped_in_results(client):
    f.post(title="Tips <b>bold</b> & <script>alert(1)</script> Mastodon", excerpt="<i>x</i>")
    html = results_html(search(client, "mastodon"))
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;" in html


def test_kind_filter_narrows_the_results(client, content):
    response = search(client, "linkedin", kind="quotes")
    assert [r.kind for r in response.context["results"]] == ["quotes"]
    assert result_links(response) == [content["quote"].get_absolute_url()]
    # An unknown kind searches everything rather than failing.
    response = search(client, "linkedin", kind="<nope>")
    assert len(response.context["results"]) == 5


def test_facets_count_each_kind(client, content):
    response = search(client, "linkedin")
    counts = {facet["label"]: facet["count"] for facet in response.context["facets"]}
    assert counts["Interviews"] == 1
    assert counts["Answers"] == 1
    assert counts["Quotes"] == 1
    assert counts["Blog posts"] == 1
    assert counts["Leaders"] == 1  # Bo by name; Ada's name and role do not mention it


# --- Pagination -------------------------------------------------------------------------------


@pytest.fixture
def many():
    return [f.interview(title=f"Podcast lesson {i}") for i in range(25)]


def test_results_are_paginated(client, many):
    first = search(client, "podcast")
    second = search(client, "podcast", page="2")
    third = search(client, "podcast", page="3")
    assert len(result_links(first)) == 10
    assert len(result_links(second)) == 10
    assert len(result_links(third)) == 5
    seen = result_links(first) + result_links(second) + result_links(third)
    assert sorted(seen) == sorted(i.get_absolute_url() for i in many)
    assert 'rel="next"' in first.content.decode()
    assert "page=2" in first.content.decode() and "q=podcast" in first.content.decode()


@pytest.mark.parametrize(
    ("page", "expected"), [("abc", 1), ("-1", 3), ("0", 3), ("999", 3), ("", 1), ("2.5", 1)]
)
def test_bad_page_numbers_show_a_page(client, many, page, expected):
    response = search(client, "podcast", page=page)
    assert response.context["page_obj"].number == expected


# --- Query budget -----------------------------------------------------------------------------


def _build(n):
    for i in range(n):
        leader = f.leader(name=f"Budget Leader {i}", bio="Writes about budgets.")
        interview = f.interview(leader=leader, title=f"Budget interview {i}")
        answer = f.answer(interview=interview, body=f"On budget number {i}.")
        f.quote(interview=interview, answer=answer, text=f"Budget quote {i}")
        f.post(title=f"Budget post {i}")


MENU = 1  # the menu asks which sections have content


def _allowed_queries(kind=None):
    """What the design allows for a search page, whatever mix of kinds it shows: on PostgreSQL
    one query ranks every kind searched and one shows the page; the fallback ranks each kind
    with a query of its own. Plus the menu's one query (socialleaders.sections)."""
    if connection.vendor == "postgresql":
        return 2 + MENU
    return (1 if kind else len(services.KINDS)) + 1 + MENU


def _count(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = search(client, "budget", **params)
    results = response.context["results"]
    assert results
    return len(queries), _allowed_queries(params.get("kind"))


def test_query_count_does_not_grow_with_the_data(client):
    _build(3)
    small = [_count(client), _count(client, page="2"), _count(client, kind="answers")]
    _build(40)
    large = [_count(client), _count(client, page="2"), _count(client, kind="answers")]
    for used, allowed in small + large:
        assert used == allowed <= 7
    # Same data shape on the page, same cost, at 3 and at 43 of everything.
    assert small == large
    if connection.vendor == "postgresql":
        assert small == [(3, 3)] * 3


def test_a_search_that_finds_nothing_costs_only_the_ranking(client):
    _build(3)
    with CaptureQueriesContext(connection) as queries:
        response = search(client, "zeppelin")
    assert response.context["results"] == []
    # No page of rows to show; on PostgreSQL one query looks for a "did you mean" instead.
    suggestion = 1 if connection.vendor == "postgresql" else 0
    assert len(queries) == _allowed_queries() - 1 + suggestion


# --- What is public, at any moment --------------------------------------------------------------


@pytest.fixture
def every_state():
    """Content mentioning "wombat" in every publication state, and the rows readers may see."""
    now = timezone.now()
    states = {
        "published": {},
        "draft": {"published": False},
        "scheduled": {"publish_at": now + timedelta(hours=2)},
        "expired": {"publish_at": now - timedelta(days=9), "unpublish_at": now - timedelta(days=1)},
        "expiring later": {"unpublish_at": now + timedelta(days=1)},
    }
    public = {"published", "expiring later"}
    expected = {kind: set() for kind in services.KINDS}
    for state, options in states.items():
        leader = f.leader(name=f"Wombat keeper ({state})")
        interview = f.interview(leader=leader, title=f"Wombat interview ({state})", **options)
        answer = f.answer(interview=interview, body=f"A wombat answer ({state}).")
        quote = f.quote(interview=interview, answer=answer, text=f"Wombat quote ({state}).")
        post = f.post(title=f"Wombat post ({state})", **options)
        if state in public:
            expected["interviews"].add(interview.pk)
            expected["answers"].add(answer.pk)
            expected["quotes"].add(quote.pk)
            expected["leaders"].add(leader.pk)
            expected["posts"].add(post.pk)
    # A leader with two published interviews is one result; one whose only live interview has
    # expired is none.
    twice = f.leader(name="Wombat twice")
    for title in ["First wombat", "Second wombat"]:
        expected["interviews"].add(f.interview(leader=twice, title=title).pk)
    expected["leaders"].add(twice.pk)
    # A quote tied to no interview is public, even when its answer's interview is a draft.
    loose = f.quote(leader=twice, text="A loose wombat quote.")
    hidden_answer = f.answer(interview=f.interview(published=False), body="Hidden.")
    orphan = f.quote(leader=twice, answer=hidden_answer, text="An orphan wombat quote.")
    expected["quotes"] |= {loose.pk, orphan.pk}
    return expected


def test_only_public_rows_are_ranked_in_every_state(every_state):
    outcome = services.rank("wombat")
    found = {kind: set() for kind in services.KINDS}
    for hit in outcome.hits:
        assert hit.pk not in found[hit.kind]  # each row once
        found[hit.kind].add(hit.pk)
    assert found == every_state
    assert outcome.counts == {kind: len(pks) for kind, pks in every_state.items()}


def test_ranked_rows_are_those_of_the_public_querysets(every_state):
    """The ranking's idea of "public" is the ORM's (search.kinds.public_querysets, built on
    socialleaders.publishing), compiled into search.postgres's statement with a "now" slot."""
    public = {
        kind: set(queryset.values_list("pk", flat=True))
        for kind, queryset in services.public_querysets().items()
    }
    assert public == every_state
    for kind in services.KINDS:
        outcome = services.rank("wombat", kind=kind)
        assert {hit.pk for hit in outcome.hits} == public[kind], kind


def test_scheduled_content_is_found_once_its_time_comes():
    soon = timezone.now() + timedelta(hours=1)
    interview = f.interview(
        leader=f.leader(name="Zeitgeist Leader"), title="Zeitgeist", publish_at=soon
    )
    answer = f.answer(interview=interview, body="A zeitgeist answer.")
    f.quote(interview=interview, answer=answer, text="Zeitgeist quote.")
    f.post(title="Zeitgeist post", publish_at=soon)
    assert services.rank("zeitgeist").hits == []

    later = soon + timedelta(minutes=1)
    outcome = services.rank("zeitgeist", now=later)
    assert outcome.counts == dict.fromkeys(services.KINDS, 1)
    results = services.results_for(outcome.hits, "zeitgeist", now=later)
    assert sorted(r.kind for r in results) == sorted(services.KINDS)
    # Shown as of now, they are not there yet.
    assert services.results_for(outcome.hits, "zeitgeist") == []


def test_a_result_unpublished_after_ranking_is_left_out():
    from interviews.models import Interview
    from socialleaders.publishing import Status

    first = f.interview(title="Quokka one")
    second = f.interview(title="Quokka two")
    outcome = services.rank("quokka", kind="interviews")
    assert len(outcome.hits) == 2
    Interview.objects.filter(pk=first.pk).update(status=Status.DRAFT)
    results = services.results_for(outcome.hits, "quokka")
    assert [r.url for r in results] == [second.get_absolute_url()]


def test_every_kind_shows_a_marked_snippet(client):
    filler = "Some words about other things entirely. " * 30
    leader = f.leader(name="Axolotl Fan", role="Chair", bio=filler + "Keeps an axolotl. " + filler)
    interview = f.interview(
        leader=leader,
        title="On the axolotl",
        standfirst="Small and pink.",
        introduction=filler + "The **axolotl** story. " + filler,
    )
    f.answer(interview=interview, body=filler + "My *axolotl* is called Bob. " + filler)
    f.quote(interview=interview, text="An axolotl never gives up.")
    f.post(title="Axolotl notes", excerpt="Notes.", body=filler + "An axolotl & me. " + filler)
    response = search(client, "axolotl")
    results = {r.kind: r for r in response.context["results"]}
    assert set(results) == set(services.KINDS)
    for kind, result in results.items():
        snippet = str(result.snippet)
        assert re.search(r"<mark>axolotl</mark>", snippet, re.I), (kind, snippet)
        assert set(re.findall(r"</?(\w+)", snippet)) == {"mark"}, (kind, snippet)
        assert "*" not in snippet
        assert len(snippet.split()) < 100, (kind, snippet)
    assert "&amp; me" in str(results["posts"].snippet)  # entities decoded, then escaped once


# --- PostgreSQL full-text search ---------------------------------------------------------------


@postgres_only
def test_words_are_matched_by_their_stem(client):
    interview = f.interview(title="Leading by example", standfirst="She leads.")
    # "leads" and "leading" share the stem "lead".
    assert interview.get_absolute_url() in result_links(search(client, "leads"))


@postgres_only
def test_websearch_syntax_phrases_or_and_minus(client):
    one = f.interview(title="Blogging for chief executives")
    two = f.interview(title="Tweeting for chief executives")
    assert result_links(search(client, "blogging -tweeting")) == [one.get_absolute_url()]
    links = result_links(search(client, "blogging or tweeting"))
    assert sorted(links) == sorted([one.get_absolute_url(), two.get_absolute_url()])
    assert result_links(search(client, '"tweeting for chief"')) == [two.get_absolute_url()]
    assert result_links(search(client, '"chief tweeting"')) == []


@postgres_only
def test_stopwords_only_finds_nothing_without_error(client):
    f.interview(title="The and of")
    response = search(client, "the and of")
    assert result_links(response) == []


@postgres_only
@pytest.mark.parametrize("kind", list(services.KINDS))
def test_each_search_can_use_its_gin_index(kind):
    f.interview(title="Indexed")
    matches = (
        kinds.MODELS[kind]
        .objects.annotate(vector=vectors.stored_vector())
        .filter(vector=vectors.search_query("social media"))
        .values("pk")
    )
    with connection.cursor() as cursor:
        # Tiny tables are read whole, or walked along another index; forbid both to see whether
        # the GIN index *can* answer the ranking's match condition (a bitmap scan). (On a large
        # table the planner picks it for rare words, and walks the primary key testing the
        # stored vectors for common ones: docs/search.md.)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = matches.explain()
    assert vectors.INDEX_NAMES[kind] in plan, plan


@postgres_only
def test_search_vectors_are_kept_in_the_row():
    """search/migrations/0003: storage MAIN, so testing a row against the query does not fetch
    its vector from the TOAST table (the ranking walks hundreds of rows per kind)."""
    tables = [model._meta.db_table for model in kinds.MODELS.values()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attrelid::regclass::text, attstorage FROM pg_attribute"
            " WHERE attname = %s AND attrelid::regclass::text = ANY(%s)",
            [vectors.COLUMN, tables],
        )
        storage = dict(cursor.fetchall())
    assert storage == dict.fromkeys(tables, "m")


def _orm_ranking(kind, text):
    """The ranking as the ORM alone writes it: the best MAX_PER_KIND, by ts_rank (default
    weights), of the RANK_CANDIDATES newest public matches."""
    from django.contrib.postgres.search import SearchRank

    queryset = services.public_querysets()[kind]
    query = vectors.search_query(text)
    newest = (
        queryset.annotate(search=vectors.stored_vector())
        .filter(search=query)
        .order_by("-pk")
        .values("pk")[: services.RANK_CANDIDATES]
    )
    return list(
        queryset.model.objects.filter(pk__in=newest)
        .annotate(rank=SearchRank(vectors.stored_vector(), query))
        .order_by("-rank", "-pk")
        .values_list("pk", "rank")[: services.MAX_PER_KIND]
    )


@postgres_only
def test_ranking_is_the_orm_ranking(monkeypatch):
    """Same rows, ranks and order as the ORM's SearchRank, with both caps biting and ties."""
    monkeypatch.setattr(services, "RANK_CANDIDATES", 7)
    monkeypatch.setattr(services, "MAX_PER_KIND", 4)
    for i in range(10):
        mentions = " ".join(["ibis"] * (i % 3 + 1))
        leader = f.leader(name=f"Ibis {i}" if i % 2 else f"Leader {i}", bio=f"On {mentions}.")
        interview = f.interview(
            leader=leader,
            title=f"Ibis talk {i}" if i % 4 == 0 else f"Talk {i}",
            standfirst=f"About {mentions}.",
            published=i != 8,
        )
        f.answer(interview=interview, body=f"I watch {mentions} every day {i}.")
        f.quote(interview=interview, text=f"The {mentions} waits ({i}).")
        f.post(title=f"Ibis post {i}" if i % 3 == 0 else f"Post {i}", body=f"Some {mentions}.")
    outcome = services.rank("ibis")
    order = list(services.KINDS)
    expected = []
    for kind in services.KINDS:
        ranking = _orm_ranking(kind, "ibis")
        assert 0 < len(ranking) <= 4
        assert [(h.pk, h.rank) for h in outcome.hits if h.kind == kind] == ranking, kind
        assert outcome.counts[kind] == len(ranking)
        expected += [(kind, pk, rank) for pk, rank in ranking]
    expected.sort(key=lambda row: (-row[2], order.index(row[0]), -row[1]))
    assert [(h.kind, h.pk, h.rank) for h in outcome.hits] == expected
    assert outcome.capped == {kind for kind in services.KINDS if outcome.counts[kind] == 4}


def _orm_headline(model, pk, source, text, whole):
    """ts_headline as Django's SearchHeadline writes it, options spelled out here."""
    from django.contrib.postgres.search import SearchHeadline

    options = {"start_sel": START_SENTINEL, "stop_sel": STOP_SENTINEL}
    if whole:
        options["highlight_all"] = True
    else:
        options.update(
            max_words=40, min_words=20, short_word=0, max_fragments=2, fragment_delimiter=" … "
        )
    headline = SearchHeadline(source, vectors.search_query(text), config=vectors.CONFIG, **options)
    return model.objects.filter(pk=pk).annotate(h=headline).values_list("h", flat=True).get()


@postgres_only
def test_snippets_are_django_search_headlines():
    from django.db.models import F, Func, TextField, Value
    from django.db.models.functions import Coalesce, Concat, NullIf

    from blog.models import Post
    from interviews.models import Answer, Interview, Leader, Quote

    def html_text(name):
        return Func(
            Coalesce(F(name), Value(""), output_field=TextField()),
            Value("<[^>]*>"),
            Value(" "),
            Value("g"),
            function="regexp_replace",
            output_field=TextField(),
        )

    def concat(first, second):
        return Concat(
            Coalesce(F(first), Value(""), output_field=TextField()),
            Value(" "),
            html_text(second),
            output_field=TextField(),
        )

    filler = "Words <b>about</b> other things & more. " * 25
    leader = f.leader(name="Heron Smith", role="", organisation="Herons & Co", bio=filler)
    interview = f.interview(
        leader=leader,
        title="The heron way",
        standfirst="Patience.",
        introduction=filler + "A **heron** waits. " + filler,
    )
    answer = f.answer(interview=interview, body=filler + "The heron & I. " + filler)
    quote = f.quote(interview=interview, text="A heron <never> hurries.")
    post = f.post(title="Heron notes", excerpt="Notes & herons.", body=filler + "Heron. " + filler)
    sources = {
        "interviews": (
            Interview,
            interview.pk,
            {"title": ("title", True), "body": (concat("standfirst", "introduction_html"), False)},
        ),
        "answers": (Answer, answer.pk, {"body": (html_text("body_html"), False)}),
        "quotes": (Quote, quote.pk, {"text": ("text", True)}),
        "leaders": (
            Leader,
            leader.pk,
            {
                "name": ("name", True),
                "bio": (
                    Func(
                        Value(". "),
                        NullIf(F("role"), Value("")),
                        NullIf(F("organisation"), Value("")),
                        NullIf(F("bio"), Value("")),
                        function="concat_ws",
                        output_field=TextField(),
                    ),
                    False,
                ),
            },
        ),
        "posts": (
            Post,
            post.pk,
            {"title": ("title", True), "body": (concat("excerpt", "body_html"), False)},
        ),
    }
    rows = postgres.show_rows(
        connection,
        {kind: [pk] for kind, (_model, pk, _s) in sources.items()},
        "heron",
        timezone.now(),
    )
    shown = {kind: json.loads(data) for kind, _pk, data in rows}
    assert set(shown) == set(sources)
    for kind, (model, pk, headlines) in sources.items():
        for name, (source, whole) in headlines.items():
            expected = _orm_headline(model, pk, source, "heron", whole)
            assert START_SENTINEL in expected, (kind, name)
            assert shown[kind][f"hl_{name}"] == expected, (kind, name)


@postgres_only
def test_snippets_come_from_ts_headline_with_marks(client):
    f.interview(
        title="Long read",
        introduction="Filler words here. " * 40 + "Then the **Pinterest** moment. " + "More. " * 40,
    )
    response = search(client, "pinterest")
    html = results_html(response)
    snippet = re.search(r'class="search-result__snippet[^"]*">(.*?)</p>', html, re.S).group(1)
    assert "<mark>Pinterest</mark> moment" in snippet
    assert len(unescape(re.sub("<[^>]+>", "", snippet)).split()) <= 90


@postgres_only
def test_only_the_newest_matches_are_ranked(client, monkeypatch):
    monkeypatch.setattr(services, "RANK_CANDIDATES", 3)
    interviews = [f.interview(title=f"Snapchat story {i}") for i in range(5)]
    links = result_links(search(client, "snapchat", kind="interviews"))
    assert sorted(links) == sorted(i.get_absolute_url() for i in interviews[-3:])


def _make_one_of_each():
    interview = f.interview(
        title="Stored vectors", standfirst="Kept by the database.", introduction="Generated."
    )
    answer = f.answer(interview=interview, body="An answer about *stewardship*.")
    f.quote(interview=interview, answer=answer, text="Quotes are searched too.")
    f.post(title="A post", excerpt="Its excerpt.", body="Its body, about governance.")
    return interview


@postgres_only
@pytest.mark.parametrize("kind", list(services.KINDS))
def test_stored_vector_is_the_weighted_vector_of_the_text(kind):
    """The generated column holds exactly what search.vectors computes from the text (same
    words, same weights), so ranking on it ranks as the text would."""
    _make_one_of_each()
    rows = (
        kinds.MODELS[kind]
        .objects.annotate(stored=vectors.stored_vector(), computed=vectors.computed_vector(kind))
        .values_list("stored", "computed")
    )
    assert rows
    for stored, computed in rows:
        assert stored == computed
        assert stored  # not empty: the text really was indexed


@postgres_only
def test_search_follows_edits_by_every_write_path(client):
    """The stored vectors are kept up to date by PostgreSQL itself: a save(), a queryset
    update() (no signals, no save()) and a bulk_create all show in the next search."""
    from interviews.models import Interview

    interview = _make_one_of_each()
    assert result_links(search(client, "stewardship"))  # the answer
    assert not result_links(search(client, "zeppelin"))

    interview.title = "Zeppelin leadership"
    interview.save()
    assert interview.get_absolute_url() in result_links(search(client, "zeppelin"))

    Interview.objects.filter(pk=interview.pk).update(title="Dirigible leadership")
    assert interview.get_absolute_url() not in result_links(search(client, "zeppelin"))
    assert interview.get_absolute_url() in result_links(search(client, "dirigible"))

    post = f.post(title="Balloon post")
    type(post).objects.bulk_create(
        [type(post)(title="Airship news", slug="airship-news", author=post.author, body="x")]
    )
    type(post).objects.filter(slug="airship-news").update(status="published")
    assert "/blog/airship-news/" in result_links(search(client, "airship"))


# --- A typo or two ------------------------------------------------------------------------------


def _typo_site():
    twitter = f.platform(name="Twitter", slug="twitter")
    interview = f.interview(title="Leading on social media", leader=f.leader(name="Tom Riordan"))
    f.uses(interview, twitter)
    f.post(title="Cllrs and Twitter")
    draft = f.interview(title="Zebrafish husbandry", published=False)
    f.uses(draft, f.platform(name="Mastodon", slug="mastodon"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram matching is PostgreSQL's")
def test_a_misspelt_search_suggests_the_word_it_meant(client):
    _typo_site()
    response = search(client, "twiter")
    html = response.content.decode()
    assert response.context["results"] == []
    assert response.context["suggestion"] == "Twitter"
    assert 'Did you mean <a href="/search/?q=Twitter">Twitter</a>?' in html
    assert result_links(search(client, "Twitter"))  # the suggestion finds something
    assert response.context["suggestion"] == "Twitter"
    assert search(client, "tom riordn").context["suggestion"] == "tom Riordan"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram matching is PostgreSQL's")
def test_suggestions_come_only_from_what_readers_can_see(client):
    _typo_site()
    assert search(client, "zebrafsh").context.get("suggestion") is None
    assert search(client, "mastodn").context.get("suggestion") is None
    assert search(client, "qqqqxxxx").context.get("suggestion") is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram matching is PostgreSQL's")
def test_a_suggestion_costs_one_query_at_two_sizes(client):
    counts = []
    for size in (3, 30):
        for i in range(size):
            f.post(title=f"Twitter tips {len(counts)} {i}")
        with CaptureQueriesContext(connection) as queries:
            assert search(client, "twiter").context["suggestion"] == "Twitter"
        counts.append(len(queries))
    # The menu, the ranking (which finds nothing) and the suggestion.
    assert counts == [MENU + 2, MENU + 2]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the fallback without trigrams")
def test_without_postgresql_a_misspelt_search_just_finds_nothing(client):
    _typo_site()
    response = search(client, "twiter")
    assert response.status_code == 200
    assert response.context["results"] == []
    assert "suggestion" not in response.context
    assert "Did you mean" not in response.content.decode()
