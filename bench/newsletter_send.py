#!/usr/bin/env python3
"""The newsletter to 10,000 subscribers: queueing the send, SQL queries per batch, sending
through real `db_worker` processes, against what the SMTP server itself can take.

    .venv/bin/python bench/newsletter_send.py [--db sl_nlbench] [--subscribers 10000]

A PostgreSQL database of its own (dropped and made again), 10,000 confirmed subscribers, an
aiosmtpd server in its own process counting what it accepts (and any copy received twice).
Phases, all in this one run:
- queue: an interview goes live; `mail_piece` (run here, under CaptureQueriesContext) writes
  the 10,000 Delivery rows and queues the batches;
- batches: that mailing sent here, batch after batch, by the function each batch job runs
  (`send_batch`): SQL queries and time of every batch, by batch index;
- reference: a plain smtplib loop sending 10,000 pre-built messages to the same server, with one
  and with two client processes (the server's own limit on this machine);
- workers: another interview goes live with 1, then 2 (`--workers`) `manage.py db_worker`
  processes running (the production command): time from publishing to the last message,
  messages per second, peak RSS of each worker.
The rate limit is lifted (NEWSLETTER_RATE_PER_MINUTE) so that what is measured is the send
path itself. Results: bench/results/newsletter_send.json and a section of docs/benchmarks.md.
"""

import argparse
import json
import multiprocessing
import os
import platform
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from bench.config import DOC, PY, RESULTS, ROOT  # noqa: E402
from bench.report import MARKER  # noqa: E402
from bench.run import machine, version  # noqa: E402

BEGIN = "<!-- newsletter: begin (bench/newsletter_send.py rewrites this section) -->"
END = "<!-- newsletter: end -->"
QUEUE_TARGET_SECONDS = 5


def log(message):
    print(f"[newsletter] {message}", flush=True)


# The SMTP server, in its own process --------------------------------------------------------


def serve_smtp(port, status_path):
    """Accept every message; every 0.1 s write how many so far, when the last came, and how
    many were a copy (same subject, same recipient) of one already received."""
    from aiosmtpd.controller import Controller

    state = {"count": 0, "duplicates": 0, "last": None}
    seen = set()
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            content = envelope.content
            start = content.find(b"\nSubject:")
            subject = content[start : content.find(b"\n", start + 1)] if start >= 0 else b""
            with lock:
                for rcpt in envelope.rcpt_tos:
                    key = (subject, rcpt)
                    if key in seen:
                        state["duplicates"] += 1
                    seen.add(key)
                state["count"] += 1
                state["last"] = time.time()
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    tmp = Path(f"{status_path}.tmp")
    while not stopping.is_set():
        with lock:
            tmp.write_text(json.dumps(state))
        tmp.replace(status_path)
        stopping.wait(0.1)
    controller.stop()


class SmtpServer:
    def __init__(self, workdir):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.status = Path(workdir) / "smtp-status.json"
        self.process = subprocess.Popen(
            [PY, __file__, "--serve-smtp", str(self.port), str(self.status)], cwd=ROOT
        )
        deadline = time.monotonic() + 20
        while not self.status.exists():
            if time.monotonic() > deadline:
                sys.exit("the SMTP server did not start")
            time.sleep(0.05)

    def read(self):
        return json.loads(self.status.read_text())

    def count(self):
        return self.read()["count"]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)


# Setting up -----------------------------------------------------------------------------------


def environment(args, smtp_port):
    return {
        **os.environ,
        "ENV_FILE": "",
        "DEBUG": "",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "newsletter-bench-only",
        "DATABASE_URL": f"postgres://postgres@{args.pg_host}:{args.pg_port}/{args.db}",
        "TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "SITE_URL": "https://socialleaders.example",
        "NEWSLETTER_RATE_PER_MINUTE": str(10**9),
        # Every worker of the largest run may send the mailing at once.
        "NEWSLETTER_PARALLEL_SENDS": str(max(args.workers)),
        "REDIS_URL": "",  # the send path uses no cache
        "LOG_LEVEL": "WARNING",
    }


