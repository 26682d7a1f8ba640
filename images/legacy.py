"""For the content apps' migrations: image fields that held a file move into library rows (the
file stays where it is, one row per file however many items used it), and back."""

from django.core.files.storage import default_storage
from PIL import Image as PillowImage


def _size(name):
    try:
        with default_storage.open(name, "rb") as handle, PillowImage.open(handle) as image:
            return image.size
    except Exception:  # a missing or unreadable file keeps its row; the size stays unknown
        return (None, None)


def to_library(apps, label, old_field, new_field):
    """Each row's file (and focal point ``<old_field>_focus_x/_y``) becomes a library image."""
    Image = apps.get_model("images", "Image")
    Model = apps.get_model(label)
    for row in Model.objects.exclude(**{old_field: ""}).exclude(**{f"{old_field}__isnull": True}):
        name = getattr(row, old_field).name
        image = Image.objects.filter(file=name).first()
        if image is None:
            width, height = _size(name)
            image = Image.objects.create(
                file=name,
                title=str(row)[:200],
                focus_x=getattr(row, f"{old_field}_focus_x"),
                focus_y=getattr(row, f"{old_field}_focus_y"),
                width=width,
                height=height,
            )
        setattr(row, f"{new_field}_id", image.pk)
        row.save(update_fields=[new_field])


def from_library(apps, label, old_field, new_field):
    """Back: each row gets its library image's file name and focal point."""
    Model = apps.get_model(label)
    for row in Model.objects.exclude(**{f"{new_field}__isnull": True}).select_related(new_field):
        image = getattr(row, new_field)
        setattr(row, old_field, image.file.name)
        setattr(row, f"{old_field}_focus_x", image.focus_x)
        setattr(row, f"{old_field}_focus_y", image.focus_y)
        row.save(update_fields=[old_field, f"{old_field}_focus_x", f"{old_field}_focus_y"])
