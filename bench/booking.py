"""Booking benchmark (issue 15): the service as in production (gunicorn) under booking load.

On a fresh SQLite (WAL) and a throwaway PostgreSQL (--db), with --workers gunicorn workers, in
one run each:

1. the health endpoint, saturated by --clients threads: the ceiling of a request here;
2. bookings per second against ONE popular slot (5 seats: every later booking joins the
   waitlist, each a write that takes the slot's row) and against MANY slots (one per student),
   each as a ratio to the health endpoint;
3. the 200-student release (T08's shape): every booker waits on a barrier, then all book one
   5-seat slot at once: median, p99 and max latency, and the answers counted;
4. e-mails per second through the outbox: --mails messages queued in one transaction, sent by
   one in-process `Worker` with 4 threads to a local aiosmtpd server, from the first claim to
   the last message received.

    .venv/bin/python bench/booking.py [--students 400] [--workers 3] [--clients 16] [--db sqlite,postgresql]

`--in-process N` measures one request at a time in process instead (the Flask test client, no
gunicorn, no threads): milliseconds and SQL statements per booking (N students, one slot each,
and N at one 5-seat slot: five seats then the waitlist) as a ratio to the health endpoint. To
compare two trees in one run, `--in-process N --against DIR` runs the same measurement on the
service code of DIR (e.g. `git archive <commit> | tar -x -C DIR`) in a child process and prints
both with their ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from exam import REPO, gunicorn, request

from auth import enrolment
from auth import service as accounts
from auth.models import Role
from quiz_service import create_app
from quiz_service.consultations import service
from quiz_service.core import db, migrations
from quiz_service.core.mail import Message, queue_mail

sys.path[:0] = [str(REPO / "tests" / "service"), str(REPO / "tests")]
RELEASE = 200


def write_bundle(service_dir: Path) -> None:
    service_dir.mkdir(parents=True)
    manifest = {"version": 1, "courses": [{"id": "fire-safety", "access": "enrolled", "title": {"kk": "Өрт"},
                                           "teachers": ["ustaz@oqu.example.kz"]}]}  # fmt: skip
    import json

    (service_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def prepare(config: dict[str, Any], students: int) -> tuple[list[str], list[int], int, int]:
    """(student tokens, one slot per student, the popular slot, the release's slot)."""
    app = create_app(config)
    with app.app_context():
        migrations.upgrade(db.engine())
        with db.write_transaction() as writer:
            teacher = accounts.create_user(writer, "ustaz@oqu.example.kz", Role.TEACHER, full_name="Ұстаз")
            tokens = []
            for n in range(students):
                user = accounts.create_user(writer, f"s{n}@oqu.example.kz", Role.STUDENT, group="ӨҚ-1")
                tokens.append(accounts.issue_token(writer, user, ())[1])
            enrolment.enrol(writer, "fire-safety", group="ӨҚ-1")
            now = db.utcnow()

            def slot(minutes_ahead: int, seats: int) -> int:
                spec = service.SlotSpec(course="fire-safety", starts_at=now + timedelta(days=2, minutes=minutes_ahead),
                                        minutes=5, seats=seats, link="https://meet.example.kz/b",
                                        opens_at=now - timedelta(minutes=1))  # fmt: skip
                return service.create_slots(writer, spec, teacher, now)[0].id

            many = [slot(10 * n, 1) for n in range(students)]
            popular = slot(-60, 5)
            release = slot(-120, 5)
    app.extensions["oqu_db"].engine.dispose()
    return tokens, many, popular, release


def rate(clients: int, jobs: list[Callable[[], int]]) -> tuple[float, Counter[int], list[float]]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def run(job: Callable[[], int]) -> None:
        began = time.perf_counter()
        status = job()
        with lock:
            latencies.append(time.perf_counter() - began)
            statuses[status] += 1

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(run, jobs))
    return len(jobs) / (time.perf_counter() - began), statuses, latencies


def book(port: int, token: str, slot: int) -> Callable[[], int]:
    return lambda: request(port, "POST", f"/api/v1/consultations/slots/{slot}/bookings", token, {})[0]


