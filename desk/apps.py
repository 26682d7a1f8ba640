from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The editors' desk: the admin's home page, showing what needs an editor across content."""

    name = "desk"
    verbose_name = "Editors' desk"
