"""The domain of proctoring: sessions before and during an attempt, uploads, browser events,
the risk summary, decisions and appeals. Functions take the session and `now`; they refuse by
raising the domain's errors. Incidents are reasons for a human to look, never proof."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from builder.quizzes.model import ProctoringPolicy
from quiz_service.core import events, jobs
from quiz_service.core.domain import Conflict, Forbidden, Invalid, NotFound, TooMany
from quiz_service.proctoring import storage
from quiz_service.proctoring.models import (
    Decision,
    MediaKind,
    ProctoringDeviceFrame,
    ProctoringIncident,
    ProctoringMedia,
    ProctoringSession,
    ProctoringUpload,
    SessionState,
)
from quiz_service.proctoring.sustained import Run, Sample, Window, lasting, repeated, sustained_runs

CHUNK = 512 * 1024  # the largest chunk of an upload (the service takes at most 1 MiB a request)
CHECKS = (MediaKind.ID_PHOTO, MediaKind.LIVE_PHOTO, MediaKind.ROOM_SCAN)
SPAN_KINDS = frozenset({"tab_hidden", "blur", "fullscreen_exit", "noise"})  # measured over time
ACTION_KINDS = frozenset({"copy", "paste", "screens"})  # discrete
SIGNAL_OF = {
    "tab_hidden": "tab",
    "blur": "tab",
    "fullscreen_exit": "fullscreen",
    "noise": "noise",
    "copy": "clipboard",
    "paste": "clipboard",
    "screens": "screens",
}
DARK = 45.0  # mean grey level under which "no face" is said to be the light, not an absence
BACKLIT = 0.3  # share of nearly white pixels over which "no face" is said to be backlight


@dataclass(frozen=True)
class Limits:
    quota: int
    image_bytes: int
    clip_bytes: int
    max_pixels: int
    snapshots_per_minute: int


def pending_key(user_id: int, course: str, quiz: str) -> str:
    return f"{user_id}:{course}:{quiz}"


def policy_of(session: ProctoringSession) -> ProctoringPolicy:
    data = json.loads(session.policy)
    return ProctoringPolicy(**{**data, "signals": tuple(data["signals"])})


def window_of(policy: ProctoringPolicy) -> Window:
    return Window(policy.sustained_seconds, policy.sustained_frames)


# -- before the attempt ---------------------------------------------------------------------


def open_session(
    writer: Session, user_id: int, course: str, quiz: str, policy: ProctoringPolicy, now: datetime
) -> ProctoringSession:
    """The student's session waiting for the next attempt of this quiz, or a new one."""
    if not policy.required:
        raise Invalid("not_proctored", "This quiz is not proctored.")
    key = pending_key(user_id, course, quiz)
    existing = writer.scalar(select(ProctoringSession).where(ProctoringSession.pending_key == key))
    if existing is not None:
        return existing
    session = ProctoringSession(
        user_id=user_id,
        course=course,
        quiz=quiz,
        pending_key=key,
        policy=json.dumps(asdict(policy)),
        state=SessionState.CHECKING,
        bytes_used=0,
        decision=Decision.PENDING,
        identity_confirmed=False,
        created_at=now,
    )
    writer.add(session)
    writer.flush()
    return session


def give_consent(writer: Session, session: ProctoringSession, now: datetime) -> None:
    if session.consent_at is None:
        session.consent_at = now
    mark_ready_if_checked(writer, session, now)


def checks_done(reader: Session, session: ProctoringSession) -> dict[str, bool]:
    kinds = set(reader.scalars(select(ProctoringMedia.kind).where(ProctoringMedia.session_id == session.id)))
    return {"consent": session.consent_at is not None} | {kind.value: kind in kinds for kind in CHECKS}


def mark_ready_if_checked(writer: Session, session: ProctoringSession, now: datetime) -> None:
    if session.state == SessionState.CHECKING and all(checks_done(writer, session).values()):
        session.state, session.ready_at = SessionState.READY, now


def let_start(writer: Session, session: ProctoringSession, proctor_id: int, now: datetime) -> None:
    """A proctor lets the student start without the checks (a camera that fails, a live proctor)."""
    if session.state != SessionState.CHECKING:
        return
    session.state, session.ready_at, session.let_by = SessionState.READY, now, proctor_id
    events.publish(writer, events.ProctoringLetStart(session.id, session.user_id, proctor_id, now))


