"""Stored search vectors, on PostgreSQL only: ranking reads them instead of re-parsing text.

0001 indexed each kind's weighted tsvector as a GIN *expression* index. The index finds the
matching rows, but ``ts_rank`` needs the vector itself, and an expression index cannot give it
back: PostgreSQL re-parsed every candidate's text (a post body, an answer) to rank it, which cost
~250 ms per kind for a common word at 10,000 interviews.

Here each searched table gets a ``search_vector`` column that PostgreSQL itself computes and keeps
up to date (``GENERATED ALWAYS AS (...) STORED``: on every INSERT and UPDATE, whatever the path:
the admin, ``update()``, ``bulk_create``, raw SQL), with a GIN index on it; the expression indexes
go. The expressions are the ones 0001 indexed (``search/vectors.py`` documents the weights),
written out here, frozen.

The column is not part of any model's state (Django never reads or writes it: generated columns
must not be written, and loading rows should not carry vectors around); ``search.vectors`` refers
to it by name. On other databases (SQLite in development) the operations do nothing and search
uses its ``icontains`` fallback.
"""

from django.db import migrations

CONFIG = "english"
COLUMN = "search_vector"

# (table, new GIN index, 0001's expression index, [(column, weight), ...])
TABLES = [
    (
        "interviews_interview",
        "search_interview_vector",
        "search_interview_fts",
        [("title", "A"), ("standfirst", "B"), ("introduction", "C")],
    ),
    ("interviews_answer", "search_answer_vector", "search_answer_fts", [("body", "B")]),
    ("interviews_quote", "search_quote_vector", "search_quote_fts", [("text", "A")]),
    (
        "interviews_leader",
        "search_leader_vector",
        "search_leader_fts",
        [("name", "A"), ("role", "B"), ("organisation", "B"), ("bio", "C")],
    ),
    (
        "blog_post",
        "search_post_vector",
        "search_post_fts",
        [("title", "A"), ("excerpt", "B"), ("body", "C")],
    ),
]


def vector_sql(weighted):
    return " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(\"{column}\", '')), '{weight}')"
        for column, weight in weighted
    )


def add_stored_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, index, old_index, weighted in TABLES:
        schema_editor.execute(
            f'ALTER TABLE "{table}" ADD COLUMN "{COLUMN}" tsvector '
            f"GENERATED ALWAYS AS ({vector_sql(weighted)}) STORED"
        )
        schema_editor.execute(f'CREATE INDEX "{index}" ON "{table}" USING gin ("{COLUMN}")')
        schema_editor.execute(f'DROP INDEX IF EXISTS "{old_index}"')


def remove_stored_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, index, old_index, weighted in TABLES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')
        schema_editor.execute(f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS "{COLUMN}"')
        schema_editor.execute(
            f'CREATE INDEX "{old_index}" ON "{table}" USING gin (({vector_sql(weighted)}))'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_fulltext_indexes"),
        ("interviews", "0003_covering_live_indexes"),
        ("blog", "0004_post_live_covering_index"),
    ]

    operations = [
        migrations.RunPython(add_stored_vectors, remove_stored_vectors, elidable=False),
    ]
