"""Events and jobs benchmark: what publishing an event and enqueueing a job cost a request, and
how soon a worker starts a job.

In one process, on a temporary SQLite database (WAL, synchronous=FULL, BEGIN IMMEDIATE) or on
the PostgreSQL of --database-url, interleaved over --repeat rounds (the fastest is reported):

1. `publish(AnswerSaved)` with no subscriber, and with one that does nothing (CPU per event);
2. a write transaction inserting one row, without and with `jobs.enqueue` in it (wall per
   transaction, fsync included): the enqueue's share of a request;
3. the wait from commit to the job's first line in a worker thread (poll 20 ms and 1 s).

    .venv/bin/python bench/jobs.py [--transactions 500] [--repeat 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import timeit
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import Column, Integer, MetaData, Table, delete, insert

from quiz_service import create_app
from quiz_service.core import db, events, jobs, migrations
from quiz_service.core.jobs.models import Job
from quiz_service.core.jobs.worker import Worker

scratch = Table("bench_rows", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer))
STARTED: dict[int, float] = {}


@jobs.job("bench.note_start")
def note_start(run: jobs.JobRun) -> None:
    STARTED[run.payload["n"]] = time.perf_counter()


def make_app(folder: Path, url: str | None) -> Flask:
    app = create_app({"DATABASE_URL": url or f"sqlite:///{folder / 'oqu.sqlite3'}", "SECRET_KEY": "bench",
                      "SITE_DIR": folder, "VAR_DIR": folder / "var", "REDIS_URL": None})  # fmt: skip
    with app.app_context():
        migrations.upgrade(db.engine())
        scratch.metadata.create_all(db.engine())
    return app


def publish_cost() -> tuple[float, float]:
    saved = events.AnswerSaved(1, 2, "c", "q", "gas", '"жауап"', 3, "x", datetime.now(UTC))
    bare = min(timeit.repeat(lambda: events.publish(None, saved), number=100_000, repeat=5)) / 100_000  # type: ignore[arg-type]
    undo = events.subscribe(events.AnswerSaved, lambda _c, _e: None)
    with_one = min(timeit.repeat(lambda: events.publish(None, saved), number=100_000, repeat=5)) / 100_000  # type: ignore[arg-type]
    undo()
    return bare, with_one


def transaction_cost(app: Flask, count: int, enqueue: bool) -> tuple[float, float]:
    """Median wall and mean CPU seconds of a write transaction."""
    times = []
    cpu = time.process_time()
    with app.app_context():
        for n in range(count):
            began = time.perf_counter()
            with db.write_connection() as writer:
                writer.execute(insert(scratch).values(n=n))
                if enqueue:
                    jobs.enqueue(writer, "bench.note_start", {"n": -1})
            times.append(time.perf_counter() - began)
        with db.write_connection() as writer:
            writer.execute(delete(Job))  # the latency rounds start on an empty queue
    return statistics.median(times), (time.process_time() - cpu) / count


def start_latency(app: Flask, poll: float, numbers: range) -> list[float]:
    app.config["JOBS_POLL"] = __import__("datetime").timedelta(seconds=poll)
    worker = Worker(app)
    thread = threading.Thread(target=worker.run)
    thread.start()
    waits = []
    try:
        for n in numbers:
            with app.app_context(), db.write_connection() as writer:
                jobs.enqueue(writer, "bench.note_start", {"n": n})
            committed = time.perf_counter()
            while n not in STARTED:
                time.sleep(0.001)
            waits.append(STARTED[n] - committed)
            time.sleep(poll * 0.37)  # land at other moments of the poll cycle
    finally:
        worker.stop.set()
        thread.join()
    return waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url")
    options = parser.parse_args()
    bare, with_one = publish_cost()
    print(
        f"publish AnswerSaved: no subscriber {bare * 1e6:.2f} µs, one no-op subscriber {with_one * 1e6:.2f} µs"
    )
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder), options.database_url)
        plain, enqueued = [], []
        for _ in range(options.repeat):
            plain.append(transaction_cost(app, options.transactions, enqueue=False))
            enqueued.append(transaction_cost(app, options.transactions, enqueue=True))
        print(f"write transaction, median wall / mean CPU ms: one row {min(plain)[0] * 1e3:.3f} / "
              f"{min(plain)[1] * 1e3:.3f}, one row + enqueue {min(enqueued)[0] * 1e3:.3f} / "
              f"{min(enqueued)[1] * 1e3:.3f}")  # fmt: skip
        for poll, numbers in ((0.02, range(20)), (1.0, range(100, 108))):
            waits = sorted(start_latency(app, poll, numbers))
            print(f"commit -> job starts, poll {poll:g} s: median {statistics.median(waits) * 1e3:.1f} ms, "
                  f"max {waits[-1] * 1e3:.1f} ms")  # fmt: skip
        app.extensions["oqu_db"].engine.dispose()


if __name__ == "__main__":
    main()
