"""Each leader's photo and interview's image becomes a library row (see 0006)."""

from django.db import migrations

from images.legacy import from_library, to_library


def forward(apps, schema_editor):
    to_library(apps, "interviews.Leader", "photo", "photo_image")
    to_library(apps, "interviews.Interview", "image", "image_image")


def backward(apps, schema_editor):
    from_library(apps, "interviews.Leader", "photo", "photo_image")
    from_library(apps, "interviews.Interview", "image", "image_image")


class Migration(migrations.Migration):
    dependencies = [("interviews", "0006_images_library")]

    operations = [migrations.RunPython(forward, backward)]
