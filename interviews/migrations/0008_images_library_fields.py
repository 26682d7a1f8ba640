"""The old image fields go; the references take their names (see 0006)."""

from django.db import migrations, models


def sync_roles(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    create_permissions(global_apps.get_app_config("images"), verbosity=0, apps=apps)
    from editorial.roles import sync_roles as sync

    sync(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0007_images_library_data"),
        ("editorial", "0003_roles_after_comment_move"),
    ]

    operations = [
        migrations.RemoveField("leader", "photo"),
        migrations.RemoveField("leader", "photo_focus_x"),
        migrations.RemoveField("leader", "photo_focus_y"),
        migrations.RemoveField("interview", "image"),
        migrations.RemoveField("interview", "image_focus_x"),
        migrations.RemoveField("interview", "image_focus_y"),
        migrations.RenameField("leader", "photo_image", "photo"),
        migrations.RenameField("interview", "image_image", "image"),
        migrations.AlterField(
            "leader",
            "photo_alt",
            models.CharField(
                "photo description",
                max_length=200,
                blank=True,
                help_text="Alt text for the photo (the library's description if left empty).",
            ),
        ),
        migrations.AlterField(
            "interview",
            "image_alt",
            models.CharField(
                "image description",
                max_length=200,
                blank=True,
                help_text="Alt text (the library's description if left empty).",
            ),
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
