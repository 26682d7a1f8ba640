"""Keep each row's stored search vector inside the row (storage MAIN), on PostgreSQL only.

With the default storage (EXTENDED) PostgreSQL moved the vector (~1 kB) out of a row longer than
~2 kB (an interview with its introduction, an answer, a post) into the table's TOAST table, so
testing a row against the query (``search_vector @@ query``, read for each of the newest rows
until ``RANK_CANDIDATES`` match: see ``search.services``) cost two more page reads per row: the
ranking of ``trust listening`` at 10,000 interviews read ~4,300 pages for interviews alone. With
MAIN the vector stays in the row (other long columns, such as the rendered HTML, are moved out
first), and the same ranking reads ~550 (4.4 ms -> 0.8 ms).

A column's storage applies to values written after it changes, so the column is dropped and added
again (same generated expression as 0002, frozen here) in one ALTER TABLE that also sets MAIN:
PostgreSQL rewrites the table once with the new storage (no dead rows left behind), then the GIN
index is built again, each table in a transaction of its own. A rewritten table has lost its
visibility map, and until VACUUM sets it again every index-only scan (the covering indexes behind
the home page's and the catalogue's counts) reads the table too: the home page went from 35 to
110 ms. So each table is then vacuumed (and analysed: the new column has no statistics yet),
which cannot run inside a transaction, hence ``atomic = False``. Each table is locked while it is
rewritten: about 7 s for 60,000 answers, 6 s for 20,000 posts, 1 s for 10,000 interviews on the
development machine (16 s in all, vacuums included).

Nothing happens on other databases.
"""

from django.db import migrations, transaction

CONFIG = "english"
COLUMN = "search_vector"

# (table, GIN index, [(column, weight), ...]): as in 0002.
TABLES = [
    (
        "interviews_interview",
        "search_interview_vector",
        [("title", "A"), ("standfirst", "B"), ("introduction", "C")],
    ),
    ("interviews_answer", "search_answer_vector", [("body", "B")]),
    ("interviews_quote", "search_quote_vector", [("text", "A")]),
    (
        "interviews_leader",
        "search_leader_vector",
        [("name", "A"), ("role", "B"), ("organisation", "B"), ("bio", "C")],
    ),
    ("blog_post", "search_post_vector", [("title", "A"), ("excerpt", "B"), ("body", "C")]),
]


def vector_sql(weighted):
    return " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(\"{column}\", '')), '{weight}')"
        for column, weight in weighted
    )


def _rebuild(schema_editor, storage):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    for table, index, weighted in TABLES:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute(
                f'ALTER TABLE "{table}" DROP COLUMN "{COLUMN}", '
                f'ADD COLUMN "{COLUMN}" tsvector GENERATED ALWAYS AS ({vector_sql(weighted)}) '
                f'STORED, ALTER COLUMN "{COLUMN}" SET STORAGE {storage}'
            )
            schema_editor.execute(f'CREATE INDEX "{index}" ON "{table}" USING gin ("{COLUMN}")')
        schema_editor.execute(f'VACUUM (ANALYZE) "{table}"')


def vectors_inline(apps, schema_editor):
    _rebuild(schema_editor, "MAIN")


def vectors_extended(apps, schema_editor):
    _rebuild(schema_editor, "EXTENDED")


class Migration(migrations.Migration):
    # VACUUM cannot run in a transaction: each table's rebuild has one of its own instead.
    atomic = False

    dependencies = [
        ("search", "0002_stored_search_vectors"),
    ]

    operations = [
        migrations.RunPython(vectors_inline, vectors_extended, elidable=False),
    ]
