"""The PostgreSQL full-text expressions search uses, one weighted tsvector per kind.

Each ``VECTORS[kind]()`` is the exact expression that ``search/migrations/0001`` indexes (a GIN
expression index per table). PostgreSQL only uses an expression index when the query repeats the
indexed expression exactly, so change a vector here only together with a new migration that
recreates its index (``tests/test_search.py`` checks with EXPLAIN that every index is used).

Weights: A for titles and names, B for standfirsts, excerpts, answers and roles, C for long text.
Vectors index the Markdown source of long text (what editors typed; the HTML adds nothing to
search), while snippets are cut from the rendered HTML with its tags removed.
"""

from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Coalesce, Concat, NullIf

CONFIG = "english"


def _vector(*weighted):
    from django.contrib.postgres.search import SearchVector

    combined = None
    for field_name, weight in weighted:
        part = SearchVector(field_name, weight=weight, config=CONFIG)
        combined = part if combined is None else combined + part
    return combined


def interview_vector():
    return _vector(("title", "A"), ("standfirst", "B"), ("introduction", "C"))


def answer_vector():
    return _vector(("body", "B"))


def quote_vector():
    return _vector(("text", "A"))


def leader_vector():
    return _vector(("name", "A"), ("role", "B"), ("organisation", "B"), ("bio", "C"))


def post_vector():
    return _vector(("title", "A"), ("excerpt", "B"), ("body", "C"))


VECTORS = {
    "interviews": interview_vector,
    "answers": answer_vector,
    "quotes": quote_vector,
    "leaders": leader_vector,
    "posts": post_vector,
}

# The GIN expression index on each kind's table (created by search/migrations/0001).
INDEX_NAMES = {
    "interviews": "search_interview_fts",
    "answers": "search_answer_fts",
    "quotes": "search_quote_fts",
    "leaders": "search_leader_fts",
    "posts": "search_post_fts",
}


def search_query(text):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(text, search_type="websearch", config=CONFIG)


def html_text(field_name):
    """Rendered HTML with its tags replaced by spaces (entities are decoded in Python)."""
    return Func(
        Coalesce(F(field_name), Value(""), output_field=TextField()),
        Value("<[^>]*>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def interview_snippet_source():
    return Concat(
        Coalesce(F("standfirst"), Value(""), output_field=TextField()),
        Value(" "),
        html_text("introduction_html"),
        output_field=TextField(),
    )


def leader_snippet_source():
    """Role, organisation and biography, the empty ones left out."""
    return Func(
        Value(". "),
        NullIf(F("role"), Value("")),
        NullIf(F("organisation"), Value("")),
        NullIf(F("bio"), Value("")),
        function="concat_ws",
        output_field=TextField(),
    )


def post_snippet_source():
    return Concat(
        Coalesce(F("excerpt"), Value(""), output_field=TextField()),
        Value(" "),
        html_text("body_html"),
        output_field=TextField(),
    )
