#!/usr/bin/env python3
"""Load check for comments: concurrent commenters against gunicorn on PostgreSQL.

    .venv/bin/python bench/comments_load.py [--db sl_comments_load] [--comments 1000]
                                            [--commenters 20] [--port 8006]

What it sends and checks, and the last figures: docs/comments.md, "Load check".
"""

import argparse
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from bench.config import GUNICORN, PY, RESULTS, ROOT  # noqa: E402


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def log(message):
    print(f"[comments-load] {message}", flush=True)


def server_env(args, static_root):
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
            "SECRET_KEY": env.get("SECRET_KEY") or "comments-load-only-" + uuid.uuid4().hex,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
            "CACHE_KEY_PREFIX": "comments-load",
            "COMMENTS_TRUSTED_PROXY_HEADER": "HTTP_X_FORWARDED_FOR",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "STATIC_ROOT": str(static_root),
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def manage(env, *argv):
    subprocess.run(
        [PY, "manage.py", *argv], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def prepare(args, env):
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", args.db], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.db], check=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    script = (
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from blog.models import Author, Post\nfrom comments.models import Comment\n"
        "a = Author.objects.create(name='Load Author', slug='load-author')\n"
        "p = Post.objects.create(title='Load test post', slug='load-test', author=a,"
        " body='Body.', status='published', publish_at=timezone.now() - timedelta(days=1))\n"
        "c = Comment.objects.create(post=p, name='First', email='first@example.org',"
        " body='The first comment.', status='approved')\n"
        "print(p.pk, c.pk)\n"
    )
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    subprocess.run(
        ["redis-cli", "-n", str(args.redis_db), "FLUSHDB"], check=False, stdout=subprocess.DEVNULL
    )
    return int(out[-2]), int(out[-1])


def start_server(args, env, logfile):
    proc = subprocess.Popen(
        [
            GUNICORN,
            "socialleaders.wsgi:application",
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            str(args.workers),
            "--timeout",
            "60",
            "--max-requests",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stdout=logfile,
        stderr=logfile,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=1)
            return proc
        except Exception:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start; see " + logfile.name)


class Commenter:
    def __init__(self, base, number, post_path):
        self.base = base
        self.number = number
        self.post_path = post_path
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), NoRedirect
        )
        self.fields = {}

    def load_form(self):
        with self.opener.open(self.base + self.post_path, timeout=30) as response:
            html = response.read().decode()
            self.cache_state = response.headers.get("X-Cache", "-")
        for name in ("csrfmiddlewaretoken", "timestamp"):
            self.fields[name] = re.search(rf'name="{name}" value="([^"]+)"', html).group(1)
        self.action = re.search(
            r'id="comment-form-element" method="post" action="([^"]+)"', html
        ).group(1)

    def post(self, sender, body, parent=""):
        data = {
            **self.fields,
            "name": f"Commenter {sender}",
            "email": f"c{sender}@example.org",
            "website": "",
            "body": body,
            "hp_subject": "",
            "parent": parent,
        }
        request = urllib.request.Request(
            self.base + self.action,
            data=urllib.parse.urlencode(data).encode(),
            headers={
                "X-Forwarded-For": f"10.{sender // 65536 % 256}.{sender // 256 % 256}."
                f"{sender % 256}",
                "Referer": self.base + self.post_path,
            },
        )
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        return status, (time.perf_counter() - started) * 1000


def run(args):
    RESULTS.mkdir(parents=True, exist_ok=True)
    static_root = Path(tempfile.mkdtemp(prefix="comments-load-static-"))
    env = server_env(args, static_root)
    log(f"preparing database {args.db}")
    post_pk, first_comment = prepare(args, env)
    logpath = Path(tempfile.gettempdir()) / "comments-load-gunicorn.log"
    with open(logpath, "w") as logfile:
        server = start_server(args, env, logfile)
        try:
            results = drive(args, post_pk, first_comment)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    verify(args, env, results)


