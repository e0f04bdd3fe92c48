"""The service closes attempts whose time ran out itself: a hook before the quiz blueprints' requests."""

from __future__ import annotations

from flask import current_app

from quiz_service.core import db
from quiz_service.core.clock import now
from quiz_service.quizzes.attempts import service


def sweep_overdue_attempts() -> None:
    """Close the overdue attempts, at most every few seconds per process (`QUIZ_SWEEP_EVERY`)."""
    state = current_app.extensions.setdefault("oqu_quiz_sweep", {"last": None})
    moment = now()
    if state["last"] is not None and moment - state["last"] < current_app.config["QUIZ_SWEEP_EVERY"]:
        return
    state["last"] = moment
    db.release_reader()
    with db.write_transaction() as writer:
        service.close_overdue(writer, moment)
