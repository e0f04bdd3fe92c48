"""The consultations' periodic jobs: offers that run out pass on, reminders before the start."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from quiz_service.consultations import declared, service
from quiz_service.consultations.settings import policy
from quiz_service.core import db, jobs
from quiz_service.core.clock import now


@jobs.periodic("consultations.expire_offers", every=timedelta(minutes=1))
def expire_offers(_run: jobs.JobRun) -> None:
    """A seat held for a waiting student past its hold goes to the next one (idempotent: only
    offers still open and due change)."""
    with db.write_transaction() as writer:
        service.expire_offers(writer, policy(), now())


@jobs.periodic("consultations.remind", every=timedelta(minutes=5))
def remind(_run: jobs.JobRun) -> None:
    """Reminders of consultations starting soon; each booking's reminder is one message key."""
    with db.write_transaction() as writer:
        service.remind(writer, now(), current_app.config["CONSULT_REMINDER_BEFORE"])


@jobs.periodic("consultations.publish_declared", every=timedelta(minutes=10))
def publish_declared(_run: jobs.JobRun) -> None:
    """The slots of the courses' consultations.yml in the loaded bundle (a new build's at once
    after it is loaded): idempotent, entries already published are skipped."""
    declared.publish_bundle(now())
