"""Request and response bodies of the schedules API (the OpenAPI document comes from them)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from quiz_service.core.openapi import RequestBody

Status = Literal["present", "late", "absent", "excused"]


class JoinOut(BaseModel):
    join_url: str  # the meeting: given only to who may join, after their attendance is recorded
    status: Status | None  # None: a teacher of the class (nothing recorded)
    joined_at: datetime | None


class AttendanceRowOut(BaseModel):
    user_id: int
    email: str
    full_name: str | None
    group: str | None
    status: Status | None  # None: not joined, not marked yet
    joined_at: datetime | None
    reason: str | None


class AttendanceOut(BaseModel):
    schedule: str
    class_id: str
    start: datetime
    end: datetime
    students: list[AttendanceRowOut]


class MarkIn(RequestBody):
    status: Status
    reason: str | None = Field(default=None, max_length=500)


class FeedOut(BaseModel):
    url: str  # shown once: only its digest is kept
