"""The old image fields go; the reference takes their name (see 0006)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0007_images_library_data")]

    operations = [
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
