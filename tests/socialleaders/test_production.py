"""Production setup: deploy checks, security headers, /healthz, request logging, media storage."""

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from socialleaders import health
from tests.processes import settings_values

ROOT = Path(__file__).resolve().parents[2]


def _env(**overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "REDIS_URL",
            "MEDIA_STORAGE",
            "SECURE_SSL_REDIRECT",
            # set for the browser tests' harness (tests/browser/conftest.py), not a deploy setting
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env["ENV_FILE"] = ""  # a developer's own .env must not decide these tests
    env.update(overrides)
    return env


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "socialleaders.example.org",
}


# Settings --------------------------------------------------------------------------------------


def test_check_deploy_passes_with_production_settings_and_nothing_silenced():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_env(**PRODUCTION),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_defaults_are_the_strict_ones():
    values = settings_values(
        _env(**PRODUCTION),
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "X_FRAME_OPTIONS",
        "SILENCED_SYSTEM_CHECKS",
        "PAGE_CACHE",
        "PASSWORD_HASHERS",
    )
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SESSION_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["CSRF_COOKIE_SECURE"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert not values["SILENCED_SYSTEM_CHECKS"]
    assert values["PAGE_CACHE"] is False  # no shared cache configured: no page cache
    # Django's own slow hasher (the tests use a fast one: tests/conftest.py).
    assert values["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"


def test_environment_can_relax_redirect_and_set_the_proxy_header():
    values = settings_values(
        _env(
            **PRODUCTION,
            SECURE_SSL_REDIRECT="0",
            SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
            SECURE_HSTS_PRELOAD="0",
            REDIS_URL="redis://127.0.0.1:6379/7",
        ),
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_PRELOAD",
        "PAGE_CACHE",
        "CACHES",
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["PAGE_CACHE"] is True
    assert "RedisCache" in values["CACHES"]["default"]["BACKEND"]


def test_a_malformed_proxy_header_setting_is_refused():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_env(**PRODUCTION, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER must look like" in result.stderr


def test_media_goes_to_object_storage_when_asked():
    values = settings_values(
        _env(
            **PRODUCTION,
            MEDIA_STORAGE="s3",
            AWS_STORAGE_BUCKET_NAME="sl-media",
            AWS_S3_ENDPOINT_URL="https://objects.example.net",
            AWS_S3_CUSTOM_DOMAIN="media.example.org",
        ),
        "STORAGES",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_QUERYSTRING_AUTH",
        "CONTENT_SECURITY_POLICY",
    )
    assert values["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert values["AWS_STORAGE_BUCKET_NAME"] == "sl-media"
    assert values["AWS_QUERYSTRING_AUTH"] is False
    assert "https://media.example.org" in values["CONTENT_SECURITY_POLICY"]["img-src"]


def test_media_on_disk_by_default():
    values = settings_values(_env(**PRODUCTION), "STORAGES")
    assert values["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert "CompressedManifest" in values["STORAGES"]["staticfiles"]["BACKEND"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"MEDIA_STORAGE": "s3"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE must be"),
    ],
)
def test_bad_media_storage_settings_are_refused_with_a_clear_message(extra, message):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_env(**PRODUCTION, **extra),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_gunicorn_config_defaults_and_environment():
    code = "import runpy, json; c = runpy.run_path('gunicorn.conf.py'); print(json.dumps({k: c[k] for k in ('workers', 'accesslog', 'timeout', 'bind')}))"  # noqa: E501
    default = json.loads(
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=_env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert default["workers"] == 2 * os.cpu_count() + 1
    assert default["accesslog"] is None
    assert default["timeout"] > 0
    custom = json.loads(
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=_env(WEB_CONCURRENCY="3", BIND="0.0.0.0:9000"),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert custom["workers"] == 3
    assert custom["bind"] == "0.0.0.0:9000"


# Headers on responses --------------------------------------------------------------------------


def _boom(request):
    raise RuntimeError("the template fell over")


def _plain(request):
    return HttpResponse("<p>plain</p>")


urlpatterns = [path("boom/", _boom), path("plain/", _plain)]


@pytest.fixture
def test_urls(settings):
    settings.ROOT_URLCONF = __name__


def test_security_headers_on_every_response(client, test_urls, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/plain/", secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = response["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    # Scripts from the static path only (and the admin's catalogue): never from /media/.
    assert directives["script-src"] == "https://testserver/static/ https://testserver/admin/jsi18n/"
    assert "https://www.youtube-nocookie.com" in directives["frame-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_csp_is_also_on_404s_and_static_style_responses(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "script-src http://testserver/static/ " in response["Content-Security-Policy"]


def test_plain_http_is_redirected_to_https_in_production(client, test_urls, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/plain/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


# /healthz --------------------------------------------------------------------------------------


def test_healthz_reports_database_and_cache(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True
    assert response["Cache-Control"] == "no-store"


def test_healthz_works_over_http_with_any_host(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["socialleaders.example.org"]
    response = Client().get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200


def test_healthz_names_a_failing_database(client, db, monkeypatch, caplog):
    def broken():
        raise ConnectionError("could not connect to server at 10.0.0.5")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {
        "ok": False,
        "error": "ConnectionError",
        "ms": body["checks"]["database"]["ms"],
    }
    assert body["checks"]["cache"]["ok"] is True
    # The address stays in the log, not in the public answer.
    assert "10.0.0.5" not in response.content.decode()
    assert "10.0.0.5" in caplog.text


def test_healthz_names_a_failing_cache_but_stays_up(client, db, settings):
    """Pages still render from PostgreSQL without the shared cache: a cache outage must not
    take every app server out of the load balancer."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    caches["default"].close()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


# Logging ---------------------------------------------------------------------------------------


def test_one_log_line_per_request_with_timing(client, test_urls, caplog):
    with caplog.at_level(logging.INFO, logger="socialleaders.request"):
        response = client.get("/plain/?x=1")
    lines = [r.getMessage() for r in caplog.records if r.name == "socialleaders.request"]
    assert len(lines) == 1
    line = lines[0]
    assert 'method=GET path="/plain/?x=1" status=200 duration_ms=' in line
    assert f"request_id={response['X-Request-ID']}" in line
    assert "queries=" not in line  # only counted with DEBUG on


def test_query_count_is_logged_in_debug(client, db, test_urls, settings, caplog):
    settings.DEBUG = True
    with caplog.at_level(logging.INFO, logger="socialleaders.request"):
        client.get("/healthz")
        client.get("/plain/")
    lines = [r.getMessage() for r in caplog.records if r.name == "socialleaders.request"]
    assert "queries=1" in lines[0]  # SELECT 1
    assert "queries=0" in lines[1]


def test_a_load_balancers_request_id_is_kept_and_a_hostile_one_replaced(client, test_urls):
    assert client.get("/plain/", HTTP_X_REQUEST_ID="lb-1234")["X-Request-ID"] == "lb-1234"
    replaced = client.get("/plain/", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert replaced != "bad id\nwith newline"
    assert len(replaced) == 32


def test_errors_are_logged_with_traceback_and_request_context(test_urls, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        response = client.get("/boom/", HTTP_USER_AGENT="pytest-agent")
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.name == "django.request"]
    assert errors, caplog.text
    record = errors[0]
    assert record.exc_info and "the template fell over" in str(record.exc_info[1])
    # The logging filter adds the request's context to the record.
    from socialleaders.middleware import RequestContextFilter

    RequestContextFilter().filter(record)
    assert 'method=GET path="/boom/"' in record.request_context
    assert f"request_id={response['X-Request-ID']}" in record.request_context
    assert 'user_agent="pytest-agent"' in record.request_context
    access = [r.getMessage() for r in caplog.records if r.name == "socialleaders.request"]
    assert "status=500" in access[0]
