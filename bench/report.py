"""Turn bench/results/latest.json into docs/benchmarks.md; the hand-written analysis below the
marker is kept.

    .venv/bin/python -m bench.report            # rewrite the doc from the last run
"""

import json
import sys
from pathlib import Path

MARKER = "<!-- analysis: everything below this line is kept when the report is regenerated -->"


def _ratio(value, reference):
    return f"{value / reference:.2f}" if reference else "–"


def _ok(passed):
    return "met" if passed else "**missed**"


def write_report(result, doc_path, targets):
    floor, nginx = result["floor"], result["nginx"]
    cold, warm = result["cold"], result["warm"]
    q_small, q_full = result["queries"]["small"], result["queries"]["full"]
    counts = result["counts"]
    lines = [
        "# Benchmarks",
        "",
        f"Run on **{result['date']}** on {result['machine']}. Load average (1, 5, 15 min) "
        f"before the run {result['load_average']['before']}, after "
        f"{result['load_average']['after']} (other work on the machine skews the figures).",
        "",
        "Versions: "
        + ", ".join(f"{name} {value}" for name, value in result["versions"].items())
        + ".",
        "",
        f"Server: gunicorn (gunicorn.conf.py), {result['settings']['workers']} sync workers on "
        "127.0.0.1, production settings (DEBUG off, WhiteNoise, PostgreSQL with persistent "
        "connections), HTTPS redirect off for local HTTP. Load: "
        f"`wrk {result['settings']['wrk']}` per page after "
        f"{result['settings']['warmup_requests']} warm-up requests, "
        f"{result['settings'].get('rounds', 1)} round(s) taking the pages in turn, the median "
        "of each figure kept (every run is in the JSON), wrk on the same machine "
        "(it takes CPU from the server: absolute figures are pessimistic, ratios are what to "
        "compare). Cold = page cache off, every request rendered by its view; warm = Redis page "
        "cache on.",
        "",
        f"Data: full set {counts['full']['interviews']:,} interviews, "
        f"{counts['full']['posts']:,} posts (and 500,000 comments, 2,000 leaders, 5,000 quotes: "
        "`generate_bench_data`); small set "
        f"{counts['small']['interviews']:,} interviews (`--scale 0.03`).",
        "",
        "## References",
        "",
        "| reference | req/s | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: |",
        f"| framework floor: `/bench/floor/`, minimal Django view, same stack, no cache "
        f"| {floor['rps']:,.0f} | {floor['p50_ms']} | {floor['p99_ms']} |",
        f"| machine limit: the same page as a static file from nginx "
        f"| {nginx['rps']:,.0f} | {nginx['p50_ms']} | {nginx['p99_ms']} |",
        "",
        "## Pages",
        "",
        "Ratios are the page's requests per second divided by the floor's (and nginx's). "
        "Queries: SQL queries to render the page (page cache off) at the small and the full "
        "scale; a warm hit runs none.",
        "",
        "| page | cold req/s | cold p50 | cold p99 | cold ÷ floor | cold ÷ nginx "
        "| warm req/s | warm p50 | warm p99 | warm ÷ floor | warm ÷ nginx "
        "| queries (300 / 10,000) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    misses = []
    for name in cold:
        c, w = cold[name], warm.get(name, {})
        if "missing" in c:
            lines.append(f"| {name} | missing: {c['missing']} |" + " |" * 11)
            misses.append(f"{name}: page missing ({c['missing']})")
            continue
        queries = f"{q_small.get(name, '–')} / {q_full.get(name, '–')}"
        lines.append(
            f"| {name} (`{c['path']}`) | {c['rps']:,.0f} | {c['p50_ms']} | {c['p99_ms']} "
            f"| {_ratio(c['rps'], floor['rps'])} | {_ratio(c['rps'], nginx['rps'])} "
            f"| {w.get('rps', 0):,.0f} | {w.get('p50_ms', '–')} | {w.get('p99_ms', '–')} "
            f"| {_ratio(w.get('rps', 0), floor['rps'])} | {_ratio(w.get('rps', 0), nginx['rps'])} "
            f"| {queries} |"
        )
        if c["rps"] < targets["cold_vs_floor"] * floor["rps"]:
            misses.append(
                f"{name}: cold at {c['rps'] / floor['rps']:.0%} of the floor "
                f"(target {targets['cold_vs_floor']:.0%})"
            )
        limit = targets["search_p99_ms"] if name == "search" else targets["cold_p99_ms"]
        if c["p99_ms"] > limit:
            misses.append(f"{name}: cold p99 {c['p99_ms']} ms (target under {limit} ms)")
        if w and w.get("rps", 0) < targets["warm_vs_floor"] * floor["rps"]:
            misses.append(
                f"{name}: warm at {w['rps'] / floor['rps']:.0%} of the floor "
                f"(target {targets['warm_vs_floor']:.0%})"
            )
        if w and w.get("x_cache") != "hit":
            misses.append(f"{name}: warm requests not served from the cache ({w.get('x_cache')})")
        if q_small.get(name) != q_full.get(name):
            misses.append(
                f"{name}: queries differ between scales ({q_small.get(name)} vs {q_full.get(name)})"
            )
        errors = c.get("non_2xx", 0) + w.get("non_2xx", 0)
        if errors:
            misses.append(f"{name}: {errors} non-2xx responses under load")

    rss = result["rss_mb"]
    all_rss = rss["cold"] + rss["warm"]
    if all_rss and max(all_rss) > targets["rss_mb"]:
        misses.append(f"worker RSS up to {max(all_rss)} MB (target under {targets['rss_mb']} MB)")
    lines += [
        "",
        "## Memory",
        "",
        f"Worker resident memory after the run: cold {rss['cold']} MB, warm {rss['warm']} MB "
        f"(target: under {targets['rss_mb']} MB each).",
        "",
        "## Targets",
        "",
        f"Every warm page ≥ {targets['warm_vs_floor']:.0%} of the floor's req/s, every cold page "
        f"≥ {targets['cold_vs_floor']:.0%}, cold p99 < {targets['cold_p99_ms']} ms (search < "
        f"{targets['search_p99_ms']} ms), queries the same at both scales, RSS < "
        f"{targets['rss_mb']} MB.",
        "",
    ]
    if misses:
        lines += ["Missed in this run:", ""] + [f"- {miss}" for miss in misses]
    else:
        lines.append("All targets met in this run.")
    lines += [
        "",
        "## Repeat it",
        "",
        "```sh",
        "apt-get install -y wrk nginx-light          # once",
        "createdb -h 127.0.0.1 -U postgres sl_bench_full",
        "createdb -h 127.0.0.1 -U postgres sl_bench_small",
        "export SECRET_KEY=bench-only",
        "for db in sl_bench_full sl_bench_small; do",
        "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db .venv/bin/python manage.py migrate",
        "done",
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/sl_bench_full "
        ".venv/bin/python manage.py generate_bench_data",
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/sl_bench_small "
        ".venv/bin/python manage.py generate_bench_data --scale 0.03",
        f".venv/bin/python {result['command']}",
        "```",
        "",
        "Raw figures: `bench/results/latest.json`.",
        "",
    ]
    analysis = ""
    if doc_path.exists():
        existing = doc_path.read_text()
        if MARKER in existing:
            analysis = existing.split(MARKER, 1)[1]
    doc_path.write_text("\n".join(lines) + "\n" + MARKER + (analysis or "\n"))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script
    from bench.config import DOC, RESULTS, TARGETS

    write_report(json.loads((RESULTS / "latest.json").read_text()), DOC, TARGETS)
