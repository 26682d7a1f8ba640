import logging
from urllib.parse import quote

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode

from redirects import serving as redirects
from socialleaders.cachetags import SEARCH, tag_page
from socialleaders.views import PageOutOfRange

from . import services
from .query import clean_query, query_terms
from .suggest import closest_pages

RESULTS_PER_PAGE = 10


def search(request):
    """``/search/?q=words[&kind=answers][&page=2]``: ranked results, published content only.

    Bad input never fails: docs/search.md lists what each kind of it gives."""
    tag_page(SEARCH)  # results move with any change readers can see
    raw = request.GET.get("q", "")
    query = clean_query(raw)
    kind = request.GET.get("kind", "")
    if kind not in services.KINDS:
        kind = ""
    context = {
        "query": query.text,
        "query_truncated": query.truncated,
        "kind": kind,
        "kinds": services.KINDS,
        "searched": bool(query),
        "has_words": bool(query_terms(query.text)),
        "advanced_syntax": services.use_postgres(),
        "results": [],
        "page_obj": None,
        "page_title": f"Search results for “{query.text}”" if query else "Search",
        "page_description": "Search the interviews, answers, quotes, leaders and blog posts.",
    }
    if query and context["has_words"]:
        outcome = services.rank(query.text, kind=kind or None)
        page_obj = Paginator(outcome.hits, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            page_obj=page_obj,
            results=services.results_for(list(page_obj.object_list), query.text),
            total=len(outcome.hits),
            capped=bool(outcome.capped),
            facets=_facets(query.text, kind, outcome),
            page_query=urlencode({"q": query.text, **({"kind": kind} if kind else {})}),
        )
        if not outcome.hits:  # a typo or two? (PostgreSQL only; elsewhere None)
            suggested = services.suggestion(query.text)
            if suggested:
                context["suggestion"] = suggested
                context["suggestion_query"] = urlencode({"q": suggested})
    response = render(request, "search/results.html", context)
    # Result pages are endless and thin: keep them out of search engines' indexes.
    response["X-Robots-Tag"] = "noindex"
    return response


def _facets(text, current, outcome):
    """Links that narrow the results to one kind (with counts when all kinds were searched)."""
    facets = [
        {
            "label": "Everything",
            "url": "?" + urlencode({"q": text}),
            "count": None,
            "current": not current,
        }
    ]
    for name, label in services.KINDS.items():
        count = outcome.counts.get(name) if not current else None
        if not current and not count:
            continue
        facets.append(
            {
                "label": label,
                "url": "?" + urlencode({"q": text, "kind": name}),
                "count": count,
                "capped": name in outcome.capped,
                "current": current == name,
            }
        )
    return facets


def page_not_found(request, exception=None):
    """The project's 404 (``handler404``): an old address answers its redirect or 410 first
    (``redirects``); otherwise the page suggests the live pages closest to the address's words.
    Never fails: suggestions that cannot be had are left out."""
    if isinstance(exception, PageOutOfRange):
        context = {"out_of_range": exception, "request_path": quote(request.path[:300])}
        return render(request, "404.html", context, status=404)
    answer = redirects.response_for(request)
    if answer is not None:
        return answer
    try:
        suggestions = closest_pages(request.path)
    except Exception:
        logging.getLogger(__name__).exception("404 suggestions failed")
        suggestions = []
    context = {"request_path": quote(request.path[:300]), "suggestions": suggestions}
    return render(request, "404.html", context, status=404)
