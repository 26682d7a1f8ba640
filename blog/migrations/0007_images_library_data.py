"""Each post's image becomes a library row (see 0006)."""

from django.db import migrations

from images.legacy import from_library, to_library


def forward(apps, schema_editor):
    to_library(apps, "blog.Post", "image", "image_image")


def backward(apps, schema_editor):
    from_library(apps, "blog.Post", "image", "image_image")


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0006_images_library"),
        # A file used by a leader or an interview and a post becomes one library row.
        ("interviews", "0007_images_library_data"),
    ]

    operations = [migrations.RunPython(forward, backward)]