def prepare_database(args, env):
    pg = ["-h", args.pg_host, "-p", str(args.pg_port), "-U", "postgres"]
    subprocess.run(["dropdb", *pg, "--if-exists", args.db], check=True)
    subprocess.run(["createdb", *pg, args.db], check=True)
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def setup_django(env):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialleaders.settings")
    import django

    django.setup()


def seed(subscribers, worker_runs):
    """The subscribers, and three interviews still in draft (one per mailing measured), each
    with a pull quote and an answer, as an interview's email shows them."""
    from django.utils import timezone

    from interviews.models import Answer, Interview, Leader, Question, Quote
    from newsletter.models import Subscriber
    from newsletter.tasks import mail_piece

    now = timezone.now()
    Subscriber.objects.bulk_create(
        (
            Subscriber(
                email=f"reader{n}@example.org",
                status=Subscriber.Status.CONFIRMED,
                confirmed_at=now,
                consent_at=now,
            )
            for n in range(subscribers)
        ),
        batch_size=2000,
    )
    question = Question.objects.create(
        text="How do you use social media?", label="Use", slug="how", order=1
    )
    interviews = []
    for n, name in enumerate(["queue", *(f"{count}-workers" for count in worker_runs)]):
        leader = Leader.objects.create(
            name=f"Leader {n}", slug=f"leader-{n}", role="Chief Executive", organisation="Org"
        )
        interview = Interview.objects.create(
            title=f"Interview for the {name} run",
            slug=f"bench-{name}",
            leader=leader,
            standfirst="A leader on listening before talking.",
            introduction="An introduction.",
            status="draft",
            publish_at=now,
        )
        Answer.objects.create(
            interview=interview, question=question, body="I listen first, then talk.\n\n" * 6
        )
        Quote.objects.create(interview=interview, leader=leader, text="Listen first.")
        # What the worker would do with the job the save queued: the draft's mailing, pending.
        mail_piece.call("interview", interview.pk, True)
        interviews.append(interview)
    return interviews


def publish(interview):
    from django.utils import timezone

    interview.status, interview.publish_at = "published", timezone.now()
    interview.save()


# Phases ---------------------------------------------------------------------------------------


