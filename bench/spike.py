#!/usr/bin/env python3
"""The spike benchmark: readers spread over several hundred pages (Zipf-like popularity) while
others comment and an editor publishes, against the app servers alone and behind Varnish, beside
nginx serving a static page; PostgreSQL restarted in the middle of one phase.

    .venv/bin/python bench/spike.py                  # ~8 minutes; results/spike.json and the doc

It runs its own PostgreSQL (bench/private_pg.py: filled with generate_bench_data the first
time), so that restarting it harms nobody. Phases, figures and targets: docs/benchmarks.md,
"Spike".
"""

import argparse
import datetime
import gzip
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from bench.config import DOC, PY, RESULTS, ROOT  # noqa: E402
from bench.private_pg import DB, DEFAULT_DIR, DEFAULT_PORT, PrivatePostgres  # noqa: E402
from bench.report import MARKER  # noqa: E402
from bench.run import (  # noqa: E402
    base_env,
    machine,
    start_gunicorn,
    start_nginx,
    stop,
    version,
    versions,
    wait_for,
    wrk,
)
from tests.processes import settings_values, start_front_cache  # noqa: E402

HOT_POST = "/blog/two-hundred-comments/"  # generate_bench_data's showcase post (config.py)
PHASES = ("quiet", "held comments", "approved comments", "publishing", "postgres restart")
# The targets (docs/benchmarks.md, "Spike").
TARGETS = {
    "write_vs_quiet": 0.80,
    "p99_ms": 100,
    "visible_app_s": 2.0,
    "front_quiet_vs_nginx": 0.50,
    "front_write_vs_quiet": 0.80,
}
BEGIN = "<!-- spike: begin (bench/spike.py rewrites this section) -->"
END = "<!-- spike: end -->"


def log(message):
    print(f"[spike] {message}", flush=True)


# The pages readers read ---------------------------------------------------------------------

PICK = """
import json
from bench.pages import pick_urls
from blog.models import Post
from interviews.models import Interview
urls = [u for u in pick_urls().values() if u and not u.startswith('/search')]
urls += ['/interviews/?page=2', '/interviews/?page=3', '/blog/?page=2']
newest = Interview.objects.published().order_by('-publish_at')[:%d]
interviews = [i.get_absolute_url() for i in newest]
posts = [p.get_absolute_url() for p in Post.objects.published().order_by('-publish_at')[:%d]]
print(json.dumps({'lists': urls, 'interviews': interviews, 'posts': posts}))
"""


