"""Attendance of live classes, private calendar feeds, plan decisions and health accommodations,
and the history of the academic office's changes to them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quiz_service.core.db import Base, UTCDateTime, utcnow


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"  # absent for a reason the teacher accepted (the reason is kept)


class Attendance(Base):
    """One student at one class: made by the student's join, confirmed or corrected by a teacher."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("schedule", "class_id", "user_id", name="uq_attendance_student"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule: Mapped[str] = mapped_column(String(100))  # a course id, or "staff-training"
    class_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(
        Enum(
            AttendanceStatus,
            name="attendance_status",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda kinds: [kind.value for kind in kinds],
        )
    )
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeed(Base):
    """A user's private calendar address: only the token's SHA-256 is kept; a new one replaces it."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlanDecision(Base):
    """The academic office's decision on one student's plan (R5): for a course (`module` empty) an
    exemption or an individual start, for a module an individual deadline."""

    __tablename__ = "plan_decisions"
    __table_args__ = (UniqueConstraint("user_id", "course", "module", name="uq_plan_decisions_target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course: Mapped[str] = mapped_column(String(100))
    module: Mapped[str] = mapped_column(String(100), default="")  # "" for the whole course
    exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    starts: Mapped[date | None] = mapped_column(Date)
    due: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Accommodation(Base):
    """R9: a student with a temporary health restriction studies asynchronously for a period, by
    the institution's decision. Only the medical document's reference is kept, never the document."""

    __tablename__ = "accommodations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    document_ref: Mapped[str] = mapped_column(String(200))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlanChange(Base):
    """The history of the academic office's changes to a student's plan and accommodations: what
    was (`before`) and what became (`after`) of one decision or accommodation, who, when and why.
    Rows are only added; the current state is in `plan_decisions` and `accommodations`."""

    __tablename__ = "plan_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # see plans.CHANGE_KINDS
    target: Mapped[str] = mapped_column(String(210))  # "course", "course/module" or "accommodation:<id>"
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
