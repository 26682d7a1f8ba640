"""The benchmark's reference page: the framework's floor.

``/bench/floor/`` exists only when the environment says ``BENCH_FLOOR=1`` (see ``urls.py``). It
returns a small fixed HTML page through the whole middleware stack, with no template, database
or cache work, so ``bench/run.py`` can compare every real page with the cheapest page this
server setup can possibly serve.
"""

from django.http import HttpResponse

FLOOR_PAGE = (
    '<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8">'
    "<title>Floor</title></head><body><main><h1>Floor</h1>"
    "<p>The smallest page this server setup can serve.</p></main></body></html>\n"
)


def floor(request):
    return HttpResponse(FLOOR_PAGE)