def pick_pages(env, interviews, posts):
    """The hottest post first, then the home page and the interview list, then every other
    page in a fixed shuffled order: rank r is read with weight 1/r (Zipf, s=1)."""
    out = subprocess.run(
        [PY, "-c", "import django; django.setup()\n" + PICK % (interviews, posts)],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "socialleaders.settings", "PAGE_CACHE": "0"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    rest = [
        p for p in found["lists"] + found["interviews"] + found["posts"] if p not in (HOT_POST, "/")
    ]
    rest = [p for i, p in enumerate(rest) if p not in rest[:i] and p != "/interviews/"]
    random.Random(13).shuffle(rest)
    return [HOT_POST, "/", "/interviews/", *rest], found["posts"]


LUA = r"""
-- Readers: a path by weight (Zipf), and what each response said about the caches.
local paths = {@PATHS@}
local cumulative = {@CUMULATIVE@}
local total = cumulative[#cumulative]
local threads = {}

-- What every browser sends (bench/spike.py --accept-encoding): compressed copies are served.
if "@ENCODING@" ~= "" then wrk.headers["Accept-Encoding"] = "@ENCODING@" end

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  outcomes, statuses = {}, {}
end

function request()
  local r, lo, hi = math.random() * total, 1, #cumulative
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cumulative[mid] < r then lo = mid + 1 else hi = mid end
  end
  return wrk.format("GET", paths[lo])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local key = (headers["X-Front-Cache"] or "-") .. " " .. (headers["X-Cache"] or "-")
  outcomes[key] = (outcomes[key] or 0) + 1
end

local function encode(t)
  local parts = {}
  for k, v in pairs(t) do table.insert(parts, string.format('"%s": %d', tostring(k), v)) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local outcomes_all, statuses_all = {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("outcomes")) do outcomes_all[k] = (outcomes_all[k] or 0) + v end
    for k, v in pairs(thread:get("statuses")) do
      statuses_all[tostring(k)] = (statuses_all[tostring(k)] or 0) + v
    end
  end
  local e = summary.errors
  io.write(string.format(
    'SPIKE {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"socket_errors": %d, "outcomes": %s, "statuses": %s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.timeout,
    encode(outcomes_all), encode(statuses_all)))
end
"""


def write_lua(paths, path, encoding="gzip, deflate, br"):
    weights, total = [], 0.0
    for rank in range(1, len(paths) + 1):
        total += 1 / rank
        weights.append(f"{total:.6f}")
    path.write_text(
        LUA.replace("@PATHS@", ", ".join(json.dumps(p) for p in paths))
        .replace("@CUMULATIVE@", ", ".join(weights))
        .replace("@ENCODING@", encoding)
    )


def readers(port, seconds, args, lua):
    """wrk against ``port`` for ``seconds`` with the readers' script; returns its figures."""
    result = subprocess.run(
        [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(lua),
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("SPIKE "))
    figures = json.loads(line[len("SPIKE ") :])
    seconds = figures["duration_us"] / 1e6
    return {
        "rps": round(figures["requests"] / seconds, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "max_ms": round(figures["max_us"] / 1000, 1),
        "requests": figures["requests"],
        "socket_errors": figures["socket_errors"],
        "statuses": figures["statuses"],
        "outcomes": figures["outcomes"],
    }


# Writers ----------------------------------------------------------------------------------


class Browser:
    """One visitor from one loopback address: cookies, GET, and POST of a form."""

    def __init__(self, port, address):
        self.port, self.address, self.cookies = port, address, {}

    def _send(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.address, 0)
        )
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, data
        finally:
            conn.close()

    def form(self, path):
        """The comment form on the page at ``path``: its action and its fields as served."""
        status, html = self._send("GET", path)
        match = re.search(r'<form[^>]*id="comment-form-element"[^>]*>(.*?)</form>', html, re.S)
        if status != 200 or not match:
            return None
        action = re.search(r'action="([^"]+)"', match.group(0)).group(1)
        fields = {}
        for tag in re.findall(r"<input[^>]*>", match.group(1)):
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name and 'type="checkbox"' not in tag:
                fields[name.group(1)] = value.group(1) if value else ""
        return action, fields

    def post(self, page, action, fields):
        origin = f"http://127.0.0.1:{self.port}"
        status, _ = self._send(
            "POST",
            action,
            body=urllib.parse.urlencode(fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + page,
                "Sec-Fetch-Site": "same-origin",
            },
        )
        return status


class Watcher:
    """A reader polling one page (every 0.1 s) for text that writes will make appear; records
    how long after each write it was first seen."""

    def __init__(self, port, path):
        self.port, self.path = port, path
        self.pending, self.seen = {}, {}
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def expect(self, marker, written_at):
        with self.lock:
            self.pending[marker] = written_at

    def _run(self):
        while self.running:
            with self.lock:
                waiting = dict(self.pending)
            if waiting:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                    conn.request("GET", self.path)
                    body = conn.getresponse().read().decode("utf-8", "replace")
                    conn.close()
                except OSError:
                    body = ""
                now = time.time()
                with self.lock:
                    for marker, written in waiting.items():
                        if marker in body:
                            self.seen[marker] = round(now - written, 2)
                            del self.pending[marker]
            time.sleep(0.1)

    def finish(self, grace):
        """Wait up to ``grace`` seconds for the last writes; returns the delays and the
        number never seen."""
        end = time.monotonic() + grace
        while self.pending and time.monotonic() < end:
            time.sleep(0.1)
        self.running = False
        self.thread.join(5)
        return sorted(self.seen.values()), len(self.pending)


def comment_writer(port, pages, rate, seconds, addresses, email, watcher=None, first=0):
    """Comments through the real form at ``rate`` per second for ``seconds``: each from the
    next loopback address, its form fetched as a reader would and sent 3.2 s later (faster is
    a bot's). ``email(n)`` is the n-th writer's address. Returns the POSTs' statuses."""
    statuses = Counter()
    lock = threading.Lock()

    def one(n):
        browser = Browser(port, addresses[(first + n) % len(addresses)])
        page = pages[n % len(pages)]
        found = browser.form(page)
        if found is None:
            with lock:
                statuses["no form"] += 1
            return
        action, fields = found
        time.sleep(3.2)
        marker = f"spike-{uuid.uuid4().hex[:12]}"
        fields.update(
            {
                "name": f"Spike reader {n}",
                "email": email(n),
                "website": "",
                "body": f"A comment {marker} from the spike benchmark.",
                "hp_subject": "",
                "parent": "",
            }
        )
        status = browser.post(page, action, fields)
        if status in (302, 303) and watcher is not None:
            watcher.expect(marker, time.time())
        with lock:
            statuses[str(status)] += 1

    count = int(rate * seconds)
    with ThreadPoolExecutor(max_workers=16) as pool:
        started = time.monotonic()
        for n in range(count):
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, n)
    return dict(statuses)


PUBLISHER = """
import json, sys, time
import django; django.setup()
from django.utils import timezone
from interviews.models import Interview, Leader
from socialleaders.publishing import Status
leader = Leader.objects.order_by('pk').first()
end = time.time() + float(sys.argv[1])
n = 0
while time.time() < end:
    n += 1
    title = 'Spike interview %s %d' % (sys.argv[2], n)
    Interview.objects.create(
        leader=leader, title=title, slug='spike-%s-%d' % (sys.argv[2], n),
        standfirst='Published by the spike benchmark.', introduction='An introduction.',
        status=Status.PUBLISHED, publish_at=timezone.now())
    print(json.dumps({'title': title, 'at': time.time()}), flush=True)
    time.sleep(10)
"""


def publisher(env, seconds, watcher, log_path):
    """An editor publishing an interview every 10 s (the ORM in a separate process: the same
    signals as the admin), each watched for on the interview list."""
    tag = uuid.uuid4().hex[:6]
    with open(log_path, "ab") as err:
        process = subprocess.Popen(
            [PY, "-c", PUBLISHER, str(seconds), tag],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "socialleaders.settings"},
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    published = 0
    for line in process.stdout:
        item = json.loads(line)
        watcher.expect(item["title"], item["at"])
        published += 1
    process.wait()
    return published


# One run ----------------------------------------------------------------------------------


def log_counts(path, start, end):
    """What the app servers logged between two offsets of their log: renders (cache=miss or
    refresh), requests by cache outcome, 5xx, purges sent."""
    with open(path, "rb") as f:
        f.seek(start)
        text = f.read(end - start).decode("utf-8", "replace")
    outcomes = Counter(re.findall(r" cache=(\S+)", text))
    rendered = Counter(
        re.findall(r'path="([^"]*)" status=\d+ duration_ms=\S+ cache=(?:miss|refresh)', text)
    )
    return {
        # Rendered by a request (miss) or off the request path (refresh: the stale copy served).
        "rendered": outcomes.get("miss", 0) + outcomes.get("refresh", 0),
        "rendered_most": dict(rendered.most_common(5)),
        "app_outcomes": dict(outcomes),
        "app_5xx": len(re.findall(r" status=5\d\d ", text)),
        "purges": len(re.findall(r"CDN purged|CDN purge (?:failed|refused)", text)),
    }


def phase(name, port, args, ctx):
    """Readers for args.duration seconds at ``port`` while this phase's writers write."""
    log(f"{ctx['target']}: {name}")
    app_log = ctx["app_log"]
    start = app_log.stat().st_size
    publisher_start = ctx["publisher_log"].stat().st_size
    writers, result = {}, {}
    seconds = args.duration
    watcher = None
    threads = []

    def background(fn, *a):
        thread = threading.Thread(target=lambda: writers.update(fn(*a)), daemon=True)
        thread.start()
        threads.append(thread)

    # Each address comments at most once per flood interval, across phases too.
    if name in ("held comments", "approved comments"):
        ctx["next_address"] = ctx.get("next_address", 0) + int(args.rate * (seconds - 4))
    if name == "held comments":
        # First-time commenters are held for moderation: readers never see them.
        def held():
            return {
                "posts": comment_writer(
                    port,
                    ctx["posts"],
                    args.rate,
                    seconds - 4,
                    ctx["addresses"],
                    lambda n: f"held-{uuid.uuid4().hex[:10]}@spike.example",
                    first=ctx["next_address"],
                )
            }

        background(held)
    elif name == "approved comments":
        # Trusted commenters (an earlier approved comment): published at once on the hot post.
        watcher = Watcher(port, HOT_POST)

        def approved():
            return {
                "posts": comment_writer(
                    port,
                    [HOT_POST],
                    args.rate,
                    seconds - 4,
                    ctx["addresses"],
                    lambda n: f"trusted-{n % len(ctx['addresses'])}@spike.example",
                    watcher,
                    first=ctx["next_address"],
                )
            }

        background(approved)
    elif name == "publishing":
        watcher = Watcher(port, "/interviews/")
        background(
            lambda: {"published": publisher(ctx["env"], seconds - 2, watcher, ctx["publisher_log"])}
        )
    elif name == "postgres restart":

        def outage():
            time.sleep(seconds / 3)
            down = time.monotonic()
            ctx["pg"].stop()
            time.sleep(args.outage)
            ctx["pg"].start()
            return {"postgres_down_s": round(time.monotonic() - down, 1)}

        background(outage)

    result.update(readers(port, seconds, args, ctx["lua"]))
    for thread in threads:
        thread.join(60)
    if watcher is not None:
        delays, unseen = watcher.finish(grace=args.visible_wait)
        writers["visible_after_s"] = {
            "count": len(delays),
            "p50": delays[len(delays) // 2] if delays else None,
            "max": delays[-1] if delays else None,
            "not_seen": unseen,
            "waited_s": args.visible_wait,
        }
    time.sleep(1.5)  # the last purges (CDN_PURGE_DELAY) reach the log
    result.update(log_counts(app_log, start, app_log.stat().st_size))
    by_editor = log_counts(
        ctx["publisher_log"], publisher_start, ctx["publisher_log"].stat().st_size
    )
    result["purges"] += by_editor["purges"]
    result["writes"] = writers
    return result


def served_from_cache(result, target):
    """Share of responses that came from a cache: Varnish's hits (fresh or stale) with the
    front cache; the app's page cache hits otherwise."""
    total = sum(result["outcomes"].values()) or 1
    hits = 0
    for key, count in result["outcomes"].items():
        front, app = key.split(" ")
        if target == "varnish" and front in ("hit", "stale", "stale-if-error"):
            hits += count
        elif target == "varnish" and app in ("hit", "stale", "stale-if-error"):
            result.setdefault("app_cache_behind_front", 0)
            result["app_cache_behind_front"] += count
        elif target == "app" and app in ("hit", "stale", "stale-if-error"):
            hits += count
    return round(hits / total, 3)


def prepare_content(env, addresses):
    """Trusted commenters for the approved-comments phase: one approved comment each."""
    code = (
        "import django; django.setup()\n"
        "from blog.models import Post\nfrom comments.models import Comment\n"
        "post = Post.objects.published().exclude(slug='two-hundred-comments').first()\n"
        f"for n in range({len(addresses)}):\n"
        "    email = f'trusted-{n}@spike.example'\n"
        "    if not Comment.objects.filter(email=email, status='approved').exists():\n"
        "        Comment.objects.create(post=post, name=f'Trusted {n}', email=email,"
        " body='An earlier comment.', status='approved')\n"
    )
    subprocess.run(
        [PY, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "socialleaders.settings"},
        check=True,
    )


def warm(port, paths):
    """Every page once (4 at a time); returns each page's bytes as served."""

    def one(path):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path)
        body = conn.getresponse().read()
        conn.close()
        return path, body

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, paths))


