"""The roles again, now that comments' permissions belong to the comments app (comments/0002)."""

from django.db import migrations


def sync(apps, schema_editor):
    from editorial.roles import sync_roles

    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0002_roles"),
        ("comments", "0002_comment"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
