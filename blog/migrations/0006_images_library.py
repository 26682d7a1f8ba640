"""Posts' images move into the image library (images.Image), as interviews/0006 does. Reversible."""

import django.db.models.deletion
from django.db import migrations, models

from images.legacy import from_library, to_library


def forward(apps, schema_editor):
    to_library(apps, "blog.Post", "image", "image_image")


def backward(apps, schema_editor):
    from_library(apps, "blog.Post", "image", "image_image")


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0005_move_comment_to_comments"),
        ("images", "0001_initial"),
        # One file used by a leader or interview and a post becomes one library row.
        ("interviews", "0006_images_library"),
    ]

    operations = [
        migrations.AddField(
            "post",
            "image_image",
            models.ForeignKey(
                "images.Image",
                on_delete=django.db.models.deletion.SET_NULL,
                null=True,
                blank=True,
                related_name="+",
                help_text="From the image library, or upload one here.",
            ),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField("post", "image"),
        migrations.RemoveField("post", "image_focus_x"),
        migrations.RemoveField("post", "image_focus_y"),
        migrations.RenameField("post", "image_image", "image"),
        migrations.AlterField(
            "post",
            "image_alt",
            models.CharField(
                "image description",
                max_length=200,
                blank=True,
                help_text="Alt text (the library's description if left empty).",
            ),
        ),
    ]
