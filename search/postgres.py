"""PostgreSQL's two search statements: one ranks every kind, one shows a page's rows.

Compiled from querysets (``search.kinds``, ``search.vectors``) once per shape, with named slots
for what changes per request: compiling them per request took longer than running them.
"""

import re
from functools import lru_cache

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchHeadline, SearchVectorField
from django.db import connections
from django.db.models import (
    BigIntegerField,
    BooleanField,
    DateTimeField,
    Expression,
    F,
    Func,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.db.models.sql import Query

from . import vectors
from .kinds import KINDS, MODELS, SHOWN_FIELDS, headline_sources, public_querysets
from .query import START_SENTINEL, STOP_SENTINEL

# ts_headline options (search.query turns the start/stop characters into <mark> tags): short
# fields whole, long ones as two fragments.
HEADLINE_WHOLE = {"highlight_all": True}
HEADLINE_FRAGMENTS = {
    "max_words": 40,
    "min_words": 20,
    "short_word": 0,
    "max_fragments": 2,
    "fragment_delimiter": " … ",
}


class Slot:
    """Stands in a compiled statement's params for the value named ``name``."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"Slot({self.name!r})"


class Param(Expression):
    """A value given each time the compiled statement runs."""

    def __init__(self, name, output_field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [Slot(self.name)]


class AnyOf(Func):
    """``expression = ANY(array)``: the condition for "one of these primary keys"."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        (lhs, lhs_params), (rhs, rhs_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


_PLACEHOLDER = re.compile(r"%%|%s")
_END = object()


def _statement(sql, params, using):
    """``sql`` with its constant params written in as literals and its slots as ``%(name)s``."""
    connection = connections[using]
    connection.ensure_connection()
    values = iter(params)

    def fill(match):
        if match.group() == "%%":
            return "%%"
        value = next(values)
        if isinstance(value, Slot):
            return f"%({value.name})s"
        return connection.ops.compose_sql("%s", [value]).replace("%", "%%")

    sql = _PLACEHOLDER.sub(fill, sql)
    if next(values, _END) is not _END:
        raise ValueError("more params than placeholders")
    return sql


def _compile(queryset, using, alias):
    sql, params = queryset.query.get_compiler(using=using).as_sql()
    if queryset.query.combinator:
        # A UNION opens with "(": keep "SELECT" first, for whatever sorts reads by the first word.
        sql = f"SELECT * FROM ({sql}) AS {alias}"
    return _statement(sql, params, using)


def _union(parts):
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def _slots():
    now = Param("now", DateTimeField())
    return public_querysets(now), vectors.search_query(Param("text", TextField()))


# Ranks a kind's newest matches after their LIMIT: the ORM cannot select from a derived table,
# and ranking through ``pk__in`` reads every candidate twice (docs/search.md).
_RANKED = (
    "SELECT %s AS kind, {pk}, {rank} AS rank FROM ({newest}) AS newest"
    " ORDER BY rank DESC, {pk} DESC LIMIT %s"
)


def _compile_expression(expression, model, using):
    query = Query(model)
    return query.get_compiler(using=using).compile(expression.resolve_expression(query))


@lru_cache(maxsize=64)
def rank_statement(using, kinds, candidates, per_kind):
    """Rows of (kind, pk, rank): per kind the best ``per_kind`` of its ``candidates`` newest
    public matches. Slots: ``text``, ``now``."""
    public, query = _slots()
    quote = connections[using].ops.quote_name
    pk, vector = (f"newest.{quote(name)}" for name in ("result_pk", "result_vector"))
    parts, params = [], []
    for kind in kinds:
        newest = (
            public[kind]
            .annotate(result_pk=F("pk"), result_vector=vectors.stored_vector())
            .filter(result_vector=query)
            .order_by("-pk")
            .values_list("result_pk", "result_vector")[:candidates]
        )
        newest_sql, newest_params = newest.query.get_compiler(using=using).as_sql()
        rank_sql, rank_params = _compile_expression(
            vectors.search_rank(RawSQL(vector, (), output_field=SearchVectorField()), query),
            MODELS[kind],
            using,
        )
        parts.append(f"({_RANKED.format(pk=pk, rank=rank_sql, newest=newest_sql)})")
        params += [kind, *rank_params, *newest_params, per_kind]
    sql = "\nUNION ALL\n".join(parts)
    return _statement(f"SELECT * FROM (\n{sql}\n) AS ranked", params, using)


def _headline(source, query, whole):
    options = HEADLINE_WHOLE if whole else HEADLINE_FRAGMENTS
    return SearchHeadline(
        source,
        query,
        config=vectors.CONFIG,
        start_sel=START_SENTINEL,
        stop_sel=STOP_SENTINEL,
        **options,
    )


@lru_cache(maxsize=64)
def show_statement(using, kinds):
    """Rows of (kind, pk, JSON of what the result shows, with its headlines) of the public
    rows among the given primary keys. Slots: ``text``, ``now``, and one list per kind."""
    public, query = _slots()
    sources = headline_sources()
    parts = []
    for kind in kinds:
        fields = {key: F(path) for key, path in SHOWN_FIELDS[kind].items()}
        for name, (source, whole) in sources[kind].items():
            fields[f"hl_{name}"] = _headline(source, query, whole)
        parts.append(
            public[kind]
            .filter(AnyOf(F("pk"), Param(kind, ArrayField(BigIntegerField()))))
            .annotate(result_kind=Value(kind), result_data=JSONObject(**fields))
            .values_list("result_kind", "pk", "result_data")
        )
    return _compile(_union(parts), using, "shown")


def rank_rows(connection, kinds, text, now, candidates, per_kind):
    """(kind, pk, rank) of each of ``kinds``, each kind best first, in one query."""
    statement = rank_statement(connection.alias, tuple(kinds), candidates, per_kind)
    with connection.cursor() as cursor:
        cursor.execute(statement, {"text": text, "now": now})
        return cursor.fetchall()


def show_rows(connection, pks_by_kind, text, now):
    """(kind, pk, JSON) of the public rows among ``pks_by_kind`` ({kind: [pk]}), in one query."""
    kinds = tuple(kind for kind in KINDS if kind in pks_by_kind)
    statement = show_statement(connection.alias, kinds)
    with connection.cursor() as cursor:
        cursor.execute(statement, {"text": text, "now": now, **pks_by_kind})
        return cursor.fetchall()


def closest_texts(connection, terms, sources):
    """{term: [(text, similarity), ...]}: for each term, the public texts (``sources``, from
    ``kinds.suggestion_sources``) holding a word most like it (pg_trgm's word similarity, over
    the trigram indexes), best first: one statement."""
    from django.contrib.postgres.lookups import TrigramWordSimilar
    from django.contrib.postgres.search import TrigramWordSimilarity

    branches = []
    for term in terms:
        for queryset, field in sources:
            branches.append(
                # ``term <% field``: pg_trgm's word similarity above its threshold, by index.
                queryset.filter(TrigramWordSimilar(F(field), Value(term, output_field=TextField())))
                .annotate(
                    term=Value(term, output_field=TextField()),
                    text=F(field),
                    similarity=TrigramWordSimilarity(term, field),
                )
                .order_by("-similarity")
                .values_list("term", "text", "similarity")[:1]
            )
    if not branches:
        return {}
    first, *rest = branches
    found = {}
    for term, text, similarity in first.union(*rest, all=True).using(connection.alias):
        found.setdefault(term, []).append((text, similarity))
    for texts in found.values():
        texts.sort(key=lambda pair: -pair[1])
    return found
