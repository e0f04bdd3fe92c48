"""Background jobs: asked for inside a transaction, run by `oqu worker` at least once.

    from quiz_service.core import jobs

    @jobs.job("mail.send_receipt")
    def send_receipt(run: jobs.JobRun) -> None:
        ...  # idempotent: a second run must change nothing twice

    with db.write_transaction() as writer:
        ...
        jobs.enqueue(writer, "mail.send_receipt", {"attempt_id": attempt.id}, key=f"receipt:{attempt.id}")

See docs/service.md#background-jobs.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from quiz_service.core import db, readiness
from quiz_service.core.jobs import queue, settings
from quiz_service.core.jobs.queue import enqueue
from quiz_service.core.jobs.registry import JobRun, job, periodic

__all__ = ["JobRun", "enqueue", "init_app", "job", "periodic"]


def init_app(app: Flask) -> None:
    settings.configure(app)
    readiness.register(app, "queue", queue_state)


def queue_state() -> readiness.State:
    """Whether this host can ask for jobs: the queue's table answers (it lives in the database)."""
    try:
        queue.answers(db.database().statement_engine)
    except SQLAlchemyError:
        return "down"
    return "ok"
