"""Which models are tracked (``redirects.track``) and how each gives an object's address."""

_TRACKED = {}


def _default_url(obj):
    return obj.get_absolute_url()


def register(model, url=None):
    _TRACKED[model] = url or _default_url


def url_function(model):
    return _TRACKED.get(model, _default_url)


def tracked_models():
    return list(_TRACKED)
