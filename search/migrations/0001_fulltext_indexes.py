"""GIN expression indexes on each kind's weighted tsvector, PostgreSQL only (replaced by 0002).

Expressions frozen here as they were then; history in docs/search.md.
"""

from django.db import migrations

CONFIG = "english"

# (app label, model name, index name, [(field, weight), ...])
INDEXES = [
    ("interviews", "Interview", "search_interview_fts", [("title", "A"), ("standfirst", "B"), ("introduction", "C")]),
    ("interviews", "Answer", "search_answer_fts", [("body", "B")]),
    ("interviews", "Quote", "search_quote_fts", [("text", "A")]),
    ("interviews", "Leader", "search_leader_fts", [("name", "A"), ("role", "B"), ("organisation", "B"), ("bio", "C")]),
    ("blog", "Post", "search_post_fts", [("title", "A"), ("excerpt", "B"), ("body", "C")]),
]


def _index(name, weighted):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    vector = None
    for field_name, weight in weighted:
        part = SearchVector(field_name, weight=weight, config=CONFIG)
        vector = part if vector is None else vector + part
    return GinIndex(vector, name=name)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app_label, model_name, name, weighted in INDEXES:
        model = apps.get_model(app_label, model_name)
        schema_editor.add_index(model, _index(name, weighted))


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app_label, model_name, name, weighted in INDEXES:
        model = apps.get_model(app_label, model_name)
        schema_editor.remove_index(model, _index(name, weighted))


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0001_initial"),
        ("blog", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