def start_gate(writer: Session, user_id: int, course: str, quiz: str, now: datetime) -> None:
    """The quizzes' start gate: a new proctored attempt needs a ready session."""
    session = writer.scalar(
        select(ProctoringSession).where(ProctoringSession.pending_key == pending_key(user_id, course, quiz))
    )
    if session is None or session.state != SessionState.READY:
        raise Forbidden(
            "proctoring_required",
            f"This attestation is proctored: pass the checks first at /proctoring/{course}/{quiz}/check.",
        )


def link_attempt(connection: Connection, event: events.AttemptStarted) -> None:
    """On AttemptStarted: the ready session becomes this attempt's (subscriber, same transaction)."""
    connection.execute(
        update(ProctoringSession)
        .where(
            ProctoringSession.pending_key == pending_key(event.user_id, event.course, event.quiz),
            ProctoringSession.state == SessionState.READY,
        )
        .values(attempt_id=event.attempt_id, pending_key=None, state=SessionState.STARTED)
    )


def result_gate(reader: Session, attempt_id: int) -> bool:
    """The quizzes' result gate: withheld unless a proctor confirmed (an annulled result stays hidden)."""
    decision = reader.scalar(
        select(ProctoringSession.decision).where(ProctoringSession.attempt_id == attempt_id)
    )
    return decision != Decision.CONFIRMED


# -- uploads ------------------------------------------------------------------------------


def begin_upload(
    writer: Session, session: ProctoringSession, kind: MediaKind, size: int, limits: Limits, now: datetime
) -> ProctoringUpload:
    """A new upload of `size` bytes; refused beyond the kind's size, the quota, or too often."""
    if session.purged_at is not None or session.decision != Decision.PENDING:
        raise Conflict("proctoring_closed", "This session takes no more recordings.")
    if kind == MediaKind.SNAPSHOT and session.state != SessionState.STARTED:
        raise Conflict("not_started", "Snapshots are taken during the attempt.")
    rescan = kind == MediaKind.ROOM_SCAN and session.room_scan_requested_at is not None
    if kind != MediaKind.SNAPSHOT and session.state == SessionState.STARTED and not rescan:
        raise Conflict("checks_done", "The checks are done; a proctor may ask for the room scan again.")
    largest = limits.clip_bytes if kind == MediaKind.ROOM_SCAN else limits.image_bytes
    if size > largest:
        raise Invalid("too_large", f"At most {largest} bytes for a {kind.value}.")
    if session.bytes_used + _reserved(writer, session.id) + size > limits.quota:
        raise Invalid("quota_exceeded", "This attempt's recordings have reached their quota.")
    recent = writer.scalar(
        select(func.count())
        .select_from(ProctoringUpload)
        .where(
            ProctoringUpload.session_id == session.id,
            ProctoringUpload.created_at > now - timedelta(minutes=1),
        )
    )
    if (recent or 0) >= limits.snapshots_per_minute:
        raise TooMany("too_many_uploads", "Too many uploads in a minute.", retry_after=60)
    upload = ProctoringUpload(
        session_id=session.id, kind=kind, token=storage.new_name(kind), size=size, received=0, created_at=now
    )
    writer.add(upload)
    writer.flush()
    return upload


def _reserved(reader: Session, session_id: int) -> int:
    """Bytes promised to uploads still in progress."""
    return int(
        reader.scalar(
            select(func.coalesce(func.sum(ProctoringUpload.size - ProctoringUpload.received), 0)).where(
                ProctoringUpload.session_id == session_id, ProctoringUpload.received < ProctoringUpload.size
            )
        )
        or 0
    )


