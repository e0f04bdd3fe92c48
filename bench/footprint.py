"""Footprint benchmark: ingest, verification, signing, and what a statement adds to an answer save.

In one process, through the Flask test client (no network), on a temporary SQLite database
(WAL, synchronous=FULL, BEGIN IMMEDIATE) and on a throwaway PostgreSQL (the tests' server:
fsync off), interleaved over --repeat rounds (the best round is reported):

1. GET /api/v1/health (the baseline: one `SELECT 1`), POST /api/v1/statements with one
   statement, and with batches of 10: requests/s, statements/s, and the ratio to health;
2. an answer save (PUT /api/v1/attempts/…/answers/…) with the footprint's subscriber and
   without it: the extra time of its `answered` statement (goal: under 20 %);
3. `oqu footprint verify` on --records statements generated straight into a SQLite database
   (the API would take hours for a million): the time, and per million by linear
   extrapolation (the work is one pass: read, hash, fold); the checkpoint (the root over all
   records, then one Ed25519 signature) and the signature alone.

Nothing is asserted; the figures are the result.

    .venv/bin/python bench/footprint.py [--requests 300] [--repeat 3] [--records 100000] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import statistics
import sys
import tempfile
import time
import timeit
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient

from auth import service as accounts
from auth.models import Role
from quiz_service import create_app
from quiz_service.core import db, events, migrations
from quiz_service.footprint import checkpoints, mapping, store, verify

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "bench"), str(REPO / "tests" / "service"), str(REPO / "tests")]
SITE = "https://oqu.academy.example.kz/"


def statement(n: int) -> dict[str, Any]:
    """A lesson read: about the size of what the pages will send (~600 bytes stored)."""
    return {
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"kk": "оқыды"}},
        "object": {
            "id": f"{SITE}kk/courses/fire-safety/01-basics/{n % 40:02d}-lesson/",
            "definition": {
                "name": {"kk": "Өрт қауіпсіздігі негіздері"},
                "type": "http://adlnet.gov/expapi/activities/lesson",
            },
        },
        "result": {"completion": True, "duration": "PT4M12S"},
        "timestamp": "2026-12-07T09:30:00+05:00",
    }


# -- the app ------------------------------------------------------------------------------


@contextmanager
def database(kind: str, root: Path) -> Iterator[str | None]:
    if kind == "sqlite":
        yield f"sqlite:///{root / 'oqu.sqlite3'}"
        return
    from postgres_server import PostgresServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        print("postgresql: binaries not found, skipped")
        yield None
        return
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server.url(server.create_database())
    finally:
        server.stop()


def make_app(url: str, root: Path) -> tuple[Flask, str]:
    from exam import write_bundle  # bench/exam.py: a practice bundle of GIFT questions

    service_dir = root / "service"
    write_bundle(service_dir, 20)
    practice = service_dir / "quizzes" / "fire-safety"
    body = (practice / "exam.json").read_text(encoding="utf-8")
    body = body.replace('"id": "exam"', '"id": "practice"').replace('"attempts": 1', '"attempts": 0')
    (practice / "practice.json").write_text(
        body.replace('"time_limit": 240', '"time_limit": null'), encoding="utf-8"
    )
    (root / "site").mkdir(exist_ok=True)
    config = {"DATABASE_URL": url, "SECRET_KEY": "bench", "SITE_DIR": root / "site", "SERVICE_DIR": service_dir,
              "VAR_DIR": root / "var", "REDIS_URL": None, "FOOTPRINT_SITE_URL": SITE}  # fmt: skip
    app = create_app(config)
    with app.app_context():
        migrations.upgrade(db.engine())
        with db.write_transaction() as writer:
            user = accounts.create_user(
                writer, "student@oqu.example.kz", Role.STUDENT, full_name="Білім алушы"
            )
            token = accounts.issue_token(writer, user, ())[1]
    return app, token


# -- ingest and answer saves --------------------------------------------------------------


def rate(count: int, action: Callable[[int], int]) -> float:
    """Requests per second of `count` calls of `action` (each must answer 200)."""
    began = time.perf_counter()
    for n in range(count):
        status = action(n)
        if status != 200:
            raise RuntimeError(f"answered {status}")
    return count / (time.perf_counter() - began)


def ingest_rounds(client: FlaskClient, headers: dict[str, str], count: int, repeat: int) -> dict[str, float]:
    best: dict[str, float] = {}
    attempt = client.post("/api/v1/quizzes/fire-safety/practice/attempts", json={}, headers=headers).json
    questions = [q["id"] for q in attempt["questions"]]
    saves = iter(range(1, 10**9))

    def save(n: int) -> int:
        sequence = next(saves)
        body = {"response": ["A", "B"][sequence % 2], "sequence": sequence, "client_id": "bench"}
        url = f"/api/v1/attempts/{attempt['id']}/answers/{questions[n % len(questions)]}"
        return client.put(url, json=body, headers=headers).status_code

    def without_footprint(n: int) -> int:
        events.unsubscribe(events.DomainEvent, mapping.record_event)
        try:
            return save(n)
        finally:
            events.subscribe(events.DomainEvent, mapping.record_event)

    actions: dict[str, tuple[int, Callable[[int], int]]] = {
        "health": (count, lambda n: client.get("/api/v1/health").status_code),
        "single": (count, lambda n: client.post("/api/v1/statements", json=statement(n), headers=headers).status_code),
        "batch10": (count // 10, lambda n: client.post(
            "/api/v1/statements", json=[statement(n * 10 + k) for k in range(10)], headers=headers).status_code),
        "save": (count, save),
        "save_without": (count, without_footprint),
    }  # fmt: skip
    for _ in range(repeat):
        for name, (times, action) in actions.items():
            best[name] = max(best.get(name, 0.0), rate(times, action))
    best["save_ratio"] = save_ratio(save, without_footprint, count, repeat)
    return best


def save_ratio(save: Callable[[int], int], without: Callable[[int], int], count: int, repeat: int) -> float:
    """The median over short alternating runs of (time with the statement / time without): the
    two sides see the same load, which a loaded machine moves by more than the difference."""
    chunk, ratios = 20, []
    for n in range(max(1, count * repeat // chunk // 2)):
        first, second = (save, without) if n % 2 else (without, save)
        rates = {first: rate(chunk, first), second: rate(chunk, second)}
        ratios.append(rates[without] / rates[save])
    return statistics.median(ratios)


def report_ingest(kind: str, best: dict[str, float]) -> None:
    health = best["health"]
    print(f"\n{kind}: requests/s (best of the rounds), in-process test client")
    print(f"  GET /api/v1/health            {health:8.0f} req/s")
    print(f"  POST one statement            {best['single']:8.0f} req/s = {best['single']:8.0f} statements/s"
          f"  ({best['single'] / health:.2f} of health)")  # fmt: skip
    print(f"  POST a batch of 10            {best['batch10']:8.0f} req/s = {best['batch10'] * 10:8.0f} statements/s"
          f"  ({best['batch10'] / health:.2f} of health in requests)")  # fmt: skip
    with_statement, without = 1 / best["save"], 1 / best["save_without"]
    print(f"  answer save without footprint {without * 1e3:8.2f} ms, with its statement {with_statement * 1e3:.2f} ms:"
          f" +{(with_statement / without - 1) * 100:.1f} % (best rounds)")  # fmt: skip
    print(
        f"  answer save: its statement adds {(best['save_ratio'] - 1) * 100:+.1f} % "
        "(median of alternating runs of 20 saves with and without)"
    )


# -- verification -------------------------------------------------------------------------


def generate(url: str, count: int) -> None:
    """`count` statements of 50 students straight into a SQLite store, as `store.row_of` writes
    them (a test checks the two agree), fast: the canonical bytes are made once with markers,
    and each row fills in its number, id and student (a million rows in well under a minute)."""
    engine = db.make_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    rows = fast_rows(count, datetime.now(UTC))
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        connection.executemany(
            "INSERT INTO footprint_statements (seq, statement_id, user_id, verb, object_id, stored_at,"
            " content_hash, record, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        connection.execute("UPDATE footprint_head SET size = ? WHERE id = 1", (count,))


SEQ, ID, USER, LESSON = "@@seq@@", "@@id@@", "@@user@@", "@@lesson@@"


def fast_rows(count: int, now: datetime) -> Iterator[tuple[Any, ...]]:
    """The rows of `generate`: `row_of`'s output with the markers of one template filled in."""
    body = statement(0) | {"id": ID, "actor": store.user_agent(SITE, 0)}
    body["actor"]["account"]["name"] = USER
    body["object"]["id"] = body["object"]["id"].replace("00-lesson", f"{LESSON}-lesson")
    template = store.row_of(0, store.Entry(body, 0), "", now, SITE)
    record = template["record"].replace('{"seq":0,', '{"seq":' + SEQ + ",", 1)
    compared = store.canonical({k: v for k, v in body.items() if k not in store.NOT_COMPARED}).decode()
    stored_at = now.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    sha256, verb = hashlib.sha256, template["verb"]
    for seq in range(count):
        user, lesson, statement_id = (
            str(seq % 50 + 1),
            f"{seq % 40:02d}",
            str(uuid.UUID(int=seq + 1, version=4)),
        )
        filled = (
            record.replace(SEQ, str(seq))
            .replace(ID, statement_id)
            .replace(USER, user)
            .replace(LESSON, lesson)
        )
        content = compared.replace(ID, statement_id).replace(USER, user).replace(LESSON, lesson)
        yield (seq, statement_id, int(user), verb, template["object_id"].replace(LESSON, lesson), stored_at,
               sha256(content.encode()).hexdigest(), filled, sha256(b"\x00" + filled.encode()).hexdigest())  # fmt: skip


