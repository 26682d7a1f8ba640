"""The PostgreSQL full-text vectors search uses, one weighted tsvector per kind.

Each searched table has a ``search_vector`` column that PostgreSQL computes and keeps up to date
itself (a generated column, GIN-indexed: ``search/migrations/0002``), so matching reads the index
and ranking reads the stored vector instead of re-parsing every candidate's text.
``VECTORS[kind]()`` refers to that column. ``COMPUTED[kind]()`` is the same vector computed from
the text (what the column is generated from; ``tests/test_search.py`` checks the two agree), so
change a weight here only together with a migration that regenerates the column.

Weights: A for titles and names, B for standfirsts, excerpts, answers and roles, C for long text.
Vectors index the Markdown source of long text (what editors typed; the HTML adds nothing to
search), while snippets are cut from the rendered HTML with its tags removed (``search.pgsql``).

The search queries themselves are SQL (``search.pgsql``); the expressions here serve the tests
and anyone exploring in the shell: ``VECTORS`` and ``search_query`` as the ORM would write them.
"""

from django.db.models import Expression
from django.db.models.expressions import Col

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


COMPUTED = {
    "interviews": interview_vector,
    "answers": answer_vector,
    "quotes": quote_vector,
    "leaders": leader_vector,
    "posts": post_vector,
}

STORED_COLUMN = "search_vector"


class StoredVector(Expression):
    """The ``search_vector`` column of the query's main table (not a model field: see
    ``search/migrations/0002``). Resolves to a column reference on the table's alias, so it
    keeps working when the query becomes a subquery (Django renames aliases there)."""

    def __init__(self):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        from django.contrib.postgres.search import SearchVectorField

        target = SearchVectorField()
        target.set_attributes_from_name(STORED_COLUMN)
        target.model = query.model
        return Col(query.get_initial_alias(), target, output_field=SearchVectorField())

    def as_sql(self, compiler, connection):  # pragma: no cover - always resolved to a Col
        raise ValueError("StoredVector must be resolved against a query")


def stored_vector():
    return StoredVector()


VECTORS = dict.fromkeys(COMPUTED, stored_vector)

# The GIN index on each kind's stored vector (created by search/migrations/0002).
INDEX_NAMES = {
    "interviews": "search_interview_vector",
    "answers": "search_answer_vector",
    "quotes": "search_quote_vector",
    "leaders": "search_leader_vector",
    "posts": "search_post_vector",
}


def search_query(text):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(text, search_type="websearch", config=CONFIG)
