"""Search weights, defined once, and the PostgreSQL full-text expressions built from them.

Each kind's stored ``search_vector`` column (search/migrations) is generated from ``WEIGHTS``;
change a weight only together with a migration that regenerates the column.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db.models import Expression
from django.db.models.expressions import Col

CONFIG = "english"

# Each kind's searched fields and their weight (A counts most). Vectors index the Markdown source.
WEIGHTS = {
    "interviews": (("title", "A"), ("standfirst", "B"), ("introduction", "C")),
    "answers": (("body", "B"),),
    "quotes": (("text", "A"),),
    "leaders": (("name", "A"), ("role", "B"), ("organisation", "B"), ("bio", "C")),
    "posts": (("title", "A"), ("excerpt", "B"), ("body", "C")),
}

# What a match in a field of each weight adds to a rank: ts_rank's own defaults, passed to it
# explicitly, and the SQLite fallback's field weights.
RANK_WEIGHTS = {"D": 0.1, "C": 0.2, "B": 0.4, "A": 1.0}

# The stored column (not a model field: see docs/search.md) and its GIN index per kind.
COLUMN = "search_vector"
INDEX_NAMES = {
    "interviews": "search_interview_vector",
    "answers": "search_answer_vector",
    "quotes": "search_quote_vector",
    "leaders": "search_leader_vector",
    "posts": "search_post_vector",
}


def field_weights(kind):
    """[(field, rank weight)] of ``kind``, for the fallback's ranking."""
    return [(name, RANK_WEIGHTS[letter]) for name, letter in WEIGHTS[kind]]


def computed_vector(kind):
    """The weighted vector of ``kind`` computed from its text: what its column is generated from."""
    parts = [SearchVector(name, weight=letter, config=CONFIG) for name, letter in WEIGHTS[kind]]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined + part
    return combined


class StoredVector(Expression):
    """The stored ``search_vector`` column of the query's main table, as a column reference
    (so it keeps working when the query becomes a subquery with renamed aliases)."""

    def __init__(self):
        super().__init__(output_field=SearchVectorField())

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        target = SearchVectorField()
        target.set_attributes_from_name(COLUMN)
        target.model = query.model
        return Col(query.get_initial_alias(), target, output_field=SearchVectorField())

    def as_sql(self, compiler, connection):  # pragma: no cover - always resolved to a Col
        raise ValueError("StoredVector must be resolved against a query")


def stored_vector():
    return StoredVector()


def search_query(text):
    """The reader's words as a tsquery (web-search syntax: "phrases", or, -word)."""
    return SearchQuery(text, search_type="websearch", config=CONFIG)


def search_rank(vector, query):
    """ts_rank of ``vector`` for ``query``, with ``RANK_WEIGHTS``."""
    return SearchRank(vector, query, weights=[RANK_WEIGHTS[letter] for letter in "DCBA"])
