from django.apps import AppConfig


class SocialLeadersConfig(AppConfig):
    """The project package as an app: connects the page cache's invalidation signals."""

    name = "socialleaders"
    verbose_name = "Social Leaders"

    def ready(self):
        from socialleaders.cache import connect_signals

        connect_signals()
