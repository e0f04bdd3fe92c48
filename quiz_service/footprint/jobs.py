"""The periodic signed checkpoint (`oqu worker` runs it every five minutes when the log grew)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from quiz_service.core import db
from quiz_service.core.jobs import JobRun, periodic
from quiz_service.footprint import checkpoints

EVERY = timedelta(minutes=5)


@periodic("footprint.checkpoint", every=EVERY)
def sign_checkpoint(_run: JobRun) -> None:
    checkpoint_now()


def checkpoint_now() -> checkpoints.Checkpoint | None:
    """Sign the log's current size and root, into the checkpoint file and the database; None when
    the latest checkpoint has that size already. Idempotent: a second run finds nothing new."""
    folder, site_url = current_app.config["FOOTPRINT_DIR"], current_app.config["FOOTPRINT_SITE_URL"]
    moment = db.utcnow()
    database = db.database()
    with database.engine.connect() as reader:
        checkpoint = checkpoints.make_checkpoint(reader, folder, site_url, moment)
    if checkpoint is not None:
        with database.writer_engine.begin() as writer:
            checkpoints.save(writer, checkpoint, checkpoints.signing_key(folder).public_key(), moment)
    return checkpoint
