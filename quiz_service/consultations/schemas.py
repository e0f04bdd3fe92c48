"""The consultations API's bodies (the OpenAPI document is generated from them)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from quiz_service.core.openapi import RequestBody


class SlotIn(RequestBody):
    starts_at: AwareDatetime = Field(description="ISO 8601 with its zone")
    minutes: int = Field(description="Duration in minutes")
    seats: int = Field(default=1, description="1: an individual consultation; more: a group")
    mode: Literal["online", "in_person"] = "online"
    link: str | None = Field(default=None, max_length=500, description="Online: the meeting link")
    room: str | None = Field(default=None, max_length=200, description="In person: the room")
    title: str = Field(default="", max_length=200)
    opens_at: AwareDatetime | None = Field(default=None, description="Booking opens (default: now)")
    closes_at: AwareDatetime | None = Field(default=None, description="Booking closes (default: the start)")
    cancel_until: AwareDatetime | None = Field(default=None, description="Students cancel before it")
    visible_from: AwareDatetime | None = Field(
        default=None, description="Shown to students from (default: now)"
    )
    weeks: int = Field(default=1, description="A weekly series of this many slots, in one step")


class SlotOut(BaseModel):
    id: int
    course: str
    teacher: str = Field(description="The teacher's name")
    title: str
    kind: Literal["individual", "group"]
    mode: str
    seats: int
    free: int = Field(description="Seats neither booked nor held for an offer")
    waiting: int
    starts_at: datetime
    ends_at: datetime
    opens_at: datetime
    closes_at: datetime
    cancel_until: datetime
    visible_from: datetime
    room: str | None
    link: str | None = Field(description="Online: to the teachers and booked students only")
    series: str | None
    cancelled: bool
    cancel_reason: str
    my_booking: int | None = Field(default=None, description="The caller's live booking here")
    my_state: str | None = None


class SlotsOut(BaseModel):
    course: str
    zone: str = "Asia/Almaty"
    slots: list[SlotOut]


class BookingIn(RequestBody):
    topic: str = Field(default="", max_length=1000, description="What the student wants to discuss")
    waitlist: bool = Field(default=True, description="A full slot: join its waitlist (else 409 slot_full)")
    request_key: str | None = Field(
        default=None, max_length=64, description="Idempotency key (or the Idempotency-Key header)"
    )
    student: str | None = Field(default=None, max_length=254, description="Staff only: book this student in")


class BookingOut(BaseModel):
    id: int
    slot_id: int
    course: str
    state: str = Field(description="booked, waiting, offered, cancelled, lapsed or slot_cancelled")
    position: int | None = Field(description="On the waitlist: 1 is next")
    hold_until: datetime | None = Field(description="An offered seat is held until then")
    topic: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    room: str | None
    link: str | None = Field(description="Online: given once the seat is booked")
    shared_note: str
    attended: bool | None
    student: str | None = Field(default=None, description="Teachers' view: the student's e-mail")
    student_name: str | None = None
    private_note: str | None = Field(default=None, description="Teachers' view only")


class BookingsOut(BaseModel):
    bookings: list[BookingOut]


class CancelSlotIn(RequestBody):
    reason: str = Field(max_length=4000)


class SeatsIn(RequestBody):
    seats: int


class AttendanceIn(RequestBody):
    attended: bool | None = None
    private_note: str | None = Field(default=None, max_length=4000)
    shared_note: str | None = Field(default=None, max_length=4000)


class PreferencesIn(RequestBody):
    reminders: bool | None = None
    lang: Literal["kk", "ru", "en"] | None = None


class PreferencesOut(BaseModel):
    reminders: bool
    lang: str | None


class QuestionIn(RequestBody):
    lesson: str = Field(max_length=300, description="The lesson's path or id on the site")
    text: str = Field(max_length=4000)


class AnswerIn(RequestBody):
    answer: str = Field(max_length=4000)


class PublishIn(RequestBody):
    published: bool = True
    faq_text: str | None = Field(
        default=None, max_length=4000, description="The question as published, without names"
    )


class QuestionOut(BaseModel):
    id: int
    course: str
    lesson: str
    text: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None
    published: bool
    faq_text: str | None = None
    student: str | None = Field(default=None, description="Teachers' view: the student's e-mail")
    student_name: str | None = None
    age_hours: float | None = Field(default=None, description="Teachers' queue: hours since it was asked")


class QuestionsOut(BaseModel):
    questions: list[QuestionOut]


class FaqItem(BaseModel):
    lesson: str
    question: str
    answer: str


class FaqOut(BaseModel):
    course: str
    items: list[FaqItem]
