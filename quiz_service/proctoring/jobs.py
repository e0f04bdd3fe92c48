"""Background jobs of proctoring: the server's analysis of each photo and snapshot (then the
session's risk summary, remade), the room scan's finding, and the daily purge of recordings past their retention."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz_service.core import db, jobs
from quiz_service.core.clock import now
from quiz_service.proctoring import analysis, room_scan, service, storage
from quiz_service.proctoring.models import MediaKind, ProctoringMedia, ProctoringSession


def root() -> Path:
    return Path(current_app.config["PROCTORING_DIR"])


@jobs.job("proctoring.analyse")
def analyse_media(run: jobs.JobRun) -> None:
    """Faces, presence, head position and the identity score of one picture; idempotent (a rerun
    writes the same numbers again)."""
    media_id = int(run.payload["media_id"])
    with db.write_transaction() as writer:
        media = writer.get(ProctoringMedia, media_id)
        if media is None:
            return
        session = writer.get_one(ProctoringSession, media.session_id)
        if session.purged_at is not None:
            return
        analyse_one(writer, session, media)
        service.summarise(writer, session)


def analyse_one(writer: Session, session: ProctoringSession, media: ProctoringMedia) -> None:
    grey = analysis.decode(storage.media_path(root(), media.name).read_bytes())
    media.analysis = json.dumps(analysis.analyse(grey).as_json())
    signature = analysis.face_signature(grey)
    if media.kind == MediaKind.LIVE_PHOTO:
        media.identity_score = analysis.similarity(
            signature, _signature_of(writer, session, MediaKind.ID_PHOTO)
        )
    elif media.kind == MediaKind.SNAPSHOT:
        media.identity_score = analysis.similarity(
            signature, _signature_of(writer, session, MediaKind.LIVE_PHOTO)
        )
    elif media.kind == MediaKind.ID_PHOTO:
        live = _latest(writer, session, MediaKind.LIVE_PHOTO)
        if live is not None:  # the ID photo came after the live photo: score the live photo now
            live.identity_score = analysis.similarity(
                _signature_of(writer, session, MediaKind.LIVE_PHOTO), signature
            )


def _latest(reader: Session, session: ProctoringSession, kind: MediaKind) -> ProctoringMedia | None:
    return reader.scalar(
        select(ProctoringMedia)
        .where(ProctoringMedia.session_id == session.id, ProctoringMedia.kind == kind)
        .order_by(ProctoringMedia.id.desc())
        .limit(1)
    )


def _signature_of(reader: Session, session: ProctoringSession, kind: MediaKind) -> analysis.Signature | None:
    media = _latest(reader, session, kind)
    if media is None:
        return None
    path = storage.media_path(root(), media.name)
    return analysis.face_signature(analysis.decode(path.read_bytes())) if path.exists() else None


@jobs.job("proctoring.room_scan")
def examine_room_scan(run: jobs.JobRun) -> None:
    """Decode the room scan: its length, readable frames and the camera's movement, stored as
    the clip's analysis for the proctor (a finding, never a decision); idempotent."""
    media_id = int(run.payload["media_id"])
    with db.write_transaction() as writer:
        media = writer.get(ProctoringMedia, media_id)
        if media is None or media.kind != MediaKind.ROOM_SCAN:
            return
        session = writer.get_one(ProctoringSession, media.session_id)
        path = storage.media_path(root(), media.name)
        if session.purged_at is not None or not path.exists():
            return
        min_seconds = room_scan.MIN_SHARE * int(current_app.config["PROCTORING_ROOM_SCAN_SECONDS"])
        media.analysis = json.dumps(room_scan.examine(path, min_seconds).as_json())


@jobs.periodic("proctoring.purge", every=timedelta(days=1))
def purge_daily(run: jobs.JobRun) -> None:
    with db.write_transaction() as writer:
        service.purge(writer, root(), now(), int(current_app.config["PROCTORING_RETENTION_DAYS"]))
