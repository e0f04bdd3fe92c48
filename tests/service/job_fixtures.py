"""Jobs for the queue's tests: imported by the tests, and by `oqu worker` through OQU_JOBS_MODULES.

Each job notes every run in a file of its payload's folder (runs survive a kill -9) and applies
its effect idempotently: one row per label, whatever the number of runs.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.dialects import postgresql, sqlite

from quiz_service.core import db, jobs

effects_metadata = MetaData()
effects = Table(
    "test_job_effects",
    effects_metadata,
    Column("label", String(100), primary_key=True),
    Column("attempt", Integer, nullable=False),
)


def note(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(line + "\n")
        file.flush()
        os.fsync(file.fileno())


def apply_effect(label: str, attempt: int) -> None:
    """Idempotent: the first run's row stays, a rerun inserts nothing."""
    with db.write_connection() as writer:
        insert = postgresql.insert if writer.dialect.name == "postgresql" else sqlite.insert
        writer.execute(insert(effects).values(label=label, attempt=attempt).on_conflict_do_nothing())


@jobs.job("test.record")
def record(run: jobs.JobRun) -> None:
    note(Path(run.payload["folder"]) / "ran", run.payload["label"])
    apply_effect(run.payload["label"], run.attempt)


@jobs.job("test.blocking")
def blocking(run: jobs.JobRun) -> None:
    """Says it started, then waits for the test's release file."""
    folder, label = Path(run.payload["folder"]), run.payload["label"]
    note(folder / f"{label}.log", f"start {run.attempt} {os.getpid()}")
    deadline = time.monotonic() + 60
    while not (folder / f"{label}.release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("never released")
        time.sleep(0.01)
    apply_effect(label, run.attempt)
    note(folder / f"{label}.log", f"done {run.attempt} {os.getpid()}")


@jobs.job("test.failing", max_attempts=3)
def failing(run: jobs.JobRun) -> None:
    folder = Path(run.payload["folder"])
    note(folder / "failing.log", f"{time.time()} {run.attempt}")
    if not (folder / "fixed").exists():
        raise RuntimeError("Пошта сервері жауап бермеді")
    apply_effect("failing", run.attempt)


TICK_FILE = os.environ.get("OQU_TEST_TICK_FILE")


@jobs.periodic("test.tick", every=timedelta(seconds=float(os.environ.get("OQU_TEST_TICK_SECONDS", "3600"))))
def tick(run: jobs.JobRun) -> None:
    if TICK_FILE:
        note(Path(TICK_FILE), f"{run.payload['period']} {os.getpid()}")
