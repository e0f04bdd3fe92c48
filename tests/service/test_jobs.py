"""Background jobs (issue #11 §4, T41) on SQLite and PostgreSQL: enqueued only with a commit,
retried with back-off, dead-lettered and retried by `oqu jobs retry`; run again after a kill -9
of `oqu worker`, with their effect applied once; a periodic job once per period across workers."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import job_fixtures
import pytest
from click.testing import CliRunner, Result
from flask import Flask
from service_launcher import Launched, launch
from site_server import STARTUP_SECONDS
from sqlalchemy import select

from quiz_service.cli import main as oqu
from quiz_service.core import db, jobs
from quiz_service.core.jobs.models import Job
from quiz_service.core.jobs.worker import Worker

ROOT = Path(__file__).resolve().parents[2]


class RequestFailed(Exception):
    pass


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return app_config | {"JOBS_POLL": 0.02, "JOBS_LEASE": 1.0, "JOBS_BACKOFF": 0.2}


@pytest.fixture
def folder(app: Flask, tmp_path: Path) -> Path:
    """Where the test jobs note their runs; their effects table is created here too."""
    job_fixtures.effects_metadata.create_all(app.extensions["oqu_db"].engine)
    path = tmp_path / "jobs"
    path.mkdir()
    return path


@pytest.fixture
def run_oqu(site_folder: Path) -> Callable[..., Result]:
    """`oqu ARGS...` in the site folder, with the database and more environment variables."""

    def run(*args: str, database_url: str, env: dict[str, str] | None = None) -> Result:
        environment = {"OQU_DATABASE_URL": database_url, "OQU_SECRET_KEY": "test-secret"} | (env or {})
        return CliRunner(env=environment).invoke(oqu, list(args))

    return run


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)  # a poll of 10 ms read the database or a file 100 times a second
    return result


def job_rows(app: Flask, name: str | None = None) -> list[Job]:
    with app.app_context():
        query = select(Job).order_by(Job.id)
        rows = db.session().scalars(query if name is None else query.where(Job.name == name))
        return list(rows)


def effect_rows(app: Flask) -> list[tuple[str, int]]:
    with app.app_context(), db.engine().connect() as connection:
        return [tuple(row) for row in connection.execute(select(job_fixtures.effects))]  # type: ignore[misc]


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


# -- in-process worker ---------------------------------------------------------------------


def test_a_job_asked_for_in_a_rolled_back_transaction_never_runs(app: Flask, folder: Path) -> None:
    with app.app_context():
        with pytest.raises(RequestFailed), db.write_transaction() as writer:
            jobs.enqueue(writer, "test.record", {"folder": str(folder), "label": "rolled-back"})
            raise RequestFailed
        with db.write_connection() as connection:  # the Core path (an answer save's) joins it too
            jobs.enqueue(connection, "test.record", {"folder": str(folder), "label": "committed"})
    worker = Worker(app)
    assert worker.run_one() is True
    assert worker.run_one() is False  # nothing else was ever queued
    assert lines(folder / "ran") == ["committed"]
    assert [(j.name, j.state, j.attempts) for j in job_rows(app)] == [("test.record", "done", 1)]


def test_a_key_makes_the_same_job_asked_twice_one_job(app: Flask, folder: Path) -> None:
    payload = {"folder": str(folder), "label": "receipt-7"}
    with app.app_context():
        for _ in range(2):
            with db.write_transaction() as writer:
                jobs.enqueue(writer, "test.record", payload, key="receipt:7")
        with pytest.raises(LookupError, match=r"no job is named 'test\.recrod'"), db.write_transaction() as w:
            jobs.enqueue(w, "test.recrod", payload)
    assert len(job_rows(app)) == 1


def test_a_failing_job_backs_off_goes_dead_and_oqu_jobs_retry_runs_it_again(
    app: Flask, folder: Path, database_url: str, run_oqu: Callable[..., Result]
) -> None:
    with app.app_context(), db.write_transaction() as writer:
        jobs.enqueue(writer, "test.failing", {"folder": str(folder)})
    worker = Worker(app)
    wait_for(lambda: worker.run_one() and job_rows(app)[0].state == "dead", "three failed attempts")
    runs = [float(line.split()[0]) for line in lines(folder / "failing.log")]
    assert len(runs) == 3  # max_attempts=3, then dead
    assert runs[1] - runs[0] >= 0.2 and runs[2] - runs[1] >= 0.4  # OQU_JOBS_BACKOFF, doubled
    dead = job_rows(app)[0]
    assert "RuntimeError: Пошта сервері жауап бермеді" in (dead.last_error or "")

    environment = {"OQU_JOBS_MODULES": "job_fixtures"}
    failed = run_oqu("jobs", "failed", database_url=database_url, env=environment)
    assert failed.exit_code == 0, failed.output
    assert failed.output.startswith(f"{dead.id}\ttest.failing\tdead\tattempts=3\t")
    assert "RuntimeError: Пошта сервері жауап бермеді" in failed.output

    (folder / "fixed").touch()
    retried = run_oqu("jobs", "retry", str(dead.id), database_url=database_url, env=environment)
    assert (retried.exit_code, retried.output) == (0, f"job {dead.id} test.failing is pending again.\n")
    assert worker.run_one() is True
    assert [(j.state, j.attempts) for j in job_rows(app)] == [("done", 1)]
    assert effect_rows(app) == [("failing", 1)]
    again = run_oqu("jobs", "retry", str(dead.id), database_url=database_url, env=environment)
    assert (again.exit_code, again.output) == (
        1, f"Error: job {dead.id} is done, not dead: only dead jobs are retried\n",
    )  # fmt: skip
    listed = run_oqu("jobs", "list", "--state", "done", database_url=database_url, env=environment)
    assert listed.output.startswith(f"{dead.id}\ttest.failing\tdone\tattempts=1\t")


def test_bad_job_settings_are_named(run_oqu: Callable[..., Result], database_url: str) -> None:
    result = run_oqu("worker", database_url=database_url, env={"OQU_JOBS_LEASE_SECONDS": "минут"})
    assert result.exit_code == 1
    assert (
        result.output
        == "Error: OQU_JOBS_LEASE_SECONDS: Input should be a valid number, unable to parse string as a number\n"
    )
    result = run_oqu("jobs", "list", database_url=database_url, env={"OQU_JOBS_MAX_ATTEMPTS": "0"})
    assert result.output == "Error: OQU_JOBS_MAX_ATTEMPTS: Input should be greater than 0\n"


# -- `oqu worker` processes ------------------------------------------------------------------


@contextmanager
def workers(database_url: str, tmp_path: Path, count: int = 1, **extra: str) -> Iterator[list[Launched]]:
    """`count` `oqu worker` processes on the database (a 1 s lease, a poll every 50 ms: 20 ms made
    two idle workers query the database 100 times a second), each past its start
    (signal handlers installed: it says so on standard error) when this yields. Each is forked
    by service_launcher.py, with its own environment, folder and log."""
    path = os.pathsep.join([str(ROOT), str(ROOT / "tests" / "service"), str(ROOT / "tests")])
    environment = os.environ | {
        "PYTHONPATH": path, "OQU_DATABASE_URL": database_url, "OQU_SECRET_KEY": "test-secret",
        "OQU_VAR_DIR": str(tmp_path / "var"), "OQU_JOBS_MODULES": "job_fixtures",
        "OQU_JOBS_POLL_SECONDS": "0.05", "OQU_JOBS_LEASE_SECONDS": "1", "OQU_JOBS_BACKOFF_SECONDS": "0.2",
    } | extra  # fmt: skip
    tmp_path.mkdir(parents=True, exist_ok=True)
    started = [
        launch(["oqu", "worker", "--threads", "1"], environment, tmp_path, log=tmp_path / f"worker-{n}.err")
        for n in range(count)
    ]
    try:
        for process in started:
            wait_for(lambda p=process: _has_started(p), "the worker to start", timeout=120)
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


def _has_started(process: Launched) -> bool:
    text = process.output()
    if process.poll() is not None:
        pytest.fail(f"oqu worker exited with {process.returncode}:\n{text}")
    return text.startswith("worker ")


def test_a_job_whose_worker_is_killed_runs_again_on_another_and_changes_nothing_twice(
    app: Flask, folder: Path, database_url: str, tmp_path: Path
) -> None:
    """T41: kill -9 in the middle of a job; its lease runs out; the other worker runs it to the end."""
    with app.app_context(), db.write_transaction() as writer:
        jobs.enqueue(writer, "test.blocking", {"folder": str(folder), "label": "transcode"})
    log = folder / "transcode.log"
    with workers(database_url, tmp_path, count=2) as pair:
        first_run = wait_for(lambda: lines(log), "the first run to start", timeout=60)[0]
        first = next(p for p in pair if first_run == f"start 1 {p.pid}")
        second = next(p for p in pair if p is not first)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        wait_for(lambda: len(lines(log)) == 2, "the other worker to run it again", timeout=60)
        (folder / "transcode.release").touch()
        wait_for(lambda: job_rows(app, "test.blocking")[0].state == "done", "the job to finish")
        assert second.poll() is None
    assert lines(log) == [f"start 1 {first.pid}", f"start 2 {second.pid}", f"done 2 {second.pid}"]
    assert effect_rows(app) == [("transcode", 2)]
    # A rerun after the effect changes nothing: the job is idempotent.
    with app.app_context():
        job_fixtures.apply_effect("transcode", 3)
    assert effect_rows(app) == [("transcode", 2)]


def test_two_workers_run_a_periodic_job_once_a_period(app: Flask, database_url: str, tmp_path: Path) -> None:
    """T41: two workers poll every 20 ms; a 0.5 s periodic job runs once in each period. (A lease
    of 30 s: on a starved machine a 1 s lease may run out while a tick is noted, and the job would
    rightly run again, at least once; this test counts runs, not effects.)"""
    ticks = tmp_path / "ticks"
    tick = {"OQU_TEST_TICK_SECONDS": "0.5", "OQU_TEST_TICK_FILE": str(ticks), "OQU_JOBS_LEASE_SECONDS": "30",
            "OQU_JOBS_POLL_SECONDS": "0.02"}  # fmt: skip
    with workers(database_url, tmp_path, count=2, **tick) as pair:
        wait_for(lambda: len({line.split()[0] for line in lines(ticks)}) >= 5, "five periods", timeout=60)
        for process in pair:
            process.send_signal(signal.SIGTERM)  # stops after the job in hand
        assert [process.wait(timeout=STARTUP_SECONDS) for process in pair] == [0, 0]
    runs = [line.split() for line in lines(ticks)]
    assert set(Counter(period for period, _ in runs).values()) == {1}
    assert len(runs) >= 5
    rows = job_rows(app, "test.tick")
    assert len(rows) == len({row.key for row in rows})  # one row per period
    claimed = [row for row in rows if row.attempts]
    assert sorted(row.key for row in claimed) == sorted(f"periodic:test.tick:{period}" for period, _ in runs)
    assert {(row.state, row.attempts) for row in claimed} == {("done", 1)}  # each run once, to its end
    # A period queued just before the SIGTERMs (more likely the busier the machine) is left
    # pending, unclaimed, for the next worker: not a run, and not lost.
    assert all((row.state, row.attempts) == ("pending", 0) for row in rows if not row.attempts)


def test_a_worker_waits_while_the_database_is_away(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """T37 for the worker: nothing listens at the database's address; it logs, waits, and stops cleanly."""
    from oidc_provider import free_port

    from quiz_service import create_app

    url = f"postgresql+psycopg://oqu@127.0.0.1:{free_port()}/oqu"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "VAR_DIR": tmp_path, "JOBS_POLL": 0.02})
    worker = Worker(app)
    thread = threading.Thread(target=worker.run)
    with caplog.at_level("ERROR", logger="oqu.jobs"):
        thread.start()
        wait_for(lambda: "the job queue cannot be reached" in caplog.text, "the worker to notice")
        assert thread.is_alive()
        worker.stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
