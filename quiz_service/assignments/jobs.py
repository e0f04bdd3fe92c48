"""The assignments' periodic job: e-mail reminders before due dates (through the core's outbox)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import current_app

from quiz_service.assignments import notify
from quiz_service.core import db, jobs
from quiz_service.core.clock import now


@jobs.periodic("assignments.remind", every=timedelta(minutes=10))
def remind(_run: jobs.JobRun) -> None:
    """Reminders of due dates coming near; each is one message key (student, assignment, due
    date), so a rerun or a second worker queues nothing twice."""
    with db.write_transaction() as writer:
        notify.remind(
            writer,
            Path(current_app.config["SERVICE_DIR"]),
            now(),
            current_app.config["ASSIGNMENT_REMIND_BEFORE"],
        )