def drive(args, post_pk, first_comment):
    base = f"http://127.0.0.1:{args.port}"
    per = args.comments // args.commenters
    results = []  # (kind, marker, status, ms)
    lock = threading.Lock()
    sender_seq = iter(range(1, 10_000_000))
    sender_lock = threading.Lock()

    def next_sender():
        with sender_lock:
            return next(sender_seq)

    def worker(number):
        commenter = Commenter(base, number, "/blog/load-test/")
        commenter.load_form()
        time.sleep(3.2)  # a person needs at least COMMENTS_MIN_SUBMIT_SECONDS
        mine = []
        for i in range(per):
            marker = uuid.uuid4().hex
            sender = next_sender()
            if i % 10 == 9 and mine:
                # The same sender again at once: the flood rule.
                kind, sender = "flood", mine[-1][0]
            elif i % 25 == 24 and mine:
                # An earlier comment word for word, from its sender: a duplicate. The flood
                # interval has not passed, so either refusal may answer; both keep it out.
                kind, sender, marker = "duplicate", mine[0][0], mine[0][1]
            else:
                kind = "reply" if i % 5 == 0 else "comment"
            body = f"Comment {marker} from commenter {number}.\n\nA second paragraph."
            parent = str(first_comment) if kind == "reply" else ""
            status, ms = commenter.post(sender, body, parent)
            if kind in ("comment", "reply") and status == 303:
                mine.append((sender, marker))
            with lock:
                results.append((kind, marker, status, ms))

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.commenters) as pool:
        list(pool.map(worker, range(args.commenters)))
    elapsed = time.perf_counter() - started - 3.2
    log(
        f"{len(results)} comments sent in {elapsed:.1f} s of posting "
        f"({len(results) / elapsed:.0f}/s)"
    )
    return {"results": results, "elapsed": elapsed}


def verify(args, env, run_results):
    results = run_results["results"]
    script = (
        "import json, re\n"
        "from comments.models import Comment\n"
        "rows = Comment.objects.values_list('body', 'status', 'parent_id')\n"
        "print(json.dumps([[b, s, p] for b, s, p in rows]))\n"
    )
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = json.loads(out.strip().splitlines()[-1])
    stored = Counter()
    statuses = Counter()
    for body, status, _parent in rows:
        match = re.search(r"Comment ([0-9a-f]{32}) from", body)
        if match:
            stored[match.group(1)] += 1
            statuses[status] += 1
    by_status = Counter(status for _, _, status, _ in results)
    by_kind = Counter((kind, status) for kind, _, status, _ in results)
    accepted = {m for kind, m, status, _ in results if status == 303}
    refused = {m for kind, m, status, _ in results if status != 303} - accepted
    missing = [m for m in accepted if stored[m] != 1]
    leaked = [m for m in refused if stored[m]]
    times = sorted(ms for *_, ms in results)
    summary = {
        "comments_sent": len(results),
        "commenters": args.commenters,
        "gunicorn_workers": args.workers,
        "seconds": round(run_results["elapsed"], 1),
        "responses": dict(sorted((str(k), v) for k, v in by_status.items())),
        "by_kind": {f"{k}:{s}": v for (k, s), v in sorted(by_kind.items())},
        "accepted": len(accepted),
        "stored_with_marker": sum(stored.values()),
        "stored_statuses": dict(statuses),
        "accepted_not_stored_exactly_once": len(missing),
        "refused_but_stored": len(leaked),
        "p50_ms": round(times[len(times) // 2], 1),
        "p99_ms": round(times[int(len(times) * 0.99) - 1], 1),
    }
    print(json.dumps(summary, indent=2))
    (RESULTS / "comments_load.json").write_text(json.dumps(summary, indent=2) + "\n")
    if missing or leaked or 500 in by_status:
        raise SystemExit("FAILED: see the counts above")
    log("every accepted comment is stored exactly once; no refused comment was stored")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sl_comments_load")
    parser.add_argument("--port", type=int, default=8006)
    parser.add_argument("--redis-db", type=int, default=3)
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--commenters", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
