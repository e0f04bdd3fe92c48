"""The consultations API under /api/v1/consultations/ (the pages are in `pages.py`).

Access: a course's slots are for whoever may read the course (its enrolled students, its
teachers, admins; everyone for an open course); publishing, cancelling slots, the bookings
of a slot and attendance are for its teachers and admins (403 for a teacher of another course);
a student's booking is theirs alone (another's answers 404, as a missing one).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from flask import Blueprint, Flask, Response, g, request
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from auth import service as accounts
from auth.access import courses
from auth.enrolment import CourseAccess, may_read, may_teach
from auth.models import Role, User
from quiz_service.consultations import service
from quiz_service.consultations.models import BOOKED, WAITING, Booking, Slot
from quiz_service.consultations.schemas import (
    AttendanceIn,
    BookingIn,
    BookingOut,
    BookingsOut,
    CancelSlotIn,
    PreferencesIn,
    PreferencesOut,
    SeatsIn,
    SlotIn,
    SlotOut,
    SlotsOut,
)
from quiz_service.consultations.settings import policy
from quiz_service.core import db, service_bundle
from quiz_service.core.clock import now
from quiz_service.core.db import release_reader
from quiz_service.core.domain import Conflict, Forbidden, Invalid, NotFound
from quiz_service.core.i18n import request_language
from quiz_service.core.openapi import operation

api = Blueprint("consultations", __name__, url_prefix="/api/v1/consultations")
MAX_REQUEST_KEY = 64
RETRIES = 3
T = TypeVar("T")


def init_app(app: Flask) -> None:
    app.register_blueprint(api)


# -- access -------------------------------------------------------------------------------


def course_of(course_id: str) -> CourseAccess:
    course = courses().get(course_id)
    if course is None:
        raise NotFound("not_found", "There is no such course.")
    return course


def readable_course(course_id: str) -> CourseAccess:
    course = course_of(course_id)
    if not may_read(db.session(), g.user, course):
        raise Forbidden("forbidden", "Only the course's students and teachers see its consultations.")
    return course


def taught_course(course_id: str) -> CourseAccess:
    course = course_of(course_id)
    if not may_teach(g.user, course):
        raise Forbidden("forbidden", "Only the course's teachers and admins may do this.")
    return course


def taught_slot(slot_id: int) -> Slot:
    slot = service.slot_of(db.session(), slot_id)
    taught_course(slot.course)
    return slot


def live_classes(teacher: User) -> list[service.Interval]:
    """The teacher's live classes of every course of the bundle (a slot must not overlap one)."""
    manifest = service_bundle.current().manifest
    found: list[service.Interval] = []
    for course in manifest.courses if manifest else []:
        for item in course.schedule:
            if isinstance(item.teacher, str) and item.teacher.lower() == teacher.email.lower():
                try:
                    start = datetime.fromisoformat(item.start)
                except ValueError:
                    continue
                if start.tzinfo is not None:
                    found.append((start, start + timedelta(minutes=item.duration)))
    return found


def in_transaction(change: Callable[[Session], T]) -> T:
    """Run `change` in a write transaction; a unique constraint hit by a parallel request
    (the backstop) is tried again, when the other request's row is visible and decides."""
    release_reader()
    for attempt in range(RETRIES):
        try:
            with db.write_transaction() as writer:
                return change(writer)
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise Conflict("busy", "Too many requests for this at once; try again.") from None
    raise AssertionError("unreachable")


# -- shaping ------------------------------------------------------------------------------


def waiting_counts(reader: Session, slot_ids: list[int]) -> dict[int, int]:
    if not slot_ids:
        return {}
    rows = reader.execute(
        select(Booking.slot_id, func.count())
        .where(Booking.slot_id.in_(slot_ids), Booking.state == WAITING)
        .group_by(Booking.slot_id)
    ).all()
    return {slot_id: int(count) for slot_id, count in rows}


