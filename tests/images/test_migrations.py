"""Moving image fields into the library (interviews/ and blog/ 0006-0008) keeps every file and
focal point, makes one library row per file, and can be undone."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import jpeg_bytes

BEFORE = [
    ("interviews", "0005_leader_name_index"),
    ("blog", "0005_move_comment_to_comments"),
    ("images", "0001_initial"),
]
AFTER = [("interviews", "0008_images_library_fields"), ("blog", "0008_images_library_fields")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_photos_move_into_the_library_and_back(settings):
    old = migrate(BEFORE)
    portrait = default_storage.save("leaders/old.jpg", ContentFile(jpeg_bytes((300, 200))))
    shared = default_storage.save("interviews/shared.jpg", ContentFile(jpeg_bytes((640, 480))))
    Leader = old.get_model("interviews", "Leader")
    ada = Leader.objects.create(
        name="Ada", slug="ada", photo=portrait, photo_alt="Ada", photo_focus_x=0.2
    )
    bob = Leader.objects.create(name="Bob", slug="bob")  # no photo
    series = old.get_model("interviews", "Series").objects.create(title="S", slug="s")
    interview = old.get_model("interviews", "Interview").objects.create(
        title="I",
        slug="i",
        leader=ada,
        series=series,
        series_order=1,
        image=shared,
        image_alt="Desk",
        image_focus_y=0.9,
        publish_at=timezone.now(),
    )
    missing = old.get_model("interviews", "Interview").objects.create(
        title="J",
        slug="j",
        leader=bob,
        series=series,
        series_order=2,
        image="interviews/gone.jpg",
        image_alt="Gone",
        publish_at=timezone.now(),
    )
    author = old.get_model("blog", "Author").objects.create(name="Ann", slug="ann")
    post = old.get_model("blog", "Post").objects.create(
        title="P", slug="p", author=author, body="Hi", image=shared, image_alt="Same file"
    )

    new = migrate(AFTER)
    Image = new.get_model("images", "Image")
    assert Image.objects.count() == 3  # the shared file is one library row, the lost one kept
    ada_new = new.get_model("interviews", "Leader").objects.get(pk=ada.pk)
    assert ada_new.photo.file.name == portrait
    assert (ada_new.photo.focus_x, ada_new.photo.focus_y) == (0.2, None)
    assert (ada_new.photo.width, ada_new.photo.height) == (300, 200)
    assert ada_new.photo_alt == "Ada"
    assert new.get_model("interviews", "Leader").objects.get(pk=bob.pk).photo is None
    Interview = new.get_model("interviews", "Interview")
    moved = Interview.objects.get(pk=interview.pk)
    assert moved.image.file.name == shared and moved.image.focus_y == 0.9
    assert new.get_model("blog", "Post").objects.get(pk=post.pk).image_id == moved.image_id
    lost = Interview.objects.get(pk=missing.pk).image
    assert lost.file.name == "interviews/gone.jpg" and lost.width is None
    assert default_storage.exists(portrait) and default_storage.exists(shared)

    back = migrate(BEFORE)
    assert back.get_model("interviews", "Leader").objects.get(pk=ada.pk).photo.name == portrait
    old_interview = back.get_model("interviews", "Interview").objects.get(pk=interview.pk)
    assert old_interview.image.name == shared and old_interview.image_focus_y == 0.9
    assert back.get_model("blog", "Post").objects.get(pk=post.pk).image.name == shared

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