def static_copies(pages, root):
    """The pages as files under nginx's root (path/index.html; a query string is dropped, so
    ?page=2 is served page 1's bytes), each beside its compressed copy (index.html.gz, sent by
    nginx's gzip_static to readers who accept gzip, as Varnish sends its stored one)."""
    for path, body in pages.items():
        target = root / urllib.parse.urlsplit(path).path.strip("/") / "index.html"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            target.with_name("index.html.gz").write_bytes(gzip.compress(body, 6))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-dir", default=str(DEFAULT_DIR), help="the private PostgreSQL")
    parser.add_argument("--pg-port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--port", type=int, default=8015, help="gunicorn")
    parser.add_argument("--front-port", type=int, default=8016, help="Varnish")
    parser.add_argument("--nginx-port", type=int, default=8017)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--duration", type=int, default=16, help="seconds per phase")
    parser.add_argument("--rate", type=float, default=2.0, help="comments per second")
    parser.add_argument(
        "--addresses",
        type=int,
        default=40,
        help="loopback source addresses 127.0.0.2...: one comment per address per 15 s passes "
        "the flood rule (COMMENTS_FLOOD_SECONDS), so 2/s needs at least 30",
    )
    parser.add_argument("--outage", type=float, default=3.0, help="seconds PostgreSQL is down")
    parser.add_argument("--visible-wait", type=float, default=20.0)
    parser.add_argument("--interviews", type=int, default=300)
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument(
        "--purge-header",
        default="xkey-purge",
        choices=["xkey-purge", "xkey-softpurge"],
        help="how the app purges Varnish: remove the tagged pages, or mark them stale",
    )
    parser.add_argument(
        "--accept-encoding",
        default="gzip, deflate, br",
        help="what the readers send, as browsers do ('' for none: uncompressed pages)",
    )
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument(
        "--report", action="store_true", help="only rewrite the doc section from spike.json"
    )
    args = parser.parse_args()
    if args.report:
        write_section(json.loads((RESULTS / "spike.json").read_text()), DOC)
        return

    for tool in ("wrk", "nginx", "varnishd"):
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin"):
            sys.exit(f"{tool} not found: apt-get install wrk nginx-light varnish varnish-modules")

    load_before = [round(x, 2) for x in os.getloadavg()]
    workdir = Path(tempfile.mkdtemp(prefix="sl-spike-"))
    log(f"working in {workdir}")
    pg = PrivatePostgres(args.pg_dir, args.pg_port)
    conn = SimpleNamespace(
        pg_host="127.0.0.1", pg_port=str(args.pg_port), pg_user="postgres", workers=args.workers
    )
    conn.port = args.port
    env = base_env(conn, workdir / "static", DB)
    prefix = f"spike-{uuid.uuid4().hex[:8]}"
    env.update(
        {
            "ENV_FILE": "",
            "LOG_LEVEL": "INFO",  # one line per request (cache=...) and per purge: counted
            "PAGE_CACHE": "1",
            "REDIS_URL": args.redis,
            "CACHE_KEY_PREFIX": prefix,
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            # Behind Varnish the client's address is the right-most X-Forwarded-For; read
            # directly, REMOTE_ADDR (the benchmark sends no such header itself).
            "COMMENTS_TRUSTED_PROXY_HEADER": "HTTP_X_FORWARDED_FOR",
            "CDN_PURGE_URL": f"http://127.0.0.1:{args.front_port}/",
            "CDN_PURGE_METHOD": "PURGE",
            "CDN_PURGE_HEADERS": json.dumps({args.purge_header: "{tags}"}),
        }
    )
    addresses = [f"127.0.0.{2 + n}" for n in range(args.addresses)]
    # Behind Varnish a write must be seen within the stale window: the app's
    # stale-while-revalidate, or its s-maxage when it sends none.
    cache_settings = settings_values(
        env, "PAGE_CACHE_S_MAXAGE", "PAGE_CACHE_STALE_WHILE_REVALIDATE"
    )
    stale_window = cache_settings["PAGE_CACHE_STALE_WHILE_REVALIDATE"]
    if stale_window is None:
        stale_window = cache_settings["PAGE_CACHE_S_MAXAGE"]
    log(f"private PostgreSQL in {args.pg_dir} on port {args.pg_port}")
    pg.prepare(env)
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    prepare_content(env, addresses)
    paths, posts = pick_pages(env, args.interviews, args.posts)
    lua = workdir / "readers.lua"
    write_lua(paths, lua, args.accept_encoding)
    log(f"{len(paths)} pages; the hottest: {', '.join(paths[:4])}")

    ctx = {
        "env": env,
        "pg": pg,
        "lua": lua,
        "posts": [p for p in posts if p != HOT_POST][:40],
        "addresses": addresses,
        "app_log": workdir / "gunicorn.log",
        "publisher_log": workdir / "publisher.log",
    }
    ctx["app_log"].touch()
    ctx["publisher_log"].touch()
    results = {}
    app = start_gunicorn(env, ctx["app_log"])
    front = None
    try:
        wait_for(f"http://127.0.0.1:{args.port}/healthz", app)
        front = start_front_cache(
            args.front_port, args.port, workdir / "varnish", storage="malloc,256m"
        )
        for target, port in (("app", args.port), ("varnish", args.front_port)):
            ctx["target"] = target
            log(f"{target}: warming {len(paths)} pages")
            served = warm(port, paths)
            if target == "app":
                static_copies(served, workdir / "nginx-root")
            results[target] = {}
            for name in PHASES:
                results[target][name] = phase(name, port, args, ctx)
                results[target][name]["served_from_cache"] = served_from_cache(
                    results[target][name], target
                )
                figures = results[target][name]
                log(
                    f"  {figures['rps']:,.0f} req/s p50 {figures['p50_ms']} ms p99 "
                    f"{figures['p99_ms']} ms, cached {figures['served_from_cache']:.0%}, "
                    f"rendered {figures['rendered']}, purges {figures['purges']}, "
                    f"statuses {figures['statuses']}, writes {figures['writes']}"
                )
    finally:
        if front is not None:
            stop(front)
        stop(app)
        pg.stop()
        import redis

        client = redis.Redis.from_url(args.redis)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)

    nginx_args = SimpleNamespace(
        port=args.nginx_port,
        threads=args.threads,
        connections=args.connections,
        duration=args.duration,
        rounds=1,
    )
    from bench.floor import FLOOR_PAGE

    # The machine's limit: a static page from nginx for every path, with the readers' own
    # script (its Lua costs wrk the same as above), and plain wrk on one URL as bench/run.py.
    # nginx also serves the readers' pages as files (saved while warming): the same bytes.
    floor_only = workdir / "floor.lua"
    write_lua(["/floor.html"], floor_only, args.accept_encoding)
    nginx = start_nginx(nginx_args, workdir, FLOOR_PAGE.encode())
    try:
        results["nginx"] = readers(args.nginx_port, args.duration, args, floor_only)
        results["nginx"]["plain_wrk"] = wrk(
            f"http://127.0.0.1:{args.nginx_port}/floor.html", nginx_args
        )
        results["nginx"]["same_pages"] = readers(args.nginx_port, args.duration, args, lua)
    finally:
        stop(nginx)
    log(
        f"nginx: static page {results['nginx']['rps']:,.0f} req/s with the readers' script, "
        f"{results['nginx']['plain_wrk']['rps']:,.0f} with plain wrk; the readers' pages as "
        f"files {results['nginx']['same_pages']['rps']:,.0f} req/s"
    )

    result = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": {
            **versions(env),
            "varnish": version(["varnishd", "-V"]),
        },
        "settings": {
            "workers": args.workers,
            "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration}s, Lua readers",
            "pages": len(paths),
            "accept_encoding": args.accept_encoding,
            "comment_rate_per_s": args.rate,
            "addresses": len(addresses),
            "postgres_outage_s": args.outage,
            "stale_window_s": stale_window,
            "purge": f'CDN_PURGE_HEADERS={{"{args.purge_header}": "{{tags}}"}}',
        },
        "command": "bench/spike.py " + " ".join(sys.argv[1:]),
        "load_average": {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]},
        "results": results,
    }
    result["checks"] = checks(results, stale_window)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "spike.json").write_text(json.dumps(result, indent=2) + "\n")
    log(f"results in {RESULTS / 'spike.json'}")
    if not args.no_doc:
        write_section(result, DOC)
        log(f"section in {DOC}")
    shutil.rmtree(workdir, ignore_errors=True)


