#!/usr/bin/env python3
"""The benchmark: the production setup under load, page by page, cold and warm.

    .venv/bin/python bench/run.py --db sl_bench_full --small-db sl_bench_small

Both databases hold generate_bench_data data; the steps and the figures: docs/benchmarks.md.
"""

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from bench.config import DOC, GUNICORN, PY, RESULTS, ROOT, TARGETS  # noqa: E402
from bench.floor import FLOOR_PAGE  # noqa: E402
from bench.report import write_report  # noqa: E402


def log(message):
    print(f"[bench] {message}", flush=True)


def run(cmd, env=None, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, text=True, **kwargs)


def database_url(name, host, port, user):
    return f"postgres://{user}@{host}:{port}/{name}"


def base_env(args, static_root, db):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "REDIS_URL", "PAGE_CACHE", "DATABASE_URL"}
    }
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": database_url(db, args.pg_host, args.pg_port, args.pg_user),
            "STATIC_ROOT": str(static_root),
            "BENCH_FLOOR": "1",
            "WEB_CONCURRENCY": str(args.workers),
            "BIND": f"127.0.0.1:{args.port}",
            "CONN_MAX_AGE": "600",
        }
    )
    return env


def fetch(url, timeout=30):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_for(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if fetch(url, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} did not answer in {seconds}s")


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start_gunicorn(env, log_path):
    with open(log_path, "ab") as out:
        process = subprocess.Popen(
            [GUNICORN, "--config", str(ROOT / "gunicorn.conf.py"), "socialleaders.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    return process


def worker_rss_mb(master_pid):
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master_pid)], capture_output=True, text=True
    ).stdout.split()
    sizes = []
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            sizes.append(round(int(match.group(1)) / 1024, 1))
    return sizes


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text):
    match = re.match(r"([\d.]+)(us|ms|s)$", text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url, args):
    result = subprocess.run(
        [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": round(rps, 1),
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def median_of(runs):
    """The median of each figure over several wrk runs of one page, with the runs themselves."""
    figures = {
        key: round(statistics.median(run[key] for run in runs), 2)
        for key in ("rps", "p50_ms", "p99_ms")
    }
    return {
        **figures,
        "non_2xx": sum(run["non_2xx"] for run in runs),
        "socket_errors": "; ".join(run["socket_errors"] for run in runs if run["socket_errors"]),
        "runs": [{key: run[key] for key in ("rps", "p50_ms", "p99_ms")} for run in runs],
    }


def measure_server(mode, env, pages, args, workdir):
    """Start gunicorn in one mode, check and warm every page, then wrk every page in turn
    ``args.rounds`` times and keep each page's medians."""
    base = f"http://127.0.0.1:{args.port}"
    process = start_gunicorn(env, workdir / f"gunicorn-{mode}.log")
    results, measured = {}, {}
    try:
        wait_for(f"{base}/healthz", process)
        for name, path in pages.items():
            if path is None:
                results[name] = {"missing": "no such object in the data set"}
                continue
            status, headers, _ = fetch(base + path)
            if status != 200:
                results[name] = {"missing": f"HTTP {status}"}
                continue
            for _ in range(args.warmup):
                fetch(base + path)
            _, headers, body = fetch(base + path)
            log(f"{mode}: {name} {path} ({len(body):,} bytes, X-Cache {headers.get('X-Cache')})")
            results[name] = {"path": path, "bytes": len(body), "x_cache": headers.get("X-Cache")}
            measured[name] = []
        for number in range(1, args.rounds + 1):
            log(f"{mode}: round {number} of {args.rounds}")
            for name, runs in measured.items():
                runs.append(wrk(base + pages[name], args))
        for name, runs in measured.items():
            results[name].update(median_of(runs))
        rss = worker_rss_mb(process.pid)
    finally:
        stop(process)
    return results, rss


def start_nginx(args, workdir, floor_html):
    """nginx on args.port answering every path with ``floor_html`` (bench/nginx.conf)."""
    root = workdir / "nginx-root"
    root.mkdir(exist_ok=True)
    (root / "floor.html").write_bytes(floor_html)
    # nginx's workers run as an unprivileged user: let them read the page.
    for path in (workdir, root, root / "floor.html"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    template = (ROOT / "bench" / "nginx.conf").read_text()
    conf = workdir / "nginx.conf"
    conf.write_text(
        template.replace("@PORT@", str(args.port))
        .replace("@ROOT@", str(root))
        .replace("@WORKDIR@", str(workdir))
    )
    process = subprocess.Popen(
        ["nginx", "-c", str(conf), "-p", str(workdir), "-e", str(workdir / "nginx-error.log")],
        start_new_session=True,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{args.port}/floor.html", process)
    except Exception:
        stop(process)
        raise
    return process


def measure_nginx(args, workdir, floor_html):
    process = start_nginx(args, workdir, floor_html)
    try:
        url = f"http://127.0.0.1:{args.port}/floor.html"
        return median_of([wrk(url, args) for _ in range(args.rounds)])
    finally:
        stop(process)


def version(cmd):
    try:
        result = subprocess.run(cmd, capture_output=True, text=True)
        return (result.stdout or result.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def machine():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return f"{os.cpu_count()} cores ({cpu}), {mem_kb // 1024 // 1024} GB RAM, {platform.platform()}"


def versions(env):
    django_version = subprocess.run(
        [
            PY,
            "-c",
            "import django, gunicorn, psycopg; print(django.get_version(), "
            "gunicorn.__version__, psycopg.__version__)",
        ],
        capture_output=True,
        text=True,
        env=env,
    ).stdout.split()
    return {
        "python": platform.python_version(),
        "django": django_version[0],
        "gunicorn": django_version[1],
        "psycopg": django_version[2],
        "postgresql": version(["psql", "--version"]),
        "redis": version(["redis-server", "--version"]),
        "nginx": version(["nginx", "-v"]),
        "wrk": version(["wrk", "--version"]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sl_bench_full", help="database with the full data set")
    parser.add_argument("--small-db", default="sl_bench_small", help="database at --scale 0.03")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--port", type=int, default=8005)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--warmup", type=int, default=20, help="requests per page before wrk")
    parser.add_argument(
        "--rounds", type=int, default=3, help="wrk runs per page (in turn); the median is kept"
    )
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args()

    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: apt-get install wrk nginx-light")

    load_before = [round(x, 2) for x in os.getloadavg()]
    workdir = Path(tempfile.mkdtemp(prefix="sl-bench-"))
    static_root = workdir / "static"
    env = base_env(args, static_root, args.db)
    log(f"working in {workdir}")
    run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=env)

    scales = {}
    for label, db in (("full", args.db), ("small", args.small_db)):
        # Bring the data sets up to the current schema (a no-op when they are).
        run(
            [PY, "manage.py", "migrate", "--noinput", "-v", "0"],
            env=base_env(args, static_root, db),
        )
        out = run(
            [PY, "bench/pages.py"], env=base_env(args, static_root, db), capture_output=True
        ).stdout
        scales[label] = json.loads(out)
        log(f"{label}: {scales[label]['counts']} queries {scales[label]['queries']}")
    pages = scales["full"]["urls"]

    # Cold: no page cache, every request rendered by its view.
    cold_env = {**env, "PAGE_CACHE": "0"}
    cold, cold_rss = measure_server(
        "cold", cold_env, {**pages, "floor": "/bench/floor/"}, args, workdir
    )
    floor = cold.pop("floor")

    # Warm: Redis and the page cache, under a key prefix of our own.
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    warm_env = {**env, "PAGE_CACHE": "1", "REDIS_URL": args.redis, "CACHE_KEY_PREFIX": prefix}
    try:
        warm, warm_rss = measure_server("warm", warm_env, pages, args, workdir)
    finally:
        import redis

        client = redis.Redis.from_url(args.redis)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)

    nginx = measure_nginx(args, workdir, FLOOR_PAGE.encode())

    result = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(env),
        "settings": {
            "workers": args.workers,
            "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration}s --latency",
            "warmup_requests": args.warmup,
            "rounds": args.rounds,
        },
        "command": "bench/run.py " + " ".join(sys.argv[1:]),
        "load_average": {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]},
        "floor": floor,
        "nginx": nginx,
        "cold": cold,
        "warm": warm,
        "rss_mb": {"cold": cold_rss, "warm": warm_rss},
        "queries": {label: scales[label]["queries"] for label in scales},
        "counts": {label: scales[label]["counts"] for label in scales},
        "status": {label: scales[label]["status"] for label in scales},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    log(f"results in {RESULTS / 'latest.json'}")
    if not args.no_doc:
        write_report(result, DOC, TARGETS)
        log(f"report in {DOC}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