def put_chunk(
    writer: Session,
    root: Path,
    upload: ProctoringUpload,
    session: ProctoringSession,
    offset: int,
    data: bytes,
    limits: Limits,
    now: datetime,
) -> ProctoringMedia | None:
    """Append a chunk at `offset` (a retried chunk is accepted again); the media once complete."""
    if upload.received >= upload.size:
        raise Conflict("upload_complete", "This upload is complete.")
    if offset > upload.received or offset < 0:
        raise Conflict("upload_offset", f"Send from byte {upload.received}.")
    if not data or len(data) > CHUNK or offset + len(data) > upload.size:
        raise Invalid("bad_chunk", f"A chunk has 1 … {CHUNK} bytes and ends within the upload's size.")
    if offset == 0 and len(data) == upload.size:  # the whole upload in one chunk: no part file
        upload.received = upload.size
        stored = storage.store_whole(root, data, upload.kind, limits.max_pixels)
    else:
        storage.append_chunk(root, upload.token, offset, data)
        upload.received = offset + len(data)
        if upload.received < upload.size:
            return None
        stored = storage.finish_upload(root, upload.token, upload.kind, limits.max_pixels)
    media = ProctoringMedia(
        session_id=session.id,
        kind=upload.kind,
        name=stored.name,
        content_type=stored.content_type,
        size=stored.size,
        width=stored.width,
        height=stored.height,
        taken_at=now,
    )
    writer.add(media)
    session.bytes_used += stored.size
    if upload.kind == MediaKind.ROOM_SCAN:
        session.room_scan_requested_at = None
    writer.flush()
    mark_ready_if_checked(writer, session, now)
    if media.content_type.startswith("image/"):
        jobs.enqueue(
            writer, "proctoring.analyse", {"media_id": media.id}, key=f"proctoring-analyse:{media.id}"
        )
    else:  # the room scan: decoded by a job, reported to the proctor as a finding
        jobs.enqueue(
            writer, "proctoring.room_scan", {"media_id": media.id}, key=f"proctoring-room-scan:{media.id}"
        )
    return media


# -- browser events -------------------------------------------------------------------------


@dataclass(frozen=True)
class BrowserEvent:
    kind: str
    started_at: datetime
    ended_at: datetime


def record_events(
    writer: Session,
    session: ProctoringSession,
    reported: Sequence[BrowserEvent],
    skew: timedelta,
    now: datetime,
) -> int:
    """Log the browser's events (times moved by the client's clock skew, none in the future);
    flag those that lasted (spans) or repeated (actions) per the quiz's window. How many flagged."""
    if session.state != SessionState.STARTED:
        raise Conflict("not_started", "Events are reported during the attempt.")
    policy = policy_of(session)
    window = window_of(policy)
    for event in reported:
        if SIGNAL_OF[event.kind] not in policy.signals:
            continue
        started, ended = min(event.started_at + skew, now), min(event.ended_at + skew, now)
        if ended < started:
            raise Invalid("invalid_request", "An event ends before it starts.")
        flagged = event.kind in SPAN_KINDS and lasting(started, ended, window)
        writer.add(
            ProctoringIncident(
                session_id=session.id,
                kind=event.kind,
                source="browser",
                started_at=started,
                ended_at=ended,
                frames=0,
                flagged=flagged,
                evidence="[]",
            )
        )
    writer.flush()
    _flag_repeated_actions(writer, session.id, window)
    return flagged_count(writer, session.id)


@dataclass(frozen=True)
class DeviceFrame:
    at: datetime
    faces: int
    bodies: int
    yaw: float | None
    ms: float


DEVICE_YAW = 0.6  # radians (about 34°) of head yaw the on-device model calls "turned away"
DEVICE_CONDITIONS = ("faces", "absent", "head")


def device_conditions(frame: DeviceFrame) -> set[str]:
    """What one frame of the on-device model shows: a second face, nobody (no face, no body),
    the head turned away (a body without a face, or the face's yaw past DEVICE_YAW)."""
    if frame.faces >= 2:
        return {"faces"}
    if frame.faces == 0:
        return {"head"} if frame.bodies > 0 else {"absent"}
    if frame.yaw is not None and abs(frame.yaw) > DEVICE_YAW:
        return {"head"}
    return set()


def record_device_frames(
    writer: Session,
    session: ProctoringSession,
    backend: str,
    frames: Sequence[DeviceFrame],
    skew: timedelta,
    now: datetime,
) -> int:
    """Keep the on-device model's counts (times moved by the client's clock skew, none in the
    future) and remake the device's incidents with the quiz's sustained window, the same as the
    server's snapshots have. `backend == "off"`: the model could not load; logged, not flagged,
    so the proctor knows the server analysed alone. How many incidents are flagged."""
    if session.state != SessionState.STARTED:
        raise Conflict("not_started", "Frames are reported during the attempt.")
    if backend == "off":
        writer.add(
            ProctoringIncident(
                session_id=session.id,
                kind="device_off",
                source="device",
                started_at=now,
                ended_at=now,
                frames=0,
                flagged=False,
                evidence="[]",
            )
        )
    for frame in frames:
        at = min(frame.at + skew, now)
        writer.add(
            ProctoringDeviceFrame(
                session_id=session.id,
                at=at,
                backend=backend,
                faces=frame.faces,
                bodies=frame.bodies,
                yaw=frame.yaw,
                ms=frame.ms,
            )
        )
    writer.flush()
    if frames:
        _remake_device_incidents(writer, session)
    media = list(writer.scalars(select(ProctoringMedia).where(ProctoringMedia.session_id == session.id)))
    session.risk = json.dumps(risk_summary(writer, session, media))
    return flagged_count(writer, session.id)


