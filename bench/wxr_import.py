#!/usr/bin/env python3
"""Peak memory of import_wordpress on generated exports of several sizes: if the import streams,
peak RSS hardly grows with the file.

    .venv/bin/python bench/wxr_import.py [--sizes 2 20 100] [--db sqlite|postgres://...]

Each size is imported by a fresh `manage.py import_wordpress` into an empty database; the
figures go to bench/results/wxr_import.json and a line in docs/benchmarks.md."""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARAGRAPH = (
    "<p>Leaders who use social media well listen first, then talk. Ünïcode “quotes” "
    'and a <a href="https://oldblog.example.com/?p={other}">link to another post</a>.</p>\n'
)


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def generate(path, megabytes):
    """A WXR 1.2 file of about ``megabytes`` MB: posts of ~5 KB with two comments each."""
    target = megabytes * 1024 * 1024
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<title>Bench</title>'
            "<link>https://oldblog.example.com</link><wp:wxr_version>1.2</wp:wxr_version>"
            "<wp:base_site_url>https://oldblog.example.com</wp:base_site_url>"
            "<wp:base_blog_url>https://oldblog.example.com</wp:base_blog_url>\n"
            "<wp:author><wp:author_id>1</wp:author_id><wp:author_login>jane</wp:author_login>"
            "<wp:author_display_name>Jane</wp:author_display_name></wp:author>\n"
        )
        n = 0
        while out.tell() < target:
            n += 1
            body = "".join(PARAGRAPH.format(other=max(n - 1, 1)) for _ in range(24))
            day = f"2014-{1 + n % 12:02d}-{1 + n % 28:02d} 09:30:00"
            comments = "".join(
                f"<wp:comment><wp:comment_id>{n * 10 + c}</wp:comment_id>"
                f"<wp:comment_author>{cdata('Reader ' + str(c))}</wp:comment_author>"
                f"<wp:comment_date_gmt>{day}</wp:comment_date_gmt>"
                f"<wp:comment_content>{cdata('A comment. ' * 20)}</wp:comment_content>"
                f"<wp:comment_approved>1</wp:comment_approved>"
                f"<wp:comment_parent>{n * 10 if c == 2 else 0}</wp:comment_parent></wp:comment>"
                for c in (1, 2)
            )
            out.write(
                f"<item><title>Post {n}</title><link>https://oldblog.example.com/?p={n}</link>"
                f"<dc:creator>jane</dc:creator><content:encoded>{cdata(body)}</content:encoded>"
                f"<wp:post_id>{n}</wp:post_id><wp:post_date>{day}</wp:post_date>"
                f"<wp:post_date_gmt>{day}</wp:post_date_gmt><wp:post_name>post-{n}</wp:post_name>"
                f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
                f'<category domain="category" nicename="c{n % 20}">Topic {n % 20}</category>'
                f"{comments}</item>\n"
            )
        out.write("</channel>\n</rss>\n")
    return n


def import_once(path, db):
    env = {**os.environ, "ENV_FILE": "", "SECRET_KEY": "bench", "DATABASE_URL": db, "CI": "1"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, capture_output=True)
    start = time.monotonic()
    child = subprocess.Popen(
        [*manage, "import_wordpress", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # The import's own peak (os.wait4), not the largest of every child so far: `migrate` alone
    # peaks above a small import.
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"import_wordpress failed: {child.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024  # kB → MB (Linux reports kB)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 20, 100], help="MB per export")
    parser.add_argument("--db", default="sqlite", help="sqlite (a temp file) or a DATABASE_URL")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"export-{size}.xml"
            posts = generate(path, size)
            db = f"sqlite:///{tmp}/bench-{size}.sqlite3" if args.db == "sqlite" else args.db
            load_before = os.getloadavg()[0]
            seconds, peak = import_once(path, db)
            rows.append(
                {
                    "megabytes": round(path.stat().st_size / 1024 / 1024, 1),
                    "posts": posts,
                    "comments": posts * 2,
                    "seconds": round(seconds, 1),
                    "peak_rss_mb": round(peak, 1),
                    # The machine is shared: the 1-minute load average before and after.
                    "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                }
            )
            print(rows[-1], flush=True)
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} cores, {platform.platform()}",
        "database": "SQLite" if args.db == "sqlite" else "PostgreSQL",
        "runs": rows,
    }
    out = ROOT / "bench" / "results" / "wxr_import.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
