"""The factories make a valid row of every model of the project."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
SECOND = timedelta(seconds=1)


def test_every_model_of_the_project_has_a_factory_that_makes_a_valid_row():
    root = Path(__file__).resolve().parents[1]
    ours = {
        model
        for config in apps.get_app_configs()
        if Path(config.path).parent == root  # the project's apps, not installed packages
        for model in config.get_models()
    }
    made = [
        f.platform(),
        f.theme(),
        f.themed(f.interview(), f.theme()),
        f.leader(),
        f.social_account(),
        f.series(),
        f.question(),
        f.interview(),
        f.uses(f.interview(), f.platform()),
        f.answer(),
        f.quote(),
        f.author(),
        f.post(),
        f.comment(),
        f.moderation_settings(),
        f.subscription(),
        f.publication_record(),
        f.approval_link()[0],
        f.approval_event(),
        f.pending_changes(),
        f.redirect(),
        f.imported_item(),
        f.import_run(),
        f.import_file_part(),
        f.image(),
        f.subscriber(),
        f.mailing(),
        f.delivery(),
        f.issue(),
        f.digest(),
        f.digest_settings(),
    ]
    assert {type(obj) for obj in made} == ours
    for obj in made:
        obj.full_clean()