def _remake_device_incidents(writer: Session, session: ProctoringSession) -> None:
    policy = policy_of(session)
    window = window_of(policy)
    rows = list(
        writer.execute(
            select(
                ProctoringDeviceFrame.at,
                ProctoringDeviceFrame.faces,
                ProctoringDeviceFrame.bodies,
                ProctoringDeviceFrame.yaw,
            ).where(ProctoringDeviceFrame.session_id == session.id)
        )
    )
    seen = [
        (row.at, device_conditions(DeviceFrame(row.at, row.faces, row.bodies, row.yaw, 0))) for row in rows
    ]
    writer.execute(
        delete(ProctoringIncident).where(
            ProctoringIncident.session_id == session.id,
            ProctoringIncident.source == "device",
            ProctoringIncident.kind.in_(DEVICE_CONDITIONS),
        )
    )
    for condition in DEVICE_CONDITIONS:
        if CONDITION_SIGNAL[condition] not in policy.signals:
            continue
        samples = [Sample(at, condition in conditions) for at, conditions in seen]
        for run in sustained_runs(samples, window):
            writer.add(
                ProctoringIncident(
                    session_id=session.id,
                    kind=condition,
                    source="device",
                    started_at=run.started_at,
                    ended_at=run.ended_at,
                    frames=run.frames,
                    flagged=True,
                    evidence=json.dumps(_snapshots_between(writer, session.id, run)),
                )
            )
    writer.flush()


def _snapshots_between(reader: Session, session_id: int, run: Run) -> list[int]:
    """The snapshots the server kept while the device saw the condition: the proctor's evidence."""
    return list(
        reader.scalars(
            select(ProctoringMedia.id)
            .where(
                ProctoringMedia.session_id == session_id,
                ProctoringMedia.kind == MediaKind.SNAPSHOT,
                ProctoringMedia.taken_at >= run.started_at,
                ProctoringMedia.taken_at <= run.ended_at,
            )
            .order_by(ProctoringMedia.taken_at)
            .limit(20)
        )
    )


def _flag_repeated_actions(writer: Session, session_id: int, window: Window) -> None:
    for kind in ACTION_KINDS:
        rows = list(
            writer.scalars(
                select(ProctoringIncident).where(
                    ProctoringIncident.session_id == session_id, ProctoringIncident.kind == kind
                )
            )
        )
        runs = repeated([row.started_at for row in rows], window)
        for row in rows:
            row.flagged = any(run.started_at <= row.started_at <= run.ended_at for run in runs)


# -- the server's analysis and the risk summary ---------------------------------------------


def snapshot_conditions(
    analysis: dict[str, Any], reference: dict[str, Any] | None, head_turn: float
) -> set[str]:
    """What a snapshot shows, by the server's analysis: a second face, nobody, too dark to tell,
    backlight, the head turned away (a profile only, a body without a face, or the face far from
    where it was in the live photo)."""
    faces, profiles = analysis["faces"], analysis["profiles"]
    if faces >= 2:
        return {"faces"}
    if faces == 0 and profiles == 0 and analysis.get("bodies", 0) > 0:
        return {"head"}  # someone is there (a body), the face is not seen
    if faces == 0 and profiles == 0:
        if analysis["brightness"] < DARK:
            return {"dark"}  # the light, not an absence: the page says so
        if analysis.get("bright_share", 0) > BACKLIT:
            return {"backlight"}  # a window or a lamp behind: the light, not an absence
        return {"absent"}
    if faces == 0:
        return {"head"}
    ref = (reference or {}).get("centre")
    centre = analysis.get("centre")
    if ref and centre and abs(centre[0] - ref[0]) > head_turn:
        return {"head"}
    return set()


CONDITION_SIGNAL = {
    "faces": "faces",
    "absent": "presence",
    "dark": "presence",
    "backlight": "presence",
    "head": "head",
}


