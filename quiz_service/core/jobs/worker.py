"""`oqu worker`: claim due jobs, run them with their lease renewed, enqueue periodic jobs.

At least once: a job's row stays `running` while its worker renews the lease; a worker that
dies (kill -9, a lost host) stops renewing, the lease runs out, and another worker claims the
job again. A job that raises is retried after a back-off, then dead after its last attempt.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from quiz_service.core.db import Database, utcnow
from quiz_service.core.jobs import queue
from quiz_service.core.jobs.registry import REGISTRY, JobType, period_start, periodic_key, periodic_payload

log = logging.getLogger("oqu.jobs")
DATABASE_RETRY = timedelta(seconds=5)


@dataclass
class Worker:
    """One worker process; `threads` run jobs side by side, the first also enqueues periodic jobs."""

    app: Flask
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    stop: threading.Event = field(default_factory=threading.Event)
    _periods_seen: dict[str, datetime] = field(default_factory=dict)

    @property
    def database(self) -> Database:
        database: Database = self.app.extensions["oqu_db"]
        return database

    def run(self, threads: int = 1) -> None:
        """Run until `stop` is set; the job in hand is finished first."""
        others = [threading.Thread(target=self._loop, name=f"oqu-worker-{n}") for n in range(1, threads)]
        for thread in others:
            thread.start()
        self._loop(periodic=True)
        for thread in others:
            thread.join()

    def _loop(self, periodic: bool = False) -> None:
        poll: timedelta = self.app.config["JOBS_POLL"]
        while not self.stop.is_set():
            try:
                if periodic:
                    self.enqueue_periodic_jobs(utcnow())
                worked = self.run_one()
            except SQLAlchemyError as error:
                # The database is away (restarting, full disk): wait and look again. A job whose
                # end could not be written stays `running` and is run again after its lease.
                log.error("worker %s: the job queue cannot be reached: %s", self.name, error)
                self.stop.wait(max(poll, DATABASE_RETRY).total_seconds())
                continue
            if not worked:
                self.stop.wait(poll.total_seconds())

    def run_one(self) -> bool:
        """Claim and run one due job; False when none was due."""
        if not queue.has_due_job(self.database.statement_engine, utcnow()):
            return False
        claimed = queue.claim_next(self.database.writer_engine, self.name, self.app.config["JOBS_LEASE"])
        if claimed is None:
            return False  # another worker was quicker
        self._execute(claimed)
        return True

    def _execute(self, claimed: queue.Claimed) -> None:
        run = claimed.run
        try:
            job_type = REGISTRY.get(run.name)
        except LookupError as error:
            self._failed(claimed, None, str(error))
            return
        limit = self._max_attempts(job_type)
        if run.attempt > limit:  # its workers died in it each time: a crash is a failure too
            self._failed(claimed, job_type, f"the worker running it stopped {limit} times (lease ran out)")
            return
        log.info("job %s %s: attempt %s", run.id, run.name, run.attempt)
        with Lease(self, claimed):
            try:
                with self.app.app_context():
                    job_type.function(run)
            except Exception:
                self._failed(claimed, job_type, traceback.format_exc())
                return
        if not queue.mark_done(self.database.writer_engine, claimed):
            log.warning(
                "job %s %s finished after its lease was lost: another worker runs it", run.id, run.name
            )

    def _failed(self, claimed: queue.Claimed, job_type: JobType | None, error: str) -> None:
        limit = self._max_attempts(job_type) if job_type else 1
        log.warning("job %s %s failed (attempt %s of %s):\n%s", claimed.run.id, claimed.run.name,
                    claimed.run.attempt, limit, error)  # fmt: skip
        queue.mark_failed(self.database.writer_engine, claimed, error, limit, self.app.config["JOBS_BACKOFF"])

    def _max_attempts(self, job_type: JobType) -> int:
        return job_type.max_attempts or int(self.app.config["JOBS_MAX_ATTEMPTS"])

    def enqueue_periodic_jobs(self, now: datetime) -> None:
        """Each periodic job's row for the current period, once across all workers (a unique key)."""
        for job_type in REGISTRY.periodic():
            assert job_type.every is not None
            start = period_start(now, job_type.every)
            if self._periods_seen.get(job_type.name) == start:
                continue
            key = periodic_key(job_type.name, start)
            if not queue.has_key(self.database.statement_engine, key):
                writer = self.database.writer_engine
                queue.enqueue_period(writer, job_type.name, key, periodic_payload(start), now)
            self._periods_seen[job_type.name] = start


class Lease:
    """Renews the job's lease every third of its length while the job runs (a thread)."""

    def __init__(self, worker: Worker, claimed: queue.Claimed) -> None:
        self.worker, self.claimed = worker, claimed
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._renew, name=f"oqu-lease-{claimed.run.id}", daemon=True)

    def __enter__(self) -> Lease:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.done.set()
        self.thread.join()

    def _renew(self) -> None:
        lease: timedelta = self.worker.app.config["JOBS_LEASE"]
        while not self.done.wait(lease.total_seconds() / 3):
            try:
                kept = queue.renew_lease(self.worker.database.writer_engine, self.claimed, lease)
            except Exception:  # the database is away a moment: try again at the next beat
                log.exception("job %s: the lease could not be renewed", self.claimed.run.id)
                continue
            if not kept:
                log.warning("job %s: lease lost to another worker", self.claimed.run.id)
                return
