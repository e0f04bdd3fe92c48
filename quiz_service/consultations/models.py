"""Consultation slots, their bookings and waitlists, and the students' notification choices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quiz_service.core.db import Base, UTCDateTime

ONLINE, IN_PERSON = "online", "in_person"
# A booking's states: holding a seat (booked, offered), queued (waiting), or over.
BOOKED, OFFERED, WAITING = "booked", "offered", "waiting"
CANCELLED, LAPSED, SLOT_CANCELLED = "cancelled", "lapsed", "slot_cancelled"
HOLDING_SEAT = (BOOKED, OFFERED)
ACTIVE = (BOOKED, OFFERED, WAITING)


class Slot(Base):
    """A consultation a teacher offers: `seats` seats, `booked` of them taken (or held for an offer).

    `booked` changes only by a conditional write (`booked < seats` on the way up), and the
    CHECK keeps it within 0..seats whatever a bug or a race would write.
    """

    __tablename__ = "consultation_slots"
    __table_args__ = (
        CheckConstraint("booked >= 0 AND booked <= seats", name="capacity"),
        CheckConstraint("seats >= 1", name="seats"),
        Index("ix_consultation_slots_teacher_start", "teacher_id", "starts_at"),
        Index("ix_consultation_slots_course_start", "course", "starts_at"),
        Index("ix_consultation_slots_declared", "course", "teacher_id", "declared", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course: Mapped[str] = mapped_column(String(64))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    seats: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)
    mode: Mapped[str] = mapped_column(String(10))  # online | in_person
    link: Mapped[str | None] = mapped_column(String(500))  # online: shown to booked students only
    room: Mapped[str | None] = mapped_column(String(200))  # in person
    title: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)  # booking window
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancel_until: Mapped[datetime] = mapped_column(UTCDateTime)  # students cancel before it
    visible_from: Mapped[datetime] = mapped_column(UTCDateTime)
    series: Mapped[str | None] = mapped_column(String(32))  # slots made together (a weekly series)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # consultations.yml's entry with an `id`: "<id>#<week>" (so an edited start moves this slot)
    declared: Mapped[str | None] = mapped_column(String(80), default=None)


class Booking(Base):
    """A student's place at a slot: booked, on the waitlist, offered a freed seat, or over.

    `active` is 1 while the booking is booked, waiting or offered and NULL afterwards, so the
    unique (slot, student, active) allows one live booking per student and slot and any number
    of finished ones (NULLs are distinct on SQLite and PostgreSQL): a cancelled booking never
    blocks booking again. `request_key` makes a retried request the same booking.
    """

    __tablename__ = "consultation_bookings"
    __table_args__ = (
        UniqueConstraint("slot_id", "student_id", "active", name="uq_consultation_bookings_live"),
        UniqueConstraint("student_id", "request_key", name="uq_consultation_bookings_request"),
        CheckConstraint("active = 1", name="active_one"),
        Index("ix_consultation_bookings_slot_state", "slot_id", "state", "queued_at"),
        Index("ix_consultation_bookings_student", "student_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("consultation_slots.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course: Mapped[str] = mapped_column(String(64))  # the slot's, for the per-course limit
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the slot's, for overlaps
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16))
    active: Mapped[int | None]
    topic: Mapped[str] = mapped_column(Text, default="")
    request_key: Mapped[str | None] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8), default="kk")  # the student's, for e-mail
    booked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the waitlist's order (then id)
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # an offer's end
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    private_note: Mapped[str] = mapped_column(Text, default="")  # the teachers' only
    shared_note: Mapped[str] = mapped_column(Text, default="")  # shown to the student


class ConsultationPreference(Base):
    """A student's choices: reminders on or off, the language of e-mail."""

    __tablename__ = "consultation_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    lang: Mapped[str | None] = mapped_column(String(8))


class Question(Base):
    """A student's question to a course's teachers about a lesson (R7.5): private to the student
    and the teachers until a teacher publishes it, without the student's name, to the course's FAQ."""

    __tablename__ = "consultation_questions"
    __table_args__ = (
        Index("ix_consultation_questions_course_answered", "course", "answered_at", "asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course: Mapped[str] = mapped_column(String(64))
    lesson: Mapped[str] = mapped_column(String(300))  # the lesson's path or id on the site
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8), default="kk")
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # in the course's FAQ since
    faq_text: Mapped[str | None] = mapped_column(
        Text
    )  # the question as published (anonymised by the teacher)