def slot_out(
    slot: Slot, teacher_name: str, waiting: int, *, show_link: bool, mine: Booking | None = None
) -> SlotOut:
    return SlotOut(
        id=slot.id, course=slot.course, teacher=teacher_name, title=slot.title,
        kind="individual" if slot.seats == 1 else "group", mode=slot.mode, seats=slot.seats,
        free=max(slot.seats - slot.booked, 0) if slot.cancelled_at is None else 0, waiting=waiting,
        starts_at=slot.starts_at, ends_at=slot.ends_at, opens_at=slot.opens_at, closes_at=slot.closes_at,
        cancel_until=slot.cancel_until, visible_from=slot.visible_from, room=slot.room,
        link=slot.link if show_link or (mine is not None and mine.state == BOOKED) else None,
        series=slot.series, cancelled=slot.cancelled_at is not None, cancel_reason=slot.cancel_reason,
        my_booking=mine.id if mine else None, my_state=mine.state if mine else None,
    )  # fmt: skip


def slots_out(reader: Session, course: str, slots: list[Slot], *, teacher_view: bool) -> SlotsOut:
    ids = [slot.id for slot in slots]
    waiting = waiting_counts(reader, ids)
    teachers = select(User.id, User.full_name).where(User.id.in_({s.teacher_id for s in slots}))
    names = {user_id: name for user_id, name in reader.execute(teachers).all()}
    mine: dict[int, Booking] = {}
    if ids and not teacher_view:
        own = select(Booking).where(
            Booking.student_id == g.user.id, Booking.slot_id.in_(ids), Booking.active.is_not(None)
        )
        mine = {booking.slot_id: booking for booking in reader.scalars(own)}
    shaped = [
        slot_out(
            s, names.get(s.teacher_id, ""), waiting.get(s.id, 0), show_link=teacher_view, mine=mine.get(s.id)
        )
        for s in slots
    ]
    return SlotsOut(course=course, slots=shaped)


def booking_out(reader: Session, booking: Booking, slot: Slot, student: User | None = None) -> BookingOut:
    return BookingOut(
        id=booking.id, slot_id=slot.id, course=slot.course, state=booking.state,
        position=service.waiting_position(reader, booking),
        hold_until=booking.hold_until, topic=booking.topic, starts_at=slot.starts_at, ends_at=slot.ends_at,
        mode=slot.mode, room=slot.room,
        link=slot.link if booking.state == BOOKED or student is not None else None,
        shared_note=booking.shared_note, attended=booking.attended,
        student=student.email if student else None, student_name=student.full_name if student else None,
        private_note=booking.private_note if student else None,
    )  # fmt: skip


# -- slots --------------------------------------------------------------------------------


@api.get("/<course>/slots")
@operation(
    "The course's consultation slots a student may book, with the caller's own place",
    response=SlotsOut,
    auth=True,
)
def list_slots(course: str) -> SlotsOut:
    readable_course(course)
    reader = db.session()
    return slots_out(reader, course, service.visible_slots(reader, course, now()), teacher_view=False)


@api.get("/<course>/teach")
@operation("Every slot of the course (teachers)", response=SlotsOut, auth=True)
def list_taught_slots(course: str) -> SlotsOut:
    taught_course(course)
    reader = db.session()
    since = now() - timedelta(days=30)
    return slots_out(reader, course, service.course_slots(reader, course, since), teacher_view=True)


def spec_of(course: str, body: SlotIn) -> service.SlotSpec:
    return service.SlotSpec(
        course=course, starts_at=body.starts_at, minutes=body.minutes, seats=body.seats, mode=body.mode,
        link=body.link, room=body.room, title=body.title, opens_at=body.opens_at, closes_at=body.closes_at,
        cancel_until=body.cancel_until, visible_from=body.visible_from, weeks=body.weeks,
    )  # fmt: skip


def publish_slots(course: str, spec: service.SlotSpec) -> SlotsOut:
    taught_course(course)
    teacher, moment, classes = g.user, now(), live_classes(g.user)

    def change(writer: Session) -> SlotsOut:
        made = service.create_slots(writer, spec, teacher, moment, classes)
        return slots_out(writer, course, made, teacher_view=True)

    return in_transaction(change)


@api.post("/<course>/slots")
@operation(
    "Publish a consultation slot, or a weekly series of them (refused if one overlaps the teacher's)",
    body=SlotIn,
    response=SlotsOut,
    status=201,
    auth=True,
)
def create_slots(course: str, body: SlotIn) -> SlotsOut:
    return publish_slots(course, spec_of(course, body))


