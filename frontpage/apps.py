from django.apps import AppConfig


class FrontpageConfig(AppConfig):
    """The pages about the whole publication: the home page and the site-wide feed."""

    name = "frontpage"
    verbose_name = "Front page"