def summarise(writer: Session, session: ProctoringSession) -> dict[str, Any]:
    """Remake the server's incidents from the analysed snapshots (idempotent) and the risk summary."""
    policy = policy_of(session)
    window = window_of(policy)
    media = list(
        writer.scalars(
            select(ProctoringMedia)
            .where(ProctoringMedia.session_id == session.id)
            .order_by(ProctoringMedia.taken_at)
        )
    )
    live = next((m for m in media if m.kind == MediaKind.LIVE_PHOTO and m.analysis), None)
    reference = json.loads(live.analysis) if live and live.analysis else None
    snapshots = [m for m in media if m.kind == MediaKind.SNAPSHOT and m.analysis]
    conditions = {
        m.id: snapshot_conditions(json.loads(m.analysis or "{}"), reference, policy.head_turn)
        for m in snapshots
    }
    writer.execute(
        delete(ProctoringIncident).where(
            ProctoringIncident.session_id == session.id, ProctoringIncident.source == "server"
        )
    )
    for condition, signal in CONDITION_SIGNAL.items():
        if signal not in policy.signals:
            continue
        samples = [Sample(m.taken_at, condition in conditions[m.id], m.id) for m in snapshots]
        for run in sustained_runs(samples, window):
            _add_server_incident(
                writer, session.id, condition, run.started_at, run.ended_at, run.frames, run.refs
            )
    all_snapshots = [m for m in media if m.kind == MediaKind.SNAPSHOT]
    gap = timedelta(seconds=3 * policy.snapshot_every)
    for before, after in itertools.pairwise(all_snapshots):
        if after.taken_at - before.taken_at > gap:
            _add_server_incident(
                writer, session.id, "gap", before.taken_at, after.taken_at, 0, (before.id, after.id)
            )
    writer.flush()
    risk = risk_summary(writer, session, media)
    session.risk = json.dumps(risk)
    return risk


def _add_server_incident(
    writer: Session,
    session_id: int,
    kind: str,
    started: datetime,
    ended: datetime,
    frames: int,
    refs: tuple[int, ...],
) -> None:
    writer.add(
        ProctoringIncident(
            session_id=session_id,
            kind=kind,
            source="server",
            started_at=started,
            ended_at=ended,
            frames=frames,
            flagged=True,
            evidence=json.dumps(list(refs)),
        )
    )