@api.post("/slots/<int:slot_id>/cancel")
@operation(
    "Cancel a slot with a reason that reaches every booked student",
    body=CancelSlotIn,
    response=BookingsOut,
    auth=True,
)
def cancel_slot(slot_id: int, body: CancelSlotIn) -> BookingsOut:
    taught_slot(slot_id)
    moment = now()

    def change(writer: Session) -> BookingsOut:
        ended = service.cancel_slot(writer, slot_id, body.reason, moment)
        slot = writer.get_one(Slot, slot_id)
        return BookingsOut(
            bookings=[booking_out(writer, b, slot, writer.get(User, b.student_id)) for b in ended]
        )

    return in_transaction(change)


@api.post("/slots/<int:slot_id>/seats")
@operation(
    "Change a slot's seats (never below those taken; new seats go to the waitlist first)",
    body=SeatsIn,
    response=SlotOut,
    auth=True,
)
def change_seats(slot_id: int, body: SeatsIn) -> SlotOut:
    taught_slot(slot_id)
    moment, rules = now(), policy()

    def change(writer: Session) -> SlotOut:
        slot = service.set_seats(writer, slot_id, body.seats, rules, moment)
        teacher = writer.get_one(User, slot.teacher_id)
        return slot_out(
            slot, teacher.full_name, waiting_counts(writer, [slot.id]).get(slot.id, 0), show_link=True
        )

    return in_transaction(change)


@api.get("/slots/<int:slot_id>/bookings")
@operation("A slot's bookings, offers and waitlist in order (teachers)", response=BookingsOut, auth=True)
def slot_bookings(slot_id: int) -> BookingsOut:
    slot = taught_slot(slot_id)
    reader = db.session()
    rows = service.bookings_of_slot(reader, slot_id)
    return BookingsOut(bookings=[booking_out(reader, b, slot, student) for b, student in rows])


# -- bookings -----------------------------------------------------------------------------


def request_key(body: BookingIn) -> str | None:
    key = (request.headers.get("Idempotency-Key") or body.request_key or "").strip()
    if len(key) > MAX_REQUEST_KEY:
        raise Invalid("request_key_long", f"Idempotency-Key: at most {MAX_REQUEST_KEY} characters.")
    return key or None


def booker_and_student(slot: Slot, body: BookingIn) -> tuple[User, User | None]:
    """(the student, the staff member booking them in or None)."""
    if body.student is None:
        readable_course(slot.course)
        if g.user.role != Role.STUDENT:
            raise Forbidden("students_only", "Students book; staff book a student in with `student`.")
        return g.user, None
    taught_course(slot.course)
    student = accounts.find_user(db.session(), body.student)
    if student is None or student.role != Role.STUDENT or not student.is_active:
        raise Invalid("booking_student", "student: there is no such student.")
    if not may_read(db.session(), student, course_of(slot.course)):
        raise Invalid("booking_student", "student: not enrolled in the course.")
    return student, g.user


@api.post("/slots/<int:slot_id>/bookings")
@operation(
    "Book a seat, or a place on the waitlist when full (201 booked, 202 waitlisted; a retried "
    "request with the same Idempotency-Key answers the same booking)",
    body=BookingIn,
    response=BookingOut,
    status=201,
    auth=True,
)
def create_booking(slot_id: int, body: BookingIn) -> Response:
    slot = service.slot_of(db.session(), slot_id)
    student, staff = booker_and_student(slot, body)
    wanted = service.BookingRequest(
        slot_id=slot_id, student=student, topic=body.topic, request_key=request_key(body),
        lang=request_language() if "lang" in request.args else None,  # None: the student's choice
        waitlist=body.waitlist, booked_by=staff,
    )  # fmt: skip
    moment, rules = now(), policy()

    def change(writer: Session) -> tuple[BookingOut, bool]:
        held = writer.get(Slot, slot_id)  # held here, so that book() and the answer read it once
        booking, replayed = service.book(writer, wanted, rules, moment)
        return booking_out(writer, booking, held or writer.get_one(Slot, booking.slot_id)), replayed

    shaped, replayed = in_transaction(change)
    status = 202 if shaped.state == WAITING else 201
    answer = Response(shaped.model_dump_json(), status, mimetype="application/json")
    if replayed:
        answer.headers["Idempotent-Replayed"] = "true"
    return answer


