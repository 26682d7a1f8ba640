"""Posts' images move into the image library (images.Image) in three steps, as interviews/0006
explains. Reversible."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0005_move_comment_to_comments"),
        ("images", "0001_initial"),
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
    ]
