from django.apps import AppConfig


class RedirectsConfig(AppConfig):
    """Old addresses answered with 301 or 410; the cache of those answers is kept in step with
    every change to a redirect (``redirects.serving``)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "redirects"
    verbose_name = "Redirects"

    def ready(self):
        from . import serving

        serving.connect_signals()