@api.get("/bookings.ics")
@operation(
    "The caller's booked consultations (a teacher's: their slots) as an iCalendar file",
    auth=True,
    media_type="text/calendar",
)
def my_calendar() -> Response:
    from quiz_service.consultations.calendar import bookings_calendar
    from quiz_service.core.i18n import gettext

    moment = now()
    summary = gettext("consult_mail.consultation", request_language())
    body = bookings_calendar(db.session(), g.user.id, moment - timedelta(days=30), moment, summary)
    answer = Response(body, mimetype="text/calendar")
    answer.headers["Content-Disposition"] = 'attachment; filename="consultations.ics"'
    return answer


@api.get("/bookings")
@operation("The caller's bookings and waitlist places (not yet over)", response=BookingsOut, auth=True)
def my_bookings() -> BookingsOut:
    reader = db.session()
    rows = service.bookings_of_student(reader, g.user.id, now())
    return BookingsOut(bookings=[booking_out(reader, b, s) for b, s in rows])


def own_or_taught(booking_id: int) -> tuple[Booking, int | None]:
    """The booking and whose it is for the service (None: a teacher of its course acts)."""
    booking = db.session().get(Booking, booking_id)
    if booking is None:
        raise NotFound("not_found", "There is no such booking.")
    if booking.student_id == g.user.id:
        return booking, g.user.id
    course = courses().get(booking.course)
    if course is None or not may_teach(g.user, course):
        raise NotFound("not_found", "There is no such booking.")
    return booking, None


@api.post("/bookings/<int:booking_id>/cancel")
@operation(
    "Cancel a booking or leave the waitlist (students before the deadline; teachers any time)",
    response=BookingOut,
    auth=True,
)
def cancel_booking(booking_id: int) -> BookingOut:
    _, student_id = own_or_taught(booking_id)
    moment, rules = now(), policy()
    by = "student" if student_id is not None else "staff"

    def change(writer: Session) -> BookingOut:
        booking = service.cancel_booking(writer, booking_id, student_id, rules, moment, by=by)
        return booking_out(writer, booking, writer.get_one(Slot, booking.slot_id))

    return in_transaction(change)


@api.post("/bookings/<int:booking_id>/accept")
@operation("Take the seat offered from the waitlist (before the hold's end)", response=BookingOut, auth=True)
def accept_offer(booking_id: int) -> BookingOut:
    student, moment, rules = g.user, now(), policy()

    def change(writer: Session) -> BookingOut:
        booking = service.accept_offer(writer, booking_id, student, rules, moment)
        return booking_out(writer, booking, writer.get_one(Slot, booking.slot_id))

    return in_transaction(change)


@api.post("/bookings/<int:booking_id>/attendance")
@operation(
    "Mark attendance and keep notes (private, and shared with the student)",
    body=AttendanceIn,
    response=BookingOut,
    auth=True,
)
def mark_attendance(booking_id: int, body: AttendanceIn) -> BookingOut:
    _, student_id = own_or_taught(booking_id)
    if student_id is not None:
        raise NotFound("not_found", "There is no such booking.")  # a student is no teacher of their own
    teacher, moment = g.user, now()

    def change(writer: Session) -> BookingOut:
        booking = service.mark_attendance(
            writer, booking_id, teacher.id, moment,
            attended=body.attended, private_note=body.private_note, shared_note=body.shared_note,
        )  # fmt: skip
        student = writer.get_one(User, booking.student_id)
        return booking_out(writer, booking, writer.get_one(Slot, booking.slot_id), student)

    return in_transaction(change)


@api.put("/preferences")
@operation(
    "The caller's e-mail choices: reminders on or off, the language",
    body=PreferencesIn,
    response=PreferencesOut,
    auth=True,
)
def set_preferences(body: PreferencesIn) -> PreferencesOut:
    user_id = g.user.id

    def change(writer: Session) -> PreferencesOut:
        chosen = service.set_preference(writer, user_id, reminders=body.reminders, lang=body.lang)
        return PreferencesOut(reminders=chosen.reminders, lang=chosen.lang)

    return in_transaction(change)
