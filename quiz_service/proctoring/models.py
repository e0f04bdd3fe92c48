"""Proctoring's tables: a session per attempt, its media (photos, room scan, snapshots), uploads
in progress, the browser's reported events and the incidents flagged from sustained conditions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from quiz_service.core.db import Base, UTCDateTime


class SessionState(enum.StrEnum):
    CHECKING = "checking"  # consent, photos, room scan not all done yet
    READY = "ready"  # the checks passed, or a proctor let the student start
    STARTED = "started"  # the attempt exists (attempt_id set)


class Decision(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"  # identity and result confirmed: the grade shows
    ANNULLED = "annulled"  # the result does not count; the reason is shown to the student


class MediaKind(enum.StrEnum):
    ID_PHOTO = "id_photo"
    LIVE_PHOTO = "live_photo"
    ROOM_SCAN = "room_scan"
    SNAPSHOT = "snapshot"


class ProctoringSession(Base):
    __tablename__ = "proctoring_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course: Mapped[str] = mapped_column(String(100))
    quiz: Mapped[str] = mapped_column(String(100))
    # Unique while the session waits for its attempt: one pending session per student and quiz.
    pending_key: Mapped[str | None] = mapped_column(String(250), unique=True)
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="SET NULL"), unique=True
    )
    policy: Mapped[str] = mapped_column(Text)  # JSON: the quiz's pinned proctoring settings
    state: Mapped[SessionState] = mapped_column(
        Enum(SessionState, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    let_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    room_scan_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # by a proctor
    bytes_used: Mapped[int] = mapped_column(Integer, default=0)
    decision: Mapped[Decision] = mapped_column(
        Enum(Decision, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=Decision.PENDING,
    )
    identity_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    appeal: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appeal_decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    appeal_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    risk: Mapped[str | None] = mapped_column(Text)  # JSON: the risk summary, remade by a job
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # its files are gone (retention)


class ProctoringMedia(Base):
    __tablename__ = "proctoring_media"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("proctoring_sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MediaKind] = mapped_column(
        Enum(MediaKind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    name: Mapped[str] = mapped_column(String(80), unique=True)  # server-made, never the client's
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the server's time of the upload's end
    analysis: Mapped[str | None] = mapped_column(Text)  # JSON from the analysis job
    identity_score: Mapped[float | None] = mapped_column(Float)  # vs the ID photo; a score, not a decision


class ProctoringUpload(Base):
    """An upload in progress: chunks are appended at `received`; done when it reaches `size`."""

    __tablename__ = "proctoring_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("proctoring_sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MediaKind] = mapped_column(
        Enum(MediaKind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the part file's server-made name
    size: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProctoringIncident(Base):
    """A condition that lasted: a reason for a human to look, never proof."""

    __tablename__ = "proctoring_incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("proctoring_sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))  # faces, absent, head, identity, tab, fullscreen, …
    source: Mapped[str] = mapped_column(String(16))  # "browser" or "server"
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    frames: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)  # False: logged, not sustained
    evidence: Mapped[str] = mapped_column(Text, default="[]")  # JSON: media ids


class ProctoringDeviceFrame(Base):
    """One frame the on-device model analysed in the student's browser (no picture is kept):
    what it counted, fed to the same sustained window as the server's snapshots."""

    __tablename__ = "proctoring_device_frames"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("proctoring_sessions.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    backend: Mapped[str] = mapped_column(String(16))  # humangl (WebGL), wasm (WebAssembly) or cpu
    faces: Mapped[int] = mapped_column(Integer)
    bodies: Mapped[int] = mapped_column(Integer)
    yaw: Mapped[float | None] = mapped_column(Float, nullable=True)  # radians, one face only
    ms: Mapped[float] = mapped_column(Float)  # the model's time for this frame on the device
