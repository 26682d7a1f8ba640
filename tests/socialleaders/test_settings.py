import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run_check(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env["ENV_FILE"] = ""  # a developer's own .env must not decide these tests
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_check({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_mode_starts_without_a_secret_key():
    result = _run_check({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def test_debug_is_off_unless_asked_for():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django.conf as c; from socialleaders import settings as s; print(s.DEBUG)",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "DEBUG"},
            "SECRET_KEY": "x",
            "ENV_FILE": "",
        },
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "False", result.stderr


def test_a_dotenv_file_is_read_and_the_process_environment_wins(tmp_path):
    env_file = tmp_path / "site.env"
    env_file.write_text("DEBUG=1\nSITE_NAME=From the file\nSITE_TAGLINE=Also from the file\n")
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "SITE_NAME"}}
    env.update(ENV_FILE=str(env_file), SITE_TAGLINE="From the process")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from socialleaders import settings as s; print(s.DEBUG, s.SITE_NAME, s.SITE_TAGLINE,"
            " sep='|')",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "True|From the file|From the process", result.stderr
