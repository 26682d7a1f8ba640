"""Leaders' photos and interviews' images move into the image library (images.Image): each file
becomes one library row (focal point included), the fields become references to it. Reversible.
The Editor and Author roles get the library's permissions."""

import django.db.models.deletion
from django.db import migrations, models

from images.legacy import from_library, to_library


def forward(apps, schema_editor):
    to_library(apps, "interviews.Leader", "photo", "photo_image")
    to_library(apps, "interviews.Interview", "image", "image_image")


def backward(apps, schema_editor):
    from_library(apps, "interviews.Leader", "photo", "photo_image")
    from_library(apps, "interviews.Interview", "image", "image_image")


def sync_roles(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    create_permissions(global_apps.get_app_config("images"), verbosity=0, apps=apps)
    from editorial.roles import sync_roles as sync

    sync(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def reference(help_text="From the image library, or upload one here."):
    return models.ForeignKey(
        "images.Image",
        on_delete=django.db.models.deletion.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=help_text,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0005_leader_name_index"),
        ("images", "0001_initial"),
        ("editorial", "0003_roles_after_comment_move"),
    ]

    operations = [
        migrations.AddField("leader", "photo_image", reference()),
        migrations.AddField("interview", "image_image", reference()),
        migrations.RunPython(forward, backward),
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
