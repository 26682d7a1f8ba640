"""Make the renditions that are missing or stale (images moved from the old fields, a failed
save): one image at a time, each under the same lock a save takes."""

from django.core.management.base import BaseCommand

from images import renditions, services
from images.models import Image


class Command(BaseCommand):
    help = "Make the missing or stale renditions of library images."

    def handle(self, *args, **options):
        made = failed = 0
        for image in Image.objects.only(
            "pk", "file", "focus_x", "focus_y", "renditions"
        ).iterator():
            if (image.renditions or {}).get("key") == renditions.key_for(image):
                continue
            try:
                made += services.make_renditions(image.pk)
            except Exception as error:  # a missing file: say which, go on with the others
                failed += 1
                self.stderr.write(f"image {image.pk} ({image.file.name}): {error}")
        self.stdout.write(f"{made} image(s) given renditions, {failed} failed.")