def verify_rounds(root: Path, count: int, kept: Path | None) -> None:
    path = kept or root / "verify.sqlite3"
    url = f"sqlite:///{path}"
    if not path.exists():
        began = time.perf_counter()
        generate(url, count)
        print(f"\nverify: {count} statements generated in {time.perf_counter() - began:.1f} s "
              f"({path.stat().st_size / count:.0f} bytes a statement on disk)")  # fmt: skip
    engine = db.make_engine(url)
    with engine.connect() as connection:
        count = store.log_size(connection)
    folder = root / "footprint"
    with engine.connect() as connection:
        began = time.perf_counter()
        checkpoint = checkpoints.make_checkpoint(connection, folder, SITE, datetime.now(UTC))
        signed_in = time.perf_counter() - began
    assert checkpoint is not None
    key = Ed25519PrivateKey.generate()
    sign_only = min(timeit.repeat(lambda: key.sign(checkpoint.note.encode()), number=1000, repeat=3)) / 1000
    print(f"  checkpoint (root over {count} stored leaf hashes + signature): {signed_in:.2f} s; "
          f"the Ed25519 signature alone {sign_only * 1e6:.0f} µs")  # fmt: skip
    public = checkpoints.published_key(folder)
    # the checkpoints of a real log: one every 5 minutes, here one every 10,000 records and the last
    made = [checkpoint] + [
        checkpoints.sign(checkpoints.signing_key(folder), checkpoints.origin_of(SITE), size,
                         root_of_stored(engine, size), datetime.now(UTC))
        for size in (10_000, count // 2 + 1)
    ]  # fmt: skip
    runs: dict[str, Callable[[], verify.Report]] = {
        "one process": lambda: verify.verify_log(store.all_rows(connection), made, public, count),
        "two processes": lambda: verify.verify_sqlite(str(path), made, public, count, 2),
    }
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(2):
        for name, run in runs.items():
            with engine.connect() as connection:
                began = time.perf_counter()
                report = run()
                best[name] = min(best[name], time.perf_counter() - began)
            assert report.ok and report.records == count, report.problems
    for name, seconds in best.items():
        print(f"  oqu footprint verify, {name}: {seconds:.2f} s for {count:,} records "
              f"({count / seconds:,.0f} records/s, {seconds * 1_000_000 / count:.1f} s per million)")  # fmt: skip
    engine.dispose()


def root_of_stored(engine: Any, size: int) -> bytes:
    with engine.connect() as connection:
        return checkpoints.root_at(connection, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument(
        "--verify-db", type=Path, help="keep the generated log in this SQLite file (reused if it exists)"
    )
    options = parser.parse_args()
    for kind in [kind for kind in options.db.split(",") if kind]:  # --db "": the verification only
        with tempfile.TemporaryDirectory() as folder, database(kind, Path(folder)) as url:
            if url is None:
                continue
            app, token = make_app(url, Path(folder))
            client = app.test_client()
            best = ingest_rounds(
                client, {"Authorization": f"Bearer {token}"}, options.requests, options.repeat
            )
            report_ingest(kind, best)
            app.extensions["oqu_db"].engine.dispose()
    if options.records:
        with tempfile.TemporaryDirectory() as folder:
            verify_rounds(Path(folder), options.records, options.verify_db)
    print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
