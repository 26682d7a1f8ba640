"""Old addresses that keep working: redirects, 410 Gone, slug changes (docs/redirects.md)."""


def track(model, url=None):
    """Follow ``model``'s address: a change of its slug records a redirect from the old one.

    ``url(obj)`` gives an object's address (``obj.get_absolute_url()`` by default). Called from
    the content apps' ``AppConfig.ready``."""
    from .tracking import track as _track

    _track(model, url)
