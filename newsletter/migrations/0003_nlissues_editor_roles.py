"""Editors write and send newsletter issues, set the digest and see every send (editorial.roles)."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    create_permissions(global_apps.get_app_config("newsletter"), verbosity=0, apps=apps)
    from editorial.roles import sync_roles as sync

    sync(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0002_nlissues_issues_digests"),
        ("editorial", "0003_roles_after_comment_move"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
