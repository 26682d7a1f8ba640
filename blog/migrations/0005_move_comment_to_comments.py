"""The Comment model moves to the comments app. Only Django's state changes here: the table
(blog_comment) and its rows stay where they are; comments/0002 takes the model over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0004_post_live_covering_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Comment")],
            database_operations=[],
        ),
    ]