# Targets and the doc section ----------------------------------------------------------------


def checks(results, stale_window):
    """Each of the issue's targets: what, this run's figure, met or not."""
    out = []
    nginx = results["nginx"]["rps"]
    writes = PHASES[1:4]
    for target in ("app", "varnish"):
        phases = results[target]
        quiet = phases["quiet"]["rps"]
        if target == "varnish":
            same = results["nginx"]["same_pages"]["rps"]
            out.append(
                (
                    "varnish: quiet ÷ nginx serving the same pages (for information)",
                    f"{quiet / same:.0%}" if same else "–",
                    None,
                )
            )
            ratio = quiet / nginx if nginx else 0
            out.append(
                (
                    f"varnish: quiet ≥ {TARGETS['front_quiet_vs_nginx']:.0%} of nginx",
                    f"{ratio:.0%}",
                    ratio >= TARGETS["front_quiet_vs_nginx"],
                )
            )
        for name in writes:
            figures = phases[name]
            ratio = figures["rps"] / quiet if quiet else 0
            least = TARGETS["write_vs_quiet" if target == "app" else "front_write_vs_quiet"]
            out.append((f"{target}: {name} ≥ {least:.0%} of quiet", f"{ratio:.0%}", ratio >= least))
            if target == "app":
                out.append(
                    (
                        f"app: {name} p99 < {TARGETS['p99_ms']} ms",
                        f"{figures['p99_ms']} ms",
                        figures["p99_ms"] < TARGETS["p99_ms"],
                    )
                )
            if name == "held comments":
                out.append(
                    (
                        f"{target}: held comments make no page stale, send no purge",
                        f"{figures['rendered']} renders (quiet: {phases['quiet']['rendered']}), "
                        f"{figures['purges']} purges",
                        figures["rendered"] == 0 and figures["purges"] == 0,
                    )
                )
            visible = figures["writes"].get("visible_after_s")
            if visible:
                limit = TARGETS["visible_app_s"] if target == "app" else stale_window
                worst = visible["max"]
                met = visible["not_seen"] == 0 and worst is not None and worst <= limit
                out.append(
                    (
                        f"{target}: {name} seen by a reader within {limit} s",
                        f"p50 {visible['p50']} s, max {worst} s, {visible['not_seen']} not seen"
                        f" within {visible['waited_s']:.0f} s",
                        met,
                    )
                )
        restart = phases["postgres restart"]
        errors = restart["statuses"].get("500", 0)
        others = sum(v for k, v in restart["statuses"].items() if k.startswith("5")) - errors
        out.append(
            (
                f"{target}: no 500 while PostgreSQL restarts",
                f"{errors} × 500, {others} other 5xx",
                not errors,
            )
        )
    return [{"target": what, "figure": figure, "met": met} for what, figure, met in out]


