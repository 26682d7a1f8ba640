"""Old addresses answered where the site has nothing: ``RedirectMiddleware``."""

from . import serving
from .paths import has_content_query


class RedirectMiddleware:
    """Answers 301 or 410 for known old addresses (``redirects.serving``).

    Live pages win: an old path is looked up only once the site has answered 404 (the project's
    404 handler looks it up first, before rendering the page; this catches the 404s it does not
    see, such as DEBUG's). An address with a WordPress content query (``/?p=123``) is another
    page than its path, so it is looked up before the view. Before the page cache in
    ``MIDDLEWARE``: its answers are cached on their own (the page cache keeps only 200s).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_content_query(request):
            response = serving.response_for(request, with_query=True)
            if response is not None:
                return response
        request.redirects_checked = False
        response = self.get_response(request)
        if response.status_code == 404 and not request.redirects_checked:
            return serving.response_for(request) or response
        return response
