"""The jobs of the core itself."""

from __future__ import annotations

from datetime import timedelta

from quiz_service.core import db
from quiz_service.core.jobs import queue
from quiz_service.core.jobs.registry import JobRun, periodic

KEEP_DONE = timedelta(days=30)


@periodic("jobs.purge_done", every=timedelta(days=1))
def purge_done_jobs(_run: JobRun) -> None:
    """Done jobs are kept 30 days for `oqu jobs list`, then forgotten (dead ones are kept)."""
    with db.write_transaction() as writer:
        queue.purge_done(writer, db.utcnow() - KEEP_DONE)
