"""Leaders' photos and interviews' images move into the image library (images.Image), in three
steps (PostgreSQL cannot alter a table with pending data changes in one transaction): 0006 adds
the references, 0007 moves the files into library rows (focal point included; one row per file),
0008 drops the old fields and gives the Editor and Author roles the library's permissions.
Reversible."""

import django.db.models.deletion
from django.db import migrations, models



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
    ]