def release(port: int, tokens: list[str], slot: int) -> tuple[list[float], Counter[tuple[int, str]]]:
    barrier = threading.Barrier(len(tokens))
    latencies: list[float] = []
    answers: Counter[tuple[int, str]] = Counter()
    lock = threading.Lock()

    def one(token: str) -> None:
        barrier.wait()
        began = time.perf_counter()
        status, body = request(port, "POST", f"/api/v1/consultations/slots/{slot}/bookings", token, {})
        with lock:
            latencies.append(time.perf_counter() - began)
            answers[(status, body.get("state") or body.get("error", {}).get("code", "?"))] += 1

    threads = [threading.Thread(target=one, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, answers


def mail_rate(config: dict[str, Any], count: int) -> float:
    from smtp_server import smtp_server

    from quiz_service.core.jobs.worker import Worker

    with smtp_server() as (inbox, port):
        app = create_app(config | {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "JOBS_POLL": 0.01})
        with app.app_context(), db.write_transaction() as writer:
            for n in range(count):
                queue_mail(writer, Message(f"bench:{n}", f"s{n}@oqu.example.kz", "Еске салу", "Мәтін", "kk"))
        worker = Worker(app)
        thread = threading.Thread(target=worker.run, args=(4,))
        began = time.perf_counter()
        thread.start()
        inbox.wait_for(count, timeout=600)
        seconds = time.perf_counter() - began
        worker.stop.set()
        thread.join()
        app.extensions["oqu_db"].engine.dispose()
    return count / seconds


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_on(kind: str, args: argparse.Namespace, root: Path) -> None:
    server = None
    if kind == "sqlite":
        url = f"sqlite:///{root / 'oqu.sqlite3'}"
    else:
        from postgres_server import PostgresServer, find_bindir

        bindir = find_bindir()
        if bindir is None:
            print("postgresql: binaries not found, skipped")
            return
        server = PostgresServer(bindir)
        server.start()
        url = server.url(server.create_database())
    config: dict[str, Any] = {"DATABASE_URL": url, "SECRET_KEY": "bench", "SITE_DIR": root / "site",
              "SERVICE_DIR": root / f"service-{kind}", "VAR_DIR": root / "var", "REDIS_URL": None}  # fmt: skip
    (root / "site").mkdir(parents=True, exist_ok=True)
    write_bundle(config["SERVICE_DIR"])
    try:
        tokens, many, popular, release_slot = prepare(config, args.students)
        with gunicorn(config, args.workers) as port:
            health, _, _ = rate(
                args.clients, [lambda: request(port, "GET", "/api/v1/health")[0]] * args.students
            )
            one, one_statuses, _ = rate(args.clients, [book(port, t, popular) for t in tokens])
            spread, spread_statuses, _ = rate(
                args.clients, [book(port, t, s) for t, s in zip(tokens, many, strict=True)]
            )
            latencies, answers = release(port, tokens[:RELEASE], release_slot)
        emails = mail_rate(config, args.mails)
        print(
            f"\n{kind} — gunicorn {args.workers} workers, {args.clients} client threads, {args.students} students"
        )
        print(f"health                  {health:8.0f} req/s")
        print(
            f"bookings, one slot      {one:8.0f} /s   ratio to health {one / health:.2f}   {dict(one_statuses)}"
        )
        print(
            f"bookings, many slots    {spread:8.0f} /s   ratio to health {spread / health:.2f}   {dict(spread_statuses)}"
        )
        median, p99, worst = (
            1000 * v for v in (statistics.median(latencies), percentile(latencies, 0.99), max(latencies))
        )
        print(
            f"release of {RELEASE} at 5 seats: median {median:.0f} ms, p99 {p99:.0f} ms, max {worst:.0f} ms  {dict(answers)}"
        )
        print(f"e-mails through the outbox {emails:6.0f} /s ({args.mails} messages, 1 worker, 4 threads)")
        print(f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}")
    finally:
        if server is not None:
            server.stop()


def in_process(kind: str, root: Path, students: int) -> dict[str, float]:
    """One request at a time through the Flask test client: ms and statements per booking."""
    from sqlalchemy import event

    server = None
    if kind == "sqlite":
        url = f"sqlite:///{root / 'oqu.sqlite3'}"
    else:
        from postgres_server import PostgresServer, find_bindir

        bindir = find_bindir()
        if bindir is None:
            raise SystemExit("postgresql: binaries not found")
        server = PostgresServer(bindir)
        server.start()
        url = server.url(server.create_database())
    config: dict[str, Any] = {"DATABASE_URL": url, "SECRET_KEY": "bench", "SITE_DIR": root / "site",
              "SERVICE_DIR": root / f"service-{kind}", "VAR_DIR": root / "var", "REDIS_URL": None}  # fmt: skip
    (root / "site").mkdir(parents=True, exist_ok=True)
    write_bundle(config["SERVICE_DIR"])
    try:
        tokens, many, popular, _ = prepare(config, students + 1)
        app = create_app(config)
        client = app.test_client()
        statements = [0]
        with app.app_context():
            event.listen(
                db.engine(), "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1)
            )

        def timed(calls: list[Callable[[], Any]]) -> tuple[float, float]:
            statements[0] = 0
            began = time.perf_counter()
            for call in calls:
                call()
            return 1000 * (time.perf_counter() - began) / len(calls), statements[0] / len(calls)

        def booking(token: str, slot: int) -> Callable[[], Any]:
            headers = {"Authorization": f"Bearer {token}"}

            def call() -> None:
                answer = client.post(f"/api/v1/consultations/slots/{slot}/bookings", json={}, headers=headers)
                assert answer.status_code in (201, 202), answer.json

            return call

        booking(tokens[-1], many[-1])()  # warm: the first request of a process loads what it caches
        health, _ = timed([lambda: client.get("/api/v1/health")] * students)
        spread, spread_sql = timed([booking(t, s) for t, s in zip(tokens[:-1], many[:-1], strict=True)])
        one, one_sql = timed([booking(t, popular) for t in tokens[:-1]])
        app.extensions["oqu_db"].engine.dispose()
    finally:
        if server is not None:
            server.stop()
    return {"health": health, "spread": spread, "spread_sql": spread_sql, "one": one, "one_sql": one_sql}


def print_in_process(kind: str, label: str, figures: dict[str, float]) -> None:
    health = figures["health"]
    print(f"{kind} {label:>9}: health {health:6.2f} ms | booking, many slots {figures['spread']:6.2f} ms "
          f"({figures['spread'] / health:5.1f}x health, {figures['spread_sql']:4.1f} statements) | "
          f"one 5-seat slot {figures['one']:6.2f} ms ({figures['one'] / health:5.1f}x, "
          f"{figures['one_sql']:4.1f} statements)")  # fmt: skip


def run_in_process(args: argparse.Namespace) -> None:
    import json
    import os
    import subprocess

    if args.print_json:
        with tempfile.TemporaryDirectory(prefix="oqu-bench-booking-") as folder:
            print(json.dumps(in_process(args.db, Path(folder), args.in_process)))
        return
    for kind in args.db.split(","):
        trees = [("this tree", str(REPO))] + ([("against", args.against)] if args.against else [])
        results: dict[str, dict[str, float]] = {}
        for _ in range(args.rounds):  # interleaved, so that the machine's load falls on both alike
            for label, tree in trees:
                env = {**os.environ, "PYTHONPATH": os.pathsep.join([tree, str(REPO / "bench")])}
                command = [sys.executable, str(Path(__file__)), "--in-process", str(args.in_process), "--db", kind,
                           "--print-json"]  # fmt: skip
                out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
                figures = json.loads(out.strip().splitlines()[-1])
                best = results.get(label)
                results[label] = figures if best is None else {k: min(v, figures[k]) for k, v in best.items()}
        for label, _ in trees:
            print_in_process(kind, label, results[label])
        if args.against:
            mine, theirs = results["this tree"], results["against"]
            print(f"{kind} ratio this/against: booking many slots {mine['spread'] / theirs['spread']:.2f}, "
                  f"one slot {mine['one'] / theirs['one']:.2f}, ratio-to-health "
                  f"{(mine['spread'] / mine['health']) / (theirs['spread'] / theirs['health']):.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--in-process", type=int, default=0, metavar="N")
    parser.add_argument("--against", default=None, metavar="DIR")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--print-json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--students", type=int, default=400)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--mails", type=int, default=300)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    if args.in_process:
        run_in_process(args)
        return
    args.students = max(args.students, RELEASE)
    for kind in args.db.split(","):
        with tempfile.TemporaryDirectory(prefix="oqu-bench-booking-") as folder:
            run_on(kind, args, Path(folder))


if __name__ == "__main__":
    main()