def queue_phase(interview, subscribers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsletter.models import Delivery, Mailing
    from newsletter.tasks import mail_piece

    publish(interview)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        mail_piece.call("interview", interview.pk)
        seconds = time.perf_counter() - started
    mailing = Mailing.objects.get(interview=interview)
    rows = Delivery.objects.filter(mailing=mailing).count()
    assert rows == subscribers, (rows, subscribers)
    log(f"queue: {rows} deliveries in {seconds:.2f} s, {len(queries)} queries")
    return {
        "seconds": round(seconds, 3),
        "queries": len(queries),
        "deliveries": rows,
        "mailing": mailing.pk,
    }


def batches_phase(mailing_id, smtp):
    """The mailing sent batch by batch in this process, by send_batch (what each job runs)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsletter import tasks
    from newsletter.models import Delivery
    from newsletter.tasks import send_batch

    # Each `sending` mark is written by send_batch's helper thread, on that thread's own
    # connection: counted here too, beside what this thread's connection runs.
    helper_queries = []
    original = tasks.start_sending

    def counted_start_sending(*args, **kwargs):
        # (Called again by itself with a cursor: counted once, by the outer call.)
        if threading.current_thread() is threading.main_thread() or len(args) > 2:
            return original(*args, **kwargs)
        with CaptureQueriesContext(connection) as captured:
            result = original(*args, **kwargs)
        helper_queries.extend(captured.captured_queries)
        return result

    tasks.start_sending = counted_start_sending
    before = smtp.count()
    batches = []
    started = time.perf_counter()
    while True:
        sent_before = Delivery.objects.filter(mailing_id=mailing_id, state="sent").count()
        # The log is a bounded deque: once full, its length (what the context counts) stays.
        connection.queries_log.clear()
        helper_queries.clear()
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            wait = send_batch(mailing_id)
            seconds = time.perf_counter() - t
        if wait is None:
            break
        sent = Delivery.objects.filter(mailing_id=mailing_id, state="sent").count() - sent_before
        # Django logs BEGIN and COMMIT too: statements and commits are counted apart (a
        # write outside a transaction is a commit of its own).
        statements = commits = 0
        in_transaction = False
        for query in [*queries.captured_queries, *helper_queries]:
            word = query["sql"].split(None, 1)[0].upper()
            if word in ("BEGIN", "COMMIT", "ROLLBACK"):
                in_transaction = word == "BEGIN"
                commits += word == "COMMIT"
                continue
            statements += 1
            commits += not in_transaction and word in ("UPDATE", "INSERT", "DELETE")
        batches.append(
            {"queries": statements, "commits": commits, "seconds": round(seconds, 4), "sent": sent}
        )
    total = time.perf_counter() - started
    tasks.start_sending = original
    deadline = time.monotonic() + 30
    while smtp.count() - before < sum(b["sent"] for b in batches) and time.monotonic() < deadline:
        time.sleep(0.05)
    received = smtp.count() - before
    full = [b for b in batches if b["sent"]]
    counts = sorted({b["queries"] for b in full})
    commits = sorted({b["commits"] for b in full})
    tenth = max(len(full) // 10, 1)
    first = sum(b["seconds"] for b in full[:tenth]) / tenth
    last = sum(b["seconds"] for b in full[-tenth:]) / tenth
    log(
        f"batches: {len(full)} batches, queries per batch {counts}, commits {commits}, "
        f"first tenth {first * 1000:.0f} ms, last tenth {last * 1000:.0f} ms, "
        f"{received} received in {total:.1f} s"
    )
    return {
        "batches": len(full),
        "queries_per_batch": counts,
        "commits_per_batch": commits,
        "queries_by_index": {i: full[i]["queries"] for i in (0, len(full) // 2, len(full) - 1)},
        "ms_per_batch_first_tenth": round(first * 1000, 1),
        "ms_per_batch_last_tenth": round(last * 1000, 1),
        "seconds": round(total, 2),
        "received": received,
        "per_second": round(received / total, 1),
        "every_batch": batches,
    }


def reference_messages(interview, count):
    """The interview's email as it goes to each subscriber, built beforehand (under its own
    subject, so the server's copy count stays per run)."""
    from newsletter.emails import PieceEmail
    from newsletter.models import Subscriber

    email = PieceEmail(interview, "interview")
    email.subject = "Reference run"
    messages = []
    for subscriber in Subscriber.objects.order_by("pk")[:count]:
        message = email.message_for(subscriber).message()
        messages.append((subscriber.email, message.as_bytes(linesep="\r\n")))
    return messages


def _smtplib_loop(port, messages, tag):
    with smtplib.SMTP("127.0.0.1", port) as client:
        for rcpt, body in messages:
            client.sendmail("editors@localhost", [rcpt], body.replace(b"Reference run", tag))


def reference_phase(smtp, messages, clients):
    before = smtp.count()
    tag = f"Reference run, {clients} client(s)".encode()
    shares = [messages[i::clients] for i in range(clients)]
    started = time.perf_counter()
    if clients == 1:
        _smtplib_loop(smtp.port, messages, tag)
    else:
        procs = [
            multiprocessing.Process(target=_smtplib_loop, args=(smtp.port, share, tag))
            for share in shares
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
    seconds = time.perf_counter() - started
    time.sleep(0.3)
    received = smtp.count() - before
    log(f"reference, {clients} client(s): {received} in {seconds:.2f} s")
    return {
        "clients": clients,
        "seconds": round(seconds, 2),
        "received": received,
        "per_second": round(received / seconds, 1),
    }


def peak_rss_mb(pid):
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return round(int(fields["VmHWM"].split()[0]) / 1024, 1), round(
        int(fields["VmRSS"].split()[0]) / 1024, 1
    )


def queue_empty():
    from django_tasks_db.models import DBTaskResult

    return not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()


def workers_phase(interview, smtp, env, count, subscribers, logdir):
    from django.db import close_old_connections
    from django.db.models import Count

    from newsletter.models import Delivery, Mailing

    workers = []
    for n in range(count):
        out = open(Path(logdir) / f"worker-{count}-{n}.log", "w")  # noqa: SIM115
        workers.append(
            subprocess.Popen(
                [PY, "manage.py", "db_worker", "--interval", "1"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        # Started, and done with what was left in the queue (the drafts' saves).
        deadline = time.monotonic() + 60
        time.sleep(3)
        while not queue_empty() and time.monotonic() < deadline:
            time.sleep(0.2)
        rss_idle = [peak_rss_mb(w.pid)[1] for w in workers]
        before = smtp.count()
        started = time.monotonic()
        publish(interview)
        mailing = Mailing.objects.get(interview=interview)
        queued_after = first_after = None
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            now = time.monotonic() - started
            received = smtp.count() - before
            if first_after is None and received > 0:
                first_after = now
            if queued_after is None:
                mailing.refresh_from_db()
                if mailing.state != Mailing.State.PENDING:
                    queued_after = now
            if received >= subscribers:
                break
            time.sleep(0.05)
            close_old_connections()
        last_after = time.monotonic() - started
        received = smtp.count() - before
        wait_done = time.monotonic() + 30
        while time.monotonic() < wait_done:
            mailing.refresh_from_db()
            if mailing.state == Mailing.State.DONE:
                break
            time.sleep(0.2)
        peaks = [peak_rss_mb(w.pid)[0] for w in workers]
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait()
    states = dict(
        Delivery.objects.filter(mailing=mailing)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
    )
    sending = last_after - (first_after or 0)
    result = {
        "workers": count,
        "received": received,
        "mailing_state": mailing.state,
        "deliveries": states,
        "seconds_to_queued": round(queued_after or -1, 2),
        "seconds_to_first_message": round(first_after or -1, 2),
        "seconds_to_last_message": round(last_after, 2),
        "per_second": round(received / sending, 1) if sending > 0 else None,
        "worker_rss_idle_mb": rss_idle,
        "worker_peak_rss_mb": peaks,
    }
    log(f"{count} worker(s): {result}")
    return result


# The report -----------------------------------------------------------------------------------


def versions():
    from importlib.metadata import version as dist

    return {
        "python": platform.python_version(),
        **{name: dist(name) for name in ("django", "django-tasks", "django-tasks-db")},
        **{name: dist(name) for name in ("psycopg", "aiosmtpd", "css-inline")},
        "postgresql": version(["psql", "--version"]),
    }


def met(ok):
    return "met" if ok else "**missed**"


def write_doc(result):
    r = result
    queue, batches = r["queue"], r["batches"]
    refs = {ref["clients"]: ref for ref in r["reference"]}
    limit = max(ref["per_second"] for ref in r["reference"])
    counts = batches["queries_per_batch"]
    lines = [
        BEGIN,
        "## Newsletter send (`bench/newsletter_send.py`)",
        "",
        f"Run on **{r['when']}** on {r['machine']}; load average (1, 5, 15 min) before "
        f"{r['load_average']['before']}, after {r['load_average']['after']} (the machine is "
        "shared with other agents' work: absolute times are pessimistic, compare the ratios). "
        f"`{r['command']}`; raw figures in `bench/results/newsletter_send.json`. Versions: "
        + ", ".join(f"{k} {v}" for k, v in r["versions"].items())
        + ".",
        "",
        f"{r['subscribers']:,} confirmed subscribers in a PostgreSQL database of the run's own, "
        "one interview email (HTML with inlined CSS and a text part, ~"
        f"{r['message_kb']} KB), an aiosmtpd server in its own process counting what it "
        f"accepts. Batches of {r['batch_size']}; the rate limit lifted to measure the send path.",
        "",
        "| figure | this run | target |",
        "| --- | ---: | --- |",
        f"| queue the whole send (`mail_piece`: {queue['deliveries']:,} Delivery rows, batches "
        f"queued) | {queue['seconds']} s, {queue['queries']} queries | under "
        f"{QUEUE_TARGET_SECONDS} s: {met(queue['seconds'] < QUEUE_TARGET_SECONDS)} |",
        f"| SQL statements per batch of {r['batch_size']} ({batches['batches']} batches; first, "
        f"middle, last: {', '.join(str(v) for v in batches['queries_by_index'].values())}) | "
        f"{' to '.join(str(q) for q in sorted({counts[0], counts[-1]}))} "
        f"| constant: {met(len(counts) == 1)} |",
        f"| commits per batch | {' to '.join(str(c) for c in batches['commits_per_batch'])} | |",
        f"| time per batch, first tenth → last tenth of the send | "
        f"{batches['ms_per_batch_first_tenth']} → {batches['ms_per_batch_last_tenth']} ms | "
        "(flat if nothing grows with the batch index) |",
        f"| one process sending every batch, no queue (`send_batch` in a loop) | "
        f"{batches['per_second']} messages/s | |",
    ]
    for ref in r["reference"]:
        lines.append(
            f"| reference: plain smtplib loop, {ref['clients']} client process(es), pre-built "
            f"messages | {ref['per_second']} messages/s | |"
        )
    for w in r["workers"]:
        ratio = w["per_second"] / limit if w["per_second"] else 0
        same = refs.get(w["workers"], refs[1])
        lines.append(
            f"| {w['workers']} `db_worker` process(es): published → queued / first / last "
            f"message ({w['received']:,} received, mailing {w['mailing_state']}) | "
            f"{w['seconds_to_queued']} / {w['seconds_to_first_message']} / "
            f"{w['seconds_to_last_message']} s, {w['per_second']} messages/s = "
            f"{ratio:.0%} of the server's limit, {w['per_second'] / same['per_second']:.0%} of "
            f"{same['clients']} smtplib client(s) | |"
        )
    peaks = [p for w in r["workers"] for p in w["worker_peak_rss_mb"]]
    lines += [
        f"| peak RSS of a worker (VmHWM) | {min(peaks)}–{max(peaks)} MB | under 150 MB: "
        f"{met(max(peaks) < 150)} |",
        f"| copies received twice (same subject, same address) | {r['duplicates']} | 0 |",
        "",
        END,
    ]
    section = "\n".join(lines)
    text = DOC.read_text()
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        text = before + section + rest.split(END, 1)[1]
    elif MARKER in text:
        before, rest = text.split(MARKER, 1)
        text = before + MARKER + "\n\n" + section + "\n" + rest
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sl_nlbench")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--serve-smtp", nargs=2, metavar=("PORT", "STATUS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_smtp:
        serve_smtp(int(args.serve_smtp[0]), args.serve_smtp[1])
        return
    load_before = [round(x, 2) for x in os.getloadavg()]
    workdir = tempfile.mkdtemp(prefix="sl-newsletter-")
    smtp = SmtpServer(workdir)
    try:
        env = environment(args, smtp.port)
        log(f"database {args.db}, SMTP on port {smtp.port}, logs in {workdir}")
        prepare_database(args, env)
        setup_django(env)
        from django.conf import settings

        interviews = seed(args.subscribers, args.workers)
        log(f"{args.subscribers} subscribers")
        queue = queue_phase(interviews[0], args.subscribers)
        batches = batches_phase(queue["mailing"], smtp)
        messages = reference_messages(interviews[0], args.subscribers)
        references = [reference_phase(smtp, messages, clients) for clients in (1, 2)]
        workers = [
            workers_phase(interviews[1 + i], smtp, env, count, args.subscribers, workdir)
            for i, count in enumerate(args.workers)
        ]
        duplicates = smtp.read()["duplicates"]
        result = {
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": machine(),
            "command": " ".join([".venv/bin/python bench/newsletter_send.py", *sys.argv[1:]]),
            "load_average": {
                "before": load_before,
                "after": [round(x, 2) for x in os.getloadavg()],
            },
            "versions": versions(),
            "subscribers": args.subscribers,
            "batch_size": settings.NEWSLETTER_BATCH_SIZE,
            "message_kb": round(sum(len(m) for _, m in messages) / len(messages) / 1024, 1),
            "queue": queue,
            "batches": batches,
            "reference": references,
            "workers": workers,
            "duplicates": duplicates,
        }
    finally:
        smtp.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "newsletter_send.json").write_text(json.dumps(result, indent=2) + "\n")
    write_doc(result)
    log("wrote bench/results/newsletter_send.json and docs/benchmarks.md")


if __name__ == "__main__":
    main()