def describe_writes(writes):
    parts = []
    if "posts" in writes:
        sent = sum(writes["posts"].values())
        answers = ", ".join(f"{n} × {status}" for status, n in sorted(writes["posts"].items()))
        parts.append(f"{sent} comments sent ({answers})")
    if "published" in writes:
        parts.append(f"{writes['published']} interviews published")
    if "postgres_down_s" in writes:
        parts.append(f"PostgreSQL down {writes['postgres_down_s']} s")
    return "; ".join(parts)


def write_section(result, doc_path):
    lines = [
        BEGIN,
        "## Spike",
        "",
        f"Run on **{result['date']}** on {result['machine']}; load average before "
        f"{result['load_average']['before']}, after {result['load_average']['after']}. "
        f"`{result['command']}`; raw figures in `bench/results/spike.json`. "
        f"Versions: {result['versions'].get('varnish')}, {result['versions'].get('wrk')}, "
        f"{result['versions'].get('postgresql')}.",
        "",
        f"Readers: wrk `{result['settings']['wrk']}` over {result['settings']['pages']} pages, "
        f"sending `Accept-Encoding: {result['settings'].get('accept_encoding') or '(none)'}`, "
        "page of rank r read with weight 1/r (the hottest post, the home page, the interview "
        "list, then the rest); gunicorn with "
        f"{result['settings']['workers']} workers, Redis page cache, PostgreSQL of the "
        "benchmark's own. Writers: comments through the real form at "
        f"{result['settings']['comment_rate_per_s']}/s from "
        f"{result['settings']['addresses']} loopback addresses; an interview published every "
        f"10 s; PostgreSQL down {result['settings']['postgres_outage_s']} s in the middle of "
        f"the last phase. Varnish purged by the app with `{result['settings']['purge']}`.",
        "",
        "| target | phase | req/s | p50 ms | p99 ms | from cache | rendered | purges "
        "| 5xx (500) | writes | seen by a reader after |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for target in ("app", "varnish"):
        for name, f in result["results"][target].items():
            five = sum(v for k, v in f["statuses"].items() if k.startswith("5"))
            writes = describe_writes(f["writes"])
            visible = f["writes"].get("visible_after_s")
            seen = (
                f"p50 {visible['p50']} s, max {visible['max']} s, {visible['not_seen']} unseen"
                if visible
                else "–"
            )
            lines.append(
                f"| {target} | {name} | {f['rps']:,.0f} | {f['p50_ms']} | {f['p99_ms']} "
                f"| {f['served_from_cache']:.0%} | {f['rendered']} | {f['purges']} "
                f"| {five} ({f['statuses'].get('500', 0)}) | {writes or '–'} | {seen} |"
            )
    nginx = result["results"]["nginx"]
    plain, same = nginx["plain_wrk"], nginx["same_pages"]
    lines += [
        f"| nginx | the readers' pages as files | {same['rps']:,.0f} | {same['p50_ms']} "
        f"| {same['p99_ms']} | – | – | – | – | – | – |",
        f"| nginx | static page (floor), readers' script | {nginx['rps']:,.0f} | {nginx['p50_ms']} "
        f"| {nginx['p99_ms']} | – | – | – | – | – | – |",
        f"| nginx | static page (floor), plain wrk | {plain['rps']:,.0f} | {plain['p50_ms']} "
        f"| {plain['p99_ms']} | – | – | – | – | – | – |",
        "",
        "Targets (the issue's, ratios within this run):",
        "",
        "| target | this run | |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {c['target']} | {c['figure']} "
        f"| {'–' if c['met'] is None else 'met' if c['met'] else '**missed**'} |"
        for c in result["checks"]
    ]
    lines += ["", END]
    section = "\n".join(lines)
    text = doc_path.read_text()
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        text = before + section + rest.split(END, 1)[1]
    elif MARKER in text:  # below it, so bench/run.py's report keeps it
        before, rest = text.split(MARKER, 1)
        text = before + MARKER + "\n\n" + section + "\n" + rest
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc_path.write_text(text)


if __name__ == "__main__":
    main()
