"""A generated, GIN-indexed ``search_vector`` column on each searched table, PostgreSQL only.

Not in any model's state (docs/search.md); expressions frozen here, as search.vectors.WEIGHTS was.
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
