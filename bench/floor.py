"""The benchmark's floor: a fixed page through the whole middleware stack, with no template,
database or cache work, that bench/run.py compares every real page with."""

from django.http import HttpResponse

FLOOR_PAGE = (
    '<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8">'
    "<title>Floor</title></head><body><main><h1>Floor</h1>"
    "<p>The smallest page this server setup can serve.</p></main></body></html>\n"
)


def floor(request):
    return HttpResponse(FLOOR_PAGE)
