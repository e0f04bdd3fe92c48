"""Request and response bodies of proctoring's API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from quiz_service.core.openapi import RequestBody

EventKind = Literal["tab_hidden", "blur", "fullscreen_exit", "noise", "copy", "paste", "screens"]


class UploadIn(RequestBody):
    kind: Literal["id_photo", "live_photo", "room_scan", "snapshot"]
    size: int = Field(gt=0, description="The whole file's bytes; chunks follow with PUT")


class UploadOut(BaseModel):
    id: int
    kind: str
    size: int
    received: int = Field(description="Send the next chunk from this byte (a gap is never skipped)")
    chunk: int = Field(description="The largest chunk accepted")
    media_id: int | None = Field(default=None, description="Set when the upload is complete and stored")


class UploadChunkQuery(BaseModel):
    offset: int = Field(ge=0)


class EventIn(BaseModel):
    kind: EventKind
    started_at: datetime
    ended_at: datetime | None = Field(default=None, description="For spans (tab hidden, noise …)")


class EventsIn(RequestBody):
    sent_at: datetime = Field(description="The browser's clock when sending: the server corrects skew")
    events: list[EventIn] = Field(max_length=200)


class EventsOut(BaseModel):
    logged: int
    flagged: int = Field(description="Incidents of the session so far (sustained conditions only)")


class DeviceFrameIn(BaseModel):
    at: datetime
    faces: int = Field(ge=0, le=20)
    bodies: int = Field(ge=0, le=20)
    yaw: float | None = Field(default=None, ge=-3.2, le=3.2, description="Radians, one face only")
    ms: float = Field(ge=0, le=600_000, description="The model's time for this frame on the device")


class DeviceFramesIn(RequestBody):
    sent_at: datetime = Field(description="The browser's clock when sending: the server corrects skew")
    backend: Literal["humangl", "webgl", "wasm", "cpu", "off"] = Field(
        description="The backend the on-device model runs on (humangl/webgl: WebGL, wasm: WebAssembly, "
        "cpu: plain JavaScript); off: it could not load (server only)"
    )
    frames: list[DeviceFrameIn] = Field(default_factory=list, max_length=120)


class DeviceFramesOut(BaseModel):
    recorded: int
    flagged: int = Field(description="Incidents of the session so far (sustained conditions only)")


class ChecksOut(BaseModel):
    consent: bool
    id_photo: bool
    live_photo: bool
    room_scan: bool


class PolicyOut(BaseModel):
    signals: list[str]
    snapshot_every: int
    sustained_seconds: int
    sustained_frames: int
    noise_level: float


class IncidentOut(BaseModel):
    id: int
    kind: str
    source: str
    started_at: datetime
    ended_at: datetime
    frames: int
    flagged: bool
    evidence: list[int]


class MediaOut(BaseModel):
    id: int
    kind: str
    taken_at: datetime
    identity_score: float | None
    analysis: dict[str, object] | None
    url: str


class SessionOut(BaseModel):
    id: int
    course: str
    quiz: str
    state: str
    attempt_id: int | None
    checks: ChecksOut
    policy: PolicyOut
    room_scan_requested: bool
    decision: str
    identity_confirmed: bool
    reason: str | None
    appeal: str | None
    appeal_decided: bool
    purged: bool
    bytes_used: int
    risk: dict[str, object] | None = Field(default=None, description="Proctors only")
    incidents: list[IncidentOut] | None = Field(default=None, description="Proctors only")
    media: list[MediaOut] | None = Field(default=None, description="Proctors and the student")


class SessionsOut(BaseModel):
    sessions: list[SessionOut]


class DecisionIn(RequestBody):
    decision: Literal["confirm", "annul"]
    identity_confirmed: bool = False
    reason: str = Field(default="", max_length=2000)


class AppealIn(RequestBody):
    text: str = Field(min_length=1, max_length=4000)
