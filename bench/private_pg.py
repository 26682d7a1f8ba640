"""A PostgreSQL instance of the benchmark's own (initdb into a directory, its own port), so that
bench/spike.py can restart it in the middle of a phase without harming anyone else's database.

    .venv/bin/python bench/private_pg.py --prepare   # create it and load the full data set once

The data set is generated once and kept in the directory; later runs only start the instance.
"""

import argparse
import glob
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from bench.config import PY, ROOT  # noqa: E402

DEFAULT_DIR = Path("/var/tmp/sl-spike-pg")
DEFAULT_PORT = 5499
DB = "sl_spike"


def _bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"{name} not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return found[-1]


def _as_owner(cmd):
    """PostgreSQL refuses to run as root: run its server tools as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


class PrivatePostgres:
    def __init__(self, directory=DEFAULT_DIR, port=DEFAULT_PORT):
        self.directory = Path(directory)
        self.data = self.directory / "data"
        self.port = int(port)
        self.log = self.directory / "postgres.log"

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/{DB}"

    def _ctl(self, *argv, check=True):
        return subprocess.run(
            _as_owner([_bin("pg_ctl"), "-D", str(self.data), *argv]),
            check=check,
            capture_output=True,
            text=True,
        )

    def init(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            shutil.chown(self.directory, owner.pw_uid, owner.pw_gid)
        subprocess.run(
            _as_owner(
                [
                    _bin("initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# bench/private_pg.py\n"
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.directory}'\n"
                "shared_buffers = 128MB\nmax_connections = 50\n"
            )

    def running(self):
        return self._ctl("status", check=False).returncode == 0

    def start(self):
        if not self.data.exists():
            self.init()
        if not self.running():
            self._ctl("start", "-w", "-t", "60", "-l", str(self.log))

    def stop(self):
        if self.data.exists() and self.running():
            self._ctl("stop", "-m", "fast", "-w")

    def restart(self):
        """A fast shutdown (clients disconnected) and a start: what a reader sees of a restart."""
        self._ctl("restart", "-m", "fast", "-w", "-t", "60", "-l", str(self.log))

    def has_data(self):
        result = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                DB,
                "-Atc",
                "SELECT count(*) FROM interviews_interview",
            ],
            capture_output=True,
            text=True,
        )
        return result.returncode == 0 and int(result.stdout.strip() or 0) > 0

    def prepare(self, env):
        """Start the instance; create, migrate and fill the database the first time."""
        self.start()
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", DB],
            capture_output=True,
        )
        env = {**env, "DATABASE_URL": self.url}
        subprocess.run(
            [PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        if not self.has_data():
            started = time.monotonic()
            subprocess.run([PY, "manage.py", "generate_bench_data"], cwd=ROOT, env=env, check=True)
            print(f"[pg] data generated in {time.monotonic() - started:.0f} s", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=str(DEFAULT_DIR))
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--prepare", action="store_true", help="start, migrate, fill")
    parser.add_argument("--stop", action="store_true")
    args = parser.parse_args()
    pg = PrivatePostgres(args.dir, args.port)
    if args.stop:
        pg.stop()
        return
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only"), "ENV_FILE": ""}
    env.pop("REDIS_URL", None)
    pg.prepare(env)
    print(pg.url)


if __name__ == "__main__":
    main()
