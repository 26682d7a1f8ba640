from django.apps import AppConfig


class EditorialConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "editorial"
    verbose_name = "Editorial workflow"

    def ready(self):
        from django.db.models.signals import pre_save

        from . import images, revisions

        for label, *_ in images.IMAGE_FIELDS:
            pre_save.connect(
                images.normalise_upload,
                sender=label,
                dispatch_uid=f"editorial-normalise-{label}",
            )
        revisions.register_models()
