"""gunicorn settings for production: ``gunicorn socialleaders.wsgi`` (run from the project root,
where gunicorn finds this file by itself). Every value can be set from the environment; see
docs/production.md."""

import gc
import multiprocessing
import os

# Behind a reverse proxy or load balancer on the same host by default; BIND=0.0.0.0:8000 (or a
# unix socket, unix:/run/socialleaders.sock) when the load balancer is elsewhere.
bind = os.environ.get("BIND", "127.0.0.1:8000")

# Synchronous workers: pages are short CPU-bound renders or cache hits, and PostgreSQL holds
# one persistent connection per worker (CONN_MAX_AGE). (2 x cores) + 1 is gunicorn's own advice.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# A request that takes longer than this is stuck: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Keep-alive to the proxy in front.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Recycle workers now and then so that slow memory growth can never build up; the jitter keeps
# them from all restarting at once. Counted in requests, so a spike recycles faster: at 1,000
# requests a second a worker, every 100 s (5,000 restarted each every 5 s, a gap in the
# answers each time: docs/benchmarks.md, "Spike").
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "10000"))

# Load the application once in the master, then fork: faster start, shared memory pages.
preload_app = True

# Django logs one line per request itself (socialleaders.middleware.RequestLogMiddleware), with
# timing and cache outcome; gunicorn's access log would only repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The proxy in front sets X-Forwarded-For / X-Forwarded-Proto; trust it only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Temporary files for worker heartbeats in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def pre_fork(server, worker):
    # What the master loaded (Django, the apps, templates) is never garbage: out of the
    # collector's sight, a worker's full collections no longer walk it (and never touch the
    # pages it shares with the master).
    gc.freeze()


def post_fork(server, worker):
    # Connections opened in the master while preloading must not be shared by the workers.
    from django.db import connections

    connections.close_all()
