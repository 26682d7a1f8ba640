"""pg_trgm and trigram indexes on the short public texts "did you mean" matches a misspelt query
against (search.kinds.suggestion_sources), PostgreSQL only: docs/search.md."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# (table, column, index)
INDEXES = [
    ("interviews_platform", "name", "search_platform_name_trgm"),
    ("interviews_leader", "name", "search_leader_name_trgm"),
    ("interviews_interview", "title", "search_interview_title_trgm"),
    ("blog_post", "title", "search_post_title_trgm"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, index in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" USING gin ("{column}" gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, _, index in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_search_vectors_inline"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
