"""Exam benchmark (T20-T22): the service as in production (gunicorn) under an exam's load.

On SQLite (WAL, in a temporary folder) and on PostgreSQL (a throwaway server from the
machine's binaries, as the tests start it; fsync off), with --workers gunicorn workers:

1. start spike: --students start one exam within --start-window seconds;
2. answers: each student saves --answers answers, one every --think seconds (jittered);
3. submit spike: everyone submits within the last --submit-window seconds;

each phase replayed against GET /api/v1/health with the same schedule, then a closed-loop
saturation of answer saves and of health (--saturate seconds in alternating 2 s rounds, so
that other work on the machine weighs on both alike; --saturate-clients threads). Health is
the ceiling of this machine for a request through gunicorn, Flask and the database: it is
unauthenticated and runs one `SELECT 1` on a pooled connection (no token lookup, no write,
no fsync); a save adds the bearer-token lookup, a write transaction and its fsync.
Requests are scheduled open-loop and latency is counted from the scheduled moment (no
coordinated omission). Prints requests/s, p50/p95/p99 and errors per phase, then checks: one
attempt each, every acknowledged answer stored, every attempt finished and graded; the load
average before and after. Nothing is asserted; the figures are the result.

    .venv/bin/python bench/exam.py [--students 1000] [--answers 20] [--think 10] [--db sqlite,postgresql]
    .venv/bin/python bench/exam.py --quick   # the same spikes, 2 answers each: about 90 s a database
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from auth import service as accounts
from auth.models import Role
from builder.quizzes.gift import parse_gift
from builder.quizzes.model import Quiz, QuizSettings
from builder.quizzes.publish import service_quiz
from builder.quizzes.types import with_ids
from quiz_service import create_app
from quiz_service.core import db, migrations
from quiz_service.quizzes.models import Answer, Attempt, AttemptState

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests" / "service"), str(REPO / "tests")]  # postgres_server, site_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the site under test ------------------------------------------------------------------


def write_bundle(service_dir: Path, answers: int) -> None:
    service_dir.mkdir(parents=True)
    manifest = {"version": 1, "courses": [{"id": "fire-safety", "access": "open", "title": {"kk": "Өрт"}}]}
    (service_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    bank = "\n\n".join(f"// [id:q{n}]\n{n}-сұрақ: өрт сыныбы? {{=A =B}}" for n in range(1, answers + 1))
    questions = tuple(with_ids(q, "fire-safety/exam") for q in parse_gift(bank).questions)
    settings = QuizSettings(kind="intermediate", time_limit=240, attempts=1)
    quiz = Quiz("fire-safety", "exam", Path("exam.gift"), {"kk": "Емтихан"}, settings, {"kk": questions})
    (service_dir / "quizzes" / "fire-safety").mkdir(parents=True)
    (service_dir / "quizzes" / "fire-safety" / "exam.json").write_text(
        json.dumps(service_quiz(quiz)), encoding="utf-8"
    )


def make_students(config: dict[str, Any], count: int) -> list[str]:
    app = create_app(config)
    with app.app_context():
        migrations.upgrade(db.engine())
        with db.write_transaction() as writer:
            tokens = []
            for n in range(count):
                user = accounts.create_user(
                    writer, f"student{n}@oqu.example.kz", Role.STUDENT, full_name="Білім алушы"
                )
                tokens.append(accounts.issue_token(writer, user, ())[1])
    app.extensions["oqu_db"].engine.dispose()
    return tokens


@contextmanager
def gunicorn(config: dict[str, Any], workers: int) -> Iterator[int]:
    port = free_port()
    env = {
        **os.environ,
        "OQU_DATABASE_URL": config["DATABASE_URL"],
        "OQU_SECRET_KEY": config["SECRET_KEY"],
        "OQU_SERVICE_DIR": str(config["SERVICE_DIR"]),
        "OQU_SITE_DIR": str(config["SITE_DIR"]),
        "OQU_VAR_DIR": str(config["VAR_DIR"]),
    }
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--backlog", "2048",
               "-b", f"127.0.0.1:{port}", "quiz_service:create_app()"]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request(port, "GET", "/api/v1/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def request(port: int, method: str, path: str, token: str | None = None, body: Any = None) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        return response.status, (json.loads(payload) if payload else None)
    finally:
        connection.close()


# -- load ---------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        ordered = sorted(self.latencies) or [0.0]

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

        rate = len(self.latencies) / self.seconds if self.seconds else 0.0
        return (
            f"{self.name:<28} {len(self.latencies):>6} req {rate:>7.1f} req/s   p50 {pct(0.5):>6.0f} ms"
            f"   p95 {pct(0.95):>6.0f} ms   p99 {pct(0.99):>6.0f} ms   errors {self.errors}"
        )


Job = tuple[float, Callable[[], int]]


def run_schedule(name: str, jobs: list[Job], clients: int) -> Phase:
    """Send each job at its moment (open loop); latency counts from that moment."""
    phase = Phase(name)
    lock = threading.Lock()
    started = time.monotonic()

    def run(at: float, job: Callable[[], int]) -> None:
        delay = started + at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            ok = job() < 400
        except OSError:
            ok = False
        elapsed = time.monotonic() - (started + at)
        with lock:
            phase.latencies.append(elapsed)
            phase.errors += not ok

    with ThreadPoolExecutor(clients) as pool:
        for at, job in sorted(jobs, key=lambda item: item[0]):
            pool.submit(run, at, job)
    phase.seconds = max(time.monotonic() - started, 1e-9)
    return phase


def saturate(phase: Phase, job: Callable[[int], int], clients: int, seconds: float) -> None:
    """Closed loop: `clients` threads send back to back for `seconds`; counted into `phase`."""
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def loop(index: int) -> None:
        n = 0
        while time.monotonic() < stop:
            began = time.monotonic()
            try:
                ok = job(index * 1_000_000 + n) < 400
            except OSError:
                ok = False
            with lock:
                phase.latencies.append(time.monotonic() - began)
                phase.errors += not ok
            n += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds += time.monotonic() - began


# -- the exam -----------------------------------------------------------------------------


def exam(port: int, tokens: list[str], args: argparse.Namespace) -> tuple[list[Phase], dict[str, int]]:
    attempts: dict[int, dict[str, Any]] = {}
    acked: dict[int, int] = {}
    rng = random.Random(7)
    health: Callable[[], int] = lambda: request(port, "GET", "/api/v1/health")[0]  # noqa: E731

    def start(i: int) -> Callable[[], int]:
        def job() -> int:
            status, body = request(port, "POST", "/api/v1/quizzes/fire-safety/exam/attempts", tokens[i], {})
            if status in (200, 201):
                attempts[i] = body
            return status

        return job

    def save(i: int, k: int) -> Callable[[], int]:
        def job() -> int:
            attempt = attempts[i]
            question = attempt["questions"][k]["id"]
            body = {"response": "A", "sequence": k + 1, "client_id": f"s{i}-{k}"}
            status, _ = request(
                port, "PUT", f"/api/v1/attempts/{attempt['id']}/answers/{question}", tokens[i], body
            )
            if status == 200:
                acked[i] = acked.get(i, 0) + 1
            return status

        return job

    def submit(i: int) -> Callable[[], int]:
        return lambda: request(port, "POST", f"/api/v1/attempts/{attempts[i]['id']}/submit", tokens[i])[0]

    n = len(tokens)
    start_times = [rng.uniform(0, args.start_window) for _ in range(n)]
    save_times = [
        (i, k, k * args.think + rng.uniform(0, args.think)) for i in range(n) for k in range(args.answers)
    ]
    submit_times = [rng.uniform(0, args.submit_window) for _ in range(n)]
    phases = [
        run_schedule("start spike", [(t, start(i)) for i, t in enumerate(start_times)], args.clients),
        run_schedule("  health, same schedule", [(t, health) for t in start_times], args.clients),
    ]
    phases.append(
        run_schedule(
            "answer saves", [(t, save(i, k)) for i, k, t in save_times if i in attempts], args.clients
        )
    )
    phases.append(
        run_schedule("  health, same schedule", [(t, health) for _, _, t in save_times], args.clients)
    )
    phases.append(
        run_schedule(
            "submit spike",
            [(t, submit(i)) for i, t in enumerate(submit_times) if i in attempts],
            args.clients,
        )
    )
    phases.append(run_schedule("  health, same schedule", [(t, health) for t in submit_times], args.clients))
    return phases, {"attempts_started": len(attempts), "answers_acknowledged": sum(acked.values())}


def saturation(port: int, tokens: list[str], args: argparse.Namespace) -> list[Phase]:
    """Max throughput: saves into fresh attempts of a second quiz (same questions) vs health."""
    urls = []
    for token in tokens[: args.saturate_clients]:
        attempt = request(port, "POST", "/api/v1/quizzes/fire-safety/practice/attempts", token, {})[1]
        urls.append((token, f"/api/v1/attempts/{attempt['id']}/answers/{attempt['questions'][0]['id']}"))

    def save(
        n: int, offset: int
    ) -> int:  # n = client * 1,000,000 + its n-th request: each client its own attempt
        token, url = urls[n // 1_000_000]
        sequence = offset + n % 1_000_000 + 1
        return request(
            port, "PUT", url, token, {"response": "B", "sequence": sequence, "client_id": f"x{n}-{offset}"}
        )[0]

    def health(_: int) -> int:
        return request(port, "GET", "/api/v1/health")[0]

    # Short alternating rounds: a change in the machine's load (other work on it) hits both alike.
    saves, ceiling = Phase("saturated answer saves"), Phase("saturated health")
    rounds = max(1, round(args.saturate / 2))
    for round_number in range(rounds):
        offset = round_number * 100_000  # sequences keep growing from round to round
        saturate(saves, functools.partial(save, offset=offset), args.saturate_clients, args.saturate / rounds)
        saturate(ceiling, health, args.saturate_clients, args.saturate / rounds)
    return [saves, ceiling]


def check(config: dict[str, Any], facts: dict[str, int], students: int) -> str:
    app = create_app(config)
    with app.app_context():
        reader = db.session()
        exam_attempts = select(Attempt).where(Attempt.quiz == "exam")
        rows = list(reader.scalars(exam_attempts))
        stored = reader.scalar(
            select(func.count())
            .select_from(Answer)
            .join(Attempt, Answer.attempt_id == Attempt.id)
            .where(Attempt.quiz == "exam")
        )
    app.extensions["oqu_db"].engine.dispose()
    finished = sum(a.state == AttemptState.FINISHED and a.points is not None for a in rows)
    per_student = len({a.user_id for a in rows})
    lost = facts["answers_acknowledged"] - (stored or 0)
    return (
        f"attempts: {len(rows)} for {per_student} of {students} students; finished and graded: {finished}; "
        f"answers acknowledged: {facts['answers_acknowledged']}, stored: {stored}, lost: {max(lost, 0)}"
    )


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
    config = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "SITE_DIR": root / "site",
        "SERVICE_DIR": root / f"service-{kind}",
        "VAR_DIR": root / "var",
    }
    (root / "site").mkdir(parents=True, exist_ok=True)
    write_bundle(config["SERVICE_DIR"], args.answers)
    practice = config["SERVICE_DIR"] / "quizzes" / "fire-safety"
    body = json.loads((practice / "exam.json").read_text(encoding="utf-8"))
    body["id"], body["settings"]["attempts"], body["settings"]["time_limit"] = "practice", 0, None
    (practice / "practice.json").write_text(json.dumps(body), encoding="utf-8")
    try:
        tokens = make_students(config, args.students)
        with gunicorn(config, args.workers) as port:
            phases, facts = exam(port, tokens, args)
            phases += saturation(port, tokens, args)
        print(
            f"\n{kind} — gunicorn {args.workers} workers, {args.students} students, {args.answers} answers each"
        )
        for phase in phases:
            print(phase.line())
        saves, health = phases[-2], phases[-1]
        ratio = (len(saves.latencies) / saves.seconds) / max(len(health.latencies) / health.seconds, 1e-9)
        print(f"answer saves / health throughput (saturated): {ratio:.2f}")
        print(check(config, facts, args.students))
        print(f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}")
    finally:
        if server is not None:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--think", type=float, default=10.0, help="seconds between one student's saves")
    parser.add_argument("--start-window", type=float, default=10.0)
    parser.add_argument("--submit-window", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=128, help="client threads sending the schedule")
    parser.add_argument("--saturate", type=float, default=10.0)
    parser.add_argument("--saturate-clients", type=int, default=16)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="the same spikes in 90 s a database: 2 answers each, 20 s submit window, 5 s saturation",
    )
    args = parser.parse_args()
    if args.quick:
        args.answers, args.submit_window, args.saturate = 2, 20.0, 5.0
    print(f"load average before: {Path('/proc/loadavg').read_text().split()[:3]}")
    with tempfile.TemporaryDirectory(prefix="oqu-exam-") as folder:
        for kind in args.db.split(","):
            run_on(kind.strip(), args, Path(folder) / kind.strip())


if __name__ == "__main__":
    main()