def risk_summary(reader: Session, session: ProctoringSession, media: list[ProctoringMedia]) -> dict[str, Any]:
    incidents = incidents_of(reader, session.id)
    flagged = [i for i in incidents if i.flagged]
    scores = [
        m.identity_score for m in media if m.kind == MediaKind.SNAPSHOT and m.identity_score is not None
    ]
    live = next((m for m in media if m.kind == MediaKind.LIVE_PHOTO), None)
    by_kind: dict[str, int] = {}
    for incident in flagged:
        by_kind[incident.kind] = by_kind.get(incident.kind, 0) + 1
    return {
        "incidents": len(flagged),
        "by_kind": by_kind,
        "logged": len(incidents) - len(flagged),
        "snapshots": sum(1 for m in media if m.kind == MediaKind.SNAPSHOT),
        "analysed": sum(1 for m in media if m.kind == MediaKind.SNAPSHOT and m.analysis),
        "id_vs_live": live.identity_score if live else None,
        "snapshots_vs_live": {
            "lowest": min(scores) if scores else None,
            "median": sorted(scores)[len(scores) // 2] if scores else None,
        },
        "level": "look" if flagged else "quiet",  # a reason to look, never a verdict
        "device": device_summary(reader, session.id),
    }


def device_summary(reader: Session, session_id: int) -> dict[str, Any]:
    """How the on-device model ran: its backend, how many frames, its median time per frame;
    backend "off" when it could not load (the server's analysis alone)."""
    rows = list(
        reader.execute(
            select(ProctoringDeviceFrame.backend, ProctoringDeviceFrame.ms)
            .where(ProctoringDeviceFrame.session_id == session_id)
            .order_by(ProctoringDeviceFrame.ms)
        )
    )
    off = reader.scalar(
        select(func.count())
        .select_from(ProctoringIncident)
        .where(ProctoringIncident.session_id == session_id, ProctoringIncident.kind == "device_off")
    )
    if not rows:
        return {"backend": "off" if off else None, "frames": 0, "median_ms": None}
    return {
        "backend": rows[-1].backend,
        "frames": len(rows),
        "median_ms": rows[len(rows) // 2].ms,
    }


def incidents_of(reader: Session, session_id: int) -> list[ProctoringIncident]:
    return list(
        reader.scalars(
            select(ProctoringIncident)
            .where(ProctoringIncident.session_id == session_id)
            .order_by(ProctoringIncident.started_at, ProctoringIncident.id)
        )
    )


# -- decisions and appeals ------------------------------------------------------------------


def decide(
    writer: Session,
    session: ProctoringSession,
    proctor_id: int,
    confirm: bool,
    identity_confirmed: bool,
    reason: str,
    is_admin: bool,
    now: datetime,
) -> None:
    """Confirm identity and result, or annul with a reason. Once decided, only an appeal reopens
    it, and then another proctor (or an admin) decides it, once."""
    if session.attempt_id is None:
        raise Conflict("no_attempt", "There is no attempt to decide on yet.")
    reason = reason.strip()
    if not confirm and not reason:
        raise Invalid("reason_required", "Say why the result is annulled.")
    if confirm and not identity_confirmed:
        raise Invalid("identity_unconfirmed", "Confirm the student's identity to confirm the result.")
    first = session.decision == Decision.PENDING
    if not first:
        if session.appeal is None or session.appeal_decided_at is not None:
            raise Conflict("already_decided", "This session is decided.")
        if session.decided_by == proctor_id and not is_admin:
            raise Forbidden(
                "another_proctor", "An appeal is decided by another proctor or the academic office."
            )
        session.appeal_decided_by, session.appeal_decided_at = proctor_id, now
    session.decision = Decision.CONFIRMED if confirm else Decision.ANNULLED
    session.identity_confirmed = identity_confirmed
    session.reason = reason or None
    if first:
        session.decided_by, session.decided_at = proctor_id, now
    events.publish(
        writer,
        events.ProctoringDecided(
            session.id,
            session.attempt_id,
            session.user_id,
            session.course,
            session.quiz,
            session.decision.value,
            identity_confirmed,
            reason,
            proctor_id,
            not first,
            now,
        ),
    )


def appeal(writer: Session, session: ProctoringSession, text: str, now: datetime) -> None:
    if session.decision == Decision.PENDING:
        raise Conflict("not_decided", "There is no decision to appeal yet.")
    if session.appeal is not None:
        raise Conflict("already_appealed", "A decision is appealed once.")
    text = text.strip()
    if not text:
        raise Invalid("appeal_text", "Write why you appeal.")
    session.appeal, session.appealed_at = text, now
    events.publish(writer, events.ProctoringAppealed(session.id, session.attempt_id, session.user_id, now))


def request_room_scan(writer: Session, session: ProctoringSession, proctor_id: int, now: datetime) -> None:
    if session.decision != Decision.PENDING:
        raise Conflict("already_decided", "This session is decided.")
    session.room_scan_requested_at = now


# -- retention ------------------------------------------------------------------------------


def purge(writer: Session, root: Path, now: datetime, days: int) -> int:
    """Delete the recordings of sessions older than `days` that are decided with no appeal open,
    and parts of uploads abandoned a day ago; the rows of incidents and decisions stay. How many
    sessions were purged."""
    cutoff = now - timedelta(days=days)
    due = list(
        writer.scalars(
            select(ProctoringSession).where(
                ProctoringSession.created_at < cutoff,
                ProctoringSession.purged_at.is_(None),
                ProctoringSession.decision != Decision.PENDING,
            )
        )
    )
    purged = 0
    for session in due:
        if session.appeal is not None and session.appeal_decided_at is None:
            continue  # an open appeal keeps its evidence
        for media in writer.scalars(select(ProctoringMedia).where(ProctoringMedia.session_id == session.id)):
            storage.remove_media(root, media.name)
        session.purged_at = now
        purged += 1
        events.publish(writer, events.ProctoringPurged(session.id, session.attempt_id, now))
    stale = list(
        writer.scalars(select(ProctoringUpload).where(ProctoringUpload.created_at < now - timedelta(days=1)))
    )
    for upload in stale:
        storage.part_path(root, upload.token).unlink(missing_ok=True)
        writer.delete(upload)
    return purged


def session_for(reader: Session, session_id: int) -> ProctoringSession:
    session = reader.get(ProctoringSession, session_id)
    if session is None:
        raise NotFound("not_found", "There is no such proctoring session.")
    return session


def flagged_count(session: Session, session_id: int) -> int:
    """How many of the session's incidents are flagged (sustained), for the answer to an upload."""
    query = (
        select(func.count())
        .select_from(ProctoringIncident)
        .where(ProctoringIncident.session_id == session_id, ProctoringIncident.flagged.is_(True))
    )
    return int(session.scalar(query) or 0)
