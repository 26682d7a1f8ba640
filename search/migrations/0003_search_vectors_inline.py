"""Keep each row's ``search_vector`` in the row (storage MAIN), PostgreSQL only.

Re-adds the column (one table rewrite), rebuilds its index, then vacuums: docs/search.md.
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
