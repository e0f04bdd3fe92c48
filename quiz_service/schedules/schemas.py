"""Request and response bodies of the schedules API (the OpenAPI document comes from them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

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
    asynchronous: bool = False  # R9: studies asynchronously on the class's day (a health accommodation)


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


class DeadlineOut(BaseModel):
    module: str
    title: dict[str, str]
    due: date
    individual: bool


class PlanCourseOut(BaseModel):
    course: str
    title: dict[str, str]
    contact: int
    distance: int
    exempt: bool
    starts: date | None
    asynchronous: bool
    deadlines: list[DeadlineOut]


class PlanTermOut(BaseModel):
    term: int
    starts: date
    ends: date
    courses: list[PlanCourseOut]


class AccommodationOut(BaseModel):
    id: int
    document_ref: str
    starts: date
    ends: date


class PlanOut(BaseModel):
    user_id: int
    group: str
    programme: dict[str, str]
    contact_hours: int
    distance_hours: int
    terms: list[PlanTermOut]
    accommodations: list[AccommodationOut]


class DecisionIn(RequestBody):
    course: str = Field(min_length=1, max_length=100)
    module: str = Field(default="", max_length=100)
    exempt: bool = False
    starts: date | None = None
    due: date | None = None
    note: str | None = Field(default=None, max_length=500)


class AccommodationIn(RequestBody):
    document_ref: str = Field(min_length=1, max_length=200)
    starts: date
    ends: date


class AccommodationEndIn(RequestBody):
    on: date  # the last day of asynchronous study
    reason: str | None = Field(default=None, max_length=500)


class AccommodationCorrectionIn(RequestBody):
    document_ref: str = Field(min_length=1, max_length=200)
    starts: date
    ends: date
    reason: str = Field(min_length=1, max_length=500)  # a correction says why


class DecisionClearIn(RequestBody):
    course: str = Field(min_length=1, max_length=100)
    module: str = Field(default="", max_length=100)
    reason: str | None = Field(default=None, max_length=500)


class PlanChangeOut(BaseModel):
    kind: Literal[
        "decision_set",
        "decision_cleared",
        "accommodation_added",
        "accommodation_ended",
        "accommodation_corrected",
    ]
    target: str  # "course", "course/module" or "accommodation:<id>"
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
    changed_by: int | None
    changed_at: datetime


class PlanHistoryOut(BaseModel):
    user_id: int
    changes: list[PlanChangeOut]  # the newest first
