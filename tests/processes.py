"""The project in another process, for tests: its settings as they load from an environment,
and the production app server (gunicorn) on a local port."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def environment(drop=(), **overrides):
    """This process's environment without pytest's variables and those starting with ``drop``,
    set up for the project's settings (no .env file, a secret key), plus ``overrides``."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", *drop))}
    return {
        **kept,
        "DJANGO_SETTINGS_MODULE": "socialleaders.settings",
        "ENV_FILE": "",
        "SECRET_KEY": "x",
        **overrides,
    }


def load_settings(env, *names):
    """Load the settings in a new process with ``env``; its last line of output is the JSON list
    of the ``names`` settings' values. Returns the finished process (it fails on a bad setting)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps([getattr(s, n, None) for n in {list(names)!r}], default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "socialleaders.settings", **env},
        capture_output=True,
        text=True,
    )


def settings_values(env, *names):
    """The ``names`` settings as loaded in a new process with ``env``, as a dict."""
    result = load_settings(env, *names)
    assert result.returncode == 0, result.stderr
    return dict(zip(names, json.loads(result.stdout.strip().splitlines()[-1]), strict=True))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def start_app_server(port, env):
    """The production app server (gunicorn.conf.py), one worker on 127.0.0.1:port, in a process
    group of its own (stop it with os.killpg)."""
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "socialleaders.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_until_up(port, process, deadline=30):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"app server on {port} exited with {process.returncode}")
        try:
            if fetch(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"app server on {port} did not come up")


def stop(process, timeout=10):
    """Stop a process started by start_app_server, with its workers: TERM, then KILL."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def postgres_url(name):
    """The URL of database ``name`` on the test database's PostgreSQL server, as its user."""
    from django.db import connection

    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def postgres_admin():
    """An autocommit connection to the test database's server (its ``postgres`` database), to
    create and drop databases."""
    import psycopg

    return psycopg.connect(postgres_url("postgres"), autocommit=True)


@contextlib.contextmanager
def throwaway_databases(*labels):
    """New, empty PostgreSQL databases on the test database's server, one per label, for
    processes of the project started by a test: yields {label: URL}; drops them after, with any
    connection still open to them."""
    suffix = uuid.uuid4().hex[:10]
    names = {label: f"sl_{label}_{suffix}" for label in labels}
    try:
        with postgres_admin() as admin:
            for name in names.values():
                admin.execute(f'CREATE DATABASE "{name}"')
        yield {label: postgres_url(name) for label, name in names.items()}
    finally:
        with postgres_admin() as admin:
            for name in names.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_db_worker(**env):
    """A django-tasks database worker (``manage.py db_worker``) on the test database, which
    must be PostgreSQL (SQLite's is in memory); settings from the environment and ``env``. Stop
    it with ``stop``; ``kill()`` it for a worker lost mid-job."""
    from django.db import connection

    environment = {
        **os.environ,
        "ENV_FILE": "",
        "DEBUG": "",
        "DATABASE_URL": postgres_url(connection.settings_dict["NAME"]),
        "TASKS_BACKEND": "database",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def eventually(probe, until, deadline=10):
    """Call ``probe()`` until ``until(result)`` holds and return that result: for a change that
    another process shows after a while. Fails after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while True:
        result = probe()
        if until(result):
            return result
        if time.monotonic() >= end:
            raise AssertionError(f"still not so after {deadline} s: {result!r}"[:2000])
        time.sleep(0.05)


# The front cache (deploy/varnish/default.vcl) --------------------------------------------------

FRONT_CACHE_VCL = ROOT / "deploy" / "varnish" / "default.vcl"


def front_cache_missing():
    """Why the front cache cannot run on this machine (None if it can)."""
    import glob
    import shutil

    if not shutil.which("varnishd", path=os.environ.get("PATH", "") + ":/usr/sbin"):
        return "varnishd not found (make front-cache-deps: Debian's varnish, varnish-modules)"
    if not glob.glob("/usr/lib/*/varnish/vmods/libvmod_xkey.so"):
        return "vmod xkey not found (make front-cache-deps: Debian's varnish-modules)"
    return None


def start_front_cache(port, backend_port, workdir, storage="malloc,64m"):
    """Varnish with the shipped VCL on 127.0.0.1:port in front of the app server on
    backend_port, its state in ``workdir``, in the foreground of a process group of its own
    (stop it with ``stop``). Returns once it answers."""
    import shutil

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    vcl = FRONT_CACHE_VCL.read_text()
    assert vcl.count('.port = "8000";') == 2, "the VCL's backend port lines have changed"
    (workdir / "default.vcl").write_text(
        vcl.replace('.port = "8000";', f'.port = "{backend_port}";')
    )
    varnishd = shutil.which("varnishd", path=os.environ.get("PATH", "") + ":/usr/sbin")
    with open(workdir / "varnishd.log", "ab") as log:
        process = subprocess.Popen(
            [
                varnishd,
                "-F",
                "-a",
                f"127.0.0.1:{port}",
                "-T",
                "none",
                # No privilege separation: it runs as whoever starts it and reads the
                # caller's own (private) directory.
                "-j",
                "none",
                "-f",
                str(workdir / "default.vcl"),
                "-n",
                str(workdir / "varnish"),
                "-s",
                storage,
                "-p",
                "vcc_allow_inline_c=off",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    end = time.monotonic() + 30
    while time.monotonic() < end:
        if process.poll() is not None:
            log = (workdir / "varnishd.log").read_text()[-2000:]
            raise RuntimeError(f"varnishd exited with {process.returncode}: {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.05)
    stop(process)
    raise RuntimeError(f"varnishd on {port} did not come up")


def request(port, path, method="GET", headers=None, timeout=10):
    """``fetch`` with a method and headers: (status, headers, body)."""
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method, headers=headers or {}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()
