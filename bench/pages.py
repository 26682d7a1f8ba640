"""Pick the benchmark's pages in one database and count the SQL queries each runs (page cache
off); bench/run.py runs it once per data set. Prints JSON.

    DATABASE_URL=postgres://.../db SECRET_KEY=x python bench/pages.py
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialleaders.settings")
os.environ["PAGE_CACHE"] = "0"
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.config import SHOWCASE_SLUG  # noqa: E402
from blog.models import Post  # noqa: E402
from interviews.models import Interview, Platform, Question, Theme  # noqa: E402


def pick_urls():
    interview = Interview.objects.published().order_by("-publish_at").first()
    platform = Platform.objects.annotate(n=Count("uses")).order_by("-n").first()
    theme = Theme.objects.annotate(n=Count("tagged_interviews")).order_by("-n").first()
    question = Question.objects.order_by("order", "id").first()
    post = Post.objects.filter(slug=SHOWCASE_SLUG).first()
    return {
        "home": "/",
        "interview list": "/interviews/",
        "an interview": interview.get_absolute_url() if interview else None,
        "platform page": platform.get_absolute_url() if platform else None,
        "theme page": theme.get_absolute_url() if theme else None,
        "quote wall": "/quotes/",
        "question page": question.get_absolute_url() if question else None,
        "blog index": "/blog/",
        "post, 200 comments": post.get_absolute_url() if post else None,
        "search": "/search/?q=trust+listening",
    }


def main():
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    urls = pick_urls()
    client = Client()
    queries, statuses = {}, {}
    for name, url in urls.items():
        if url is None:
            continue
        client.get(url)  # first request warms per-process caches (content types etc.)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        statuses[name] = response.status_code
        queries[name] = len(captured.captured_queries)
    counts = {
        "interviews": Interview.objects.count(),
        "posts": Post.objects.count(),
    }
    json.dump({"urls": urls, "status": statuses, "queries": queries, "counts": counts}, sys.stdout)


if __name__ == "__main__":
    main()
