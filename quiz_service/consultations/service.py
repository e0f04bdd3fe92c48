"""Consultations: slots, booking within the windows, a first-come waitlist, offers with a hold.

Capacity holds on every path (a student, staff booking a student in, an offer to the waitlist,
more seats on a slot) because a seat is taken only by one conditional write,
`UPDATE consultation_slots SET booked = booked + 1 WHERE id = ? AND booked < seats`, whose row
count says whether it was taken; the CHECK `booked <= seats` is the backstop. What depends on a
student's other bookings (no two overlapping, the course's limit, the idempotency key) runs
after locking the student's row (`FOR UPDATE` on PostgreSQL; SQLite writers are one at a time),
so one student's parallel requests are decided one after the other, with the unique
constraints (one live booking per slot and student, one booking per request key) as backstops.

A freed seat is not given back while someone waits: it is offered to the first waiting student
(by the time they joined, then id) and held for them (`Policy.hold`); an offer that runs out
passes to the next (`expire_offers`, a periodic job). Functions take the session and `now`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from auth.models import User
from quiz_service.consultations import notify
from quiz_service.consultations.models import (
    ACTIVE,
    BOOKED,
    CANCELLED,
    HOLDING_SEAT,
    IN_PERSON,
    LAPSED,
    OFFERED,
    ONLINE,
    SLOT_CANCELLED,
    WAITING,
    Booking,
    ConsultationPreference,
    Slot,
)
from quiz_service.core import events
from quiz_service.core.domain import Conflict, Invalid, NotFound

MAX_SEATS = 500
MAX_WEEKS = 26
MIN_MINUTES, MAX_MINUTES = 5, 8 * 60
MAX_TOPIC = 1000
MAX_NOTE = 4000


@dataclass(frozen=True)
class Policy:
    hold: timedelta  # how long an offered seat waits for the first waiting student
    course_limit: int  # live bookings a student may hold in one course; 0: no limit


@dataclass(frozen=True)
class SlotSpec:
    """What a teacher publishes; a series of `weeks` slots a week apart (1: one slot)."""

    course: str
    starts_at: datetime
    minutes: int
    seats: int = 1
    mode: str = ONLINE
    link: str | None = None
    room: str | None = None
    title: str = ""
    opens_at: datetime | None = None  # None: now
    closes_at: datetime | None = None  # None: the start
    cancel_until: datetime | None = None  # None: the booking window's close
    visible_from: datetime | None = None  # None: now
    weeks: int = 1


@dataclass(frozen=True)
class BookingRequest:
    slot_id: int
    student: User
    topic: str = ""
    request_key: str | None = None
    lang: str | None = None  # the request's language; None: the student's choice, else kk
    waitlist: bool = True  # a full slot: join the waitlist (else refused as full)
    booked_by: User | None = None  # staff booking the student in


Interval = tuple[datetime, datetime]


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)


def lock_person(writer: Session, user_id: int) -> None:
    """Decide one person's requests one after another (PostgreSQL: the row lock; SQLite: its
    writers are one at a time already, BEGIN IMMEDIATE, so no statement is spent on it)."""
    if writer.get_bind().dialect.name == "sqlite":
        return
    writer.execute(select(User.id).where(User.id == user_id).with_for_update())


# -- slots --------------------------------------------------------------------------------


def check_spec(spec: SlotSpec, now: datetime) -> None:
    if not 1 <= spec.seats <= MAX_SEATS:
        raise Invalid("slot_seats", f"seats: from 1 to {MAX_SEATS}.")
    if not MIN_MINUTES <= spec.minutes <= MAX_MINUTES:
        raise Invalid("slot_minutes", f"minutes: from {MIN_MINUTES} to {MAX_MINUTES}.")
    if not 1 <= spec.weeks <= MAX_WEEKS:
        raise Invalid("slot_weeks", f"weeks: from 1 to {MAX_WEEKS}.")
    if spec.mode == ONLINE:
        link = (spec.link or "").strip()
        if urlsplit(link).scheme not in ("https", "http") or not urlsplit(link).netloc:
            raise Invalid("slot_link", "link: an online consultation needs an http(s) meeting link.")
    elif spec.mode == IN_PERSON:
        if not (spec.room or "").strip():
            raise Invalid("slot_room", "room: an in-person consultation needs a room.")
    else:
        raise Invalid("slot_mode", "mode: online or in_person.")
    if spec.starts_at <= now:
        raise Invalid("slot_past", "starts_at: the consultation must start in the future.")
    opens, closes, cancel_until = _windows(spec, now)
    if not opens < closes <= spec.starts_at:
        raise Invalid("slot_window", "The booking window must open before it closes, and close by the start.")
    if cancel_until > spec.starts_at:
        raise Invalid("slot_cancel_deadline", "cancel_until: at the latest the start.")


def _windows(spec: SlotSpec, now: datetime) -> tuple[datetime, datetime, datetime]:
    opens = spec.opens_at or now
    closes = spec.closes_at or spec.starts_at
    return opens, closes, spec.cancel_until or closes


def create_slots(
    writer: Session, spec: SlotSpec, teacher: User, now: datetime, live_classes: Sequence[Interval] = ()
) -> list[Slot]:
    """The slot, or the weekly series, all or nothing: refused if any overlaps the teacher's other
    slots or live classes."""
    check_spec(spec, now)
    lock_person(writer, teacher.id)
    opens, closes, cancel_until = _windows(spec, now)
    visible = spec.visible_from or now
    series = uuid.uuid4().hex if spec.weeks > 1 else None
    made = []
    for week in range(spec.weeks):
        shift = timedelta(weeks=week)
        start = spec.starts_at + shift
        end = start + timedelta(minutes=spec.minutes)
        _refuse_overlap(writer, teacher.id, start, end, live_classes)
        slot = Slot(
            course=spec.course, teacher_id=teacher.id, seats=spec.seats, booked=0, mode=spec.mode,
            link=(spec.link or "").strip() or None if spec.mode == ONLINE else None,
            room=(spec.room or "").strip() or None if spec.mode == IN_PERSON else None,
            title=spec.title.strip()[:200], starts_at=start, ends_at=end, opens_at=opens + shift,
            closes_at=closes + shift, cancel_until=cancel_until + shift, visible_from=visible + shift,
            series=series, cancel_reason="", created_at=now,
        )  # fmt: skip
        writer.add(slot)
        writer.flush()
        made.append(slot)
    return made


def _refuse_overlap(
    writer: Session,
    teacher_id: int,
    start: datetime,
    end: datetime,
    live_classes: Sequence[Interval],
    moving: int | None = None,
) -> None:
    """Refuse a time that overlaps the teacher's other slots (not `moving`, the slot being moved)
    or live classes."""
    query = select(Slot.starts_at).where(
        Slot.teacher_id == teacher_id,
        Slot.cancelled_at.is_(None),
        Slot.starts_at < end,
        Slot.ends_at > start,
    )
    if moving is not None:
        query = query.where(Slot.id != moving)
    clash = writer.scalars(query).first()
    if clash is not None:
        raise Conflict("slot_overlap", f"The teacher has another consultation at {clash.isoformat()}.")
    for class_start, class_end in live_classes:
        if class_start < end and class_end > start:
            raise Conflict("class_overlap", f"The teacher has a live class at {class_start.isoformat()}.")


def live_places(reader: Session, slot_id: int) -> int:
    """Bookings, offers and waiting places of the slot that are not over."""
    count = (
        select(func.count()).select_from(Booking).where(Booking.slot_id == slot_id, Booking.state.in_(ACTIVE))
    )
    return int(reader.scalar(count) or 0)


def move_slot(
    writer: Session,
    slot: Slot,
    starts_at: datetime,
    minutes: int,
    now: datetime,
    live_classes: Sequence[Interval],
) -> None:
    """Move a slot nobody has booked, been offered or queued for (a booked consultation is not
    moved: its students agreed to its time); its windows move with it. The write is conditional
    on `booked = 0`, so a booking that got in meanwhile makes it a refusal, never a moved booking."""
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise Invalid("slot_minutes", f"minutes: from {MIN_MINUTES} to {MAX_MINUTES}.")
    if starts_at <= now:
        raise Invalid("slot_past", "starts_at: the consultation must start in the future.")
    if live_places(writer, slot.id):
        raise Conflict(
            "slot_booked", "Students have booked or queued for it: a booked consultation is not moved."
        )
    lock_person(writer, slot.teacher_id)
    ends_at = starts_at + timedelta(minutes=minutes)
    _refuse_overlap(writer, slot.teacher_id, starts_at, ends_at, live_classes, moving=slot.id)
    shift = starts_at - slot.starts_at
    closes, cancel_until = slot.closes_at + shift, slot.cancel_until + shift
    moved = writer.execute(
        update(Slot)
        .where(Slot.id == slot.id, Slot.booked == 0, Slot.cancelled_at.is_(None))
        .values(
            starts_at=starts_at,
            ends_at=ends_at,
            closes_at=closes,
            cancel_until=cancel_until,
            opens_at=min(slot.opens_at, closes - timedelta(minutes=1)),
            visible_from=min(slot.visible_from, starts_at),
        )
    )
    if not _rowcount(moved):
        raise Conflict(
            "slot_booked", "Students have booked or queued for it: a booked consultation is not moved."
        )
    writer.refresh(slot)


def change_place(
    writer: Session, slot: Slot, *, mode: str, link: str | None, room: str | None, title: str
) -> bool:
    """A slot's place (mode, link, room) and title as declared; the students holding a seat are
    told of a new place (once per place: the message key carries it). True if anything changed."""
    link = (link or "").strip() or None if mode == ONLINE else None
    room = (room or "").strip() or None if mode == IN_PERSON else None
    title = title.strip()[:200]
    moved_place = (slot.mode, slot.link, slot.room) != (mode, link, room)
    if not moved_place and slot.title == title:
        return False
    slot.mode, slot.link, slot.room, slot.title = mode, link, room, title
    writer.flush()
    if moved_place:
        holding = select(Booking).where(Booking.slot_id == slot.id, Booking.state.in_(HOLDING_SEAT))
        for booking in writer.scalars(holding):
            notify.place_changed(writer, booking, slot)
    return True


def slot_of(reader: Session, slot_id: int) -> Slot:
    slot = reader.get(Slot, slot_id)
    if slot is None:
        raise NotFound("not_found", "There is no such consultation.")
    return slot


def visible_slots(reader: Session, course: str, now: datetime) -> list[Slot]:
    """What students see: visible, not cancelled, not over."""
    query = (
        select(Slot)
        .where(
            Slot.course == course, Slot.visible_from <= now, Slot.cancelled_at.is_(None), Slot.ends_at > now
        )
        .order_by(Slot.starts_at, Slot.id)
    )
    return list(reader.scalars(query))


def course_slots(reader: Session, course: str, since: datetime) -> list[Slot]:
    """What the course's teachers see: every slot that has not ended long ago."""
    query = select(Slot).where(Slot.course == course, Slot.ends_at > since).order_by(Slot.starts_at, Slot.id)
    return list(reader.scalars(query))


def cancel_slot(writer: Session, slot_id: int, reason: str, now: datetime) -> list[Booking]:
    """The teacher cancels: every live booking and waiting place ends; the students are told why."""
    reason = reason.strip()
    if not reason:
        raise Invalid("slot_reason", "reason: tell the students why.")
    done = writer.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.cancelled_at.is_(None))
        .values(cancelled_at=now, cancel_reason=reason[:MAX_NOTE], booked=0)
    )
    if not _rowcount(done):
        raise Conflict("slot_cancelled", "The consultation is cancelled already.")
    slot = writer.get_one(Slot, slot_id, populate_existing=True)
    ended = list(writer.scalars(select(Booking).where(Booking.slot_id == slot_id, Booking.state.in_(ACTIVE))))
    writer.execute(
        update(Booking)
        .where(Booking.slot_id == slot_id, Booking.state.in_(ACTIVE))
        .values(state=SLOT_CANCELLED, active=None, ended_at=now, hold_until=None)
    )
    events.publish(
        writer, events.ConsultationSlotCancelled(slot.id, slot.course, slot.teacher_id, reason, now)
    )
    for booking in ended:
        writer.refresh(booking)
        events.publish(
            writer,
            events.ConsultationCancelled(
                booking.id, slot.id, booking.student_id, slot.course, "slot_cancelled", now
            ),
        )
        notify.slot_cancelled(writer, booking, slot)
    return ended


def set_seats(writer: Session, slot_id: int, seats: int, policy: Policy, now: datetime) -> Slot:
    """Change a slot's seats: never below the seats taken; new seats go to the waitlist first."""
    if not 1 <= seats <= MAX_SEATS:
        raise Invalid("slot_seats", f"seats: from 1 to {MAX_SEATS}.")
    done = writer.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.booked <= seats, Slot.cancelled_at.is_(None))
        .values(seats=seats)
    )
    if not _rowcount(done):
        slot_of(writer, slot_id)
        raise Conflict("seats_taken", "More seats are taken than that; cancel bookings first.")
    slot = writer.get_one(Slot, slot_id, populate_existing=True)
    while _offer_free_seat(writer, slot, policy, now):
        pass
    writer.refresh(slot)
    return slot


# -- booking ------------------------------------------------------------------------------


def book(writer: Session, wanted: BookingRequest, policy: Policy, now: datetime) -> tuple[Booking, bool]:
    """A seat, or a place on the waitlist; (the booking, whether it is a retried request's)."""
    student = wanted.student
    lock_person(writer, student.id)
    if wanted.request_key:
        earlier = writer.scalars(
            select(Booking).where(Booking.student_id == student.id, Booking.request_key == wanted.request_key)
        ).one_or_none()
        if earlier is not None:
            if earlier.slot_id != wanted.slot_id:
                raise Conflict("request_key_reused", "This request key was used for another consultation.")
            return earlier, True
    slot = writer.get(Slot, wanted.slot_id)
    staff = wanted.booked_by is not None
    if slot is None or (not staff and slot.visible_from > now):
        raise NotFound("not_found", "There is no such consultation.")
    _check_bookable(slot, now, staff)
    _check_student(writer, student.id, slot, policy, now)
    chosen = preference_of(writer, student.id)
    chosen_lang = chosen.lang if chosen is not None else None
    if len(wanted.topic) > MAX_TOPIC:
        raise Invalid("topic_long", f"topic: at most {MAX_TOPIC} characters.")
    state = BOOKED if take_seat(writer, slot.id) else WAITING
    if state == WAITING:
        writer.refresh(slot)  # cancelled meanwhile (PostgreSQL: by a transaction that committed since)?
        _check_bookable(slot, now, staff)
    if state == WAITING and not wanted.waitlist:
        raise Conflict("slot_full", "Every seat is taken.")
    booking = Booking(
        slot_id=slot.id, student_id=student.id, course=slot.course, starts_at=slot.starts_at,
        ends_at=slot.ends_at, state=state, active=1, topic=wanted.topic.strip(),
        request_key=wanted.request_key or None, lang=wanted.lang or chosen_lang or "kk",
        booked_by=wanted.booked_by.id if wanted.booked_by else None, created_at=now, queued_at=now,
        private_note="", shared_note="",
    )  # fmt: skip
    writer.add(booking)
    writer.flush()
    by = wanted.booked_by.id if wanted.booked_by else None
    events.publish(
        writer, events.ConsultationBooked(booking.id, slot.id, student.id, slot.course, state, by, now)
    )
    notify.booked(writer, booking, slot, known=(student, chosen_lang))
    return booking, False


def take_seat(writer: Session, slot_id: int) -> bool:
    """The one way a seat is taken: a conditional write whose row count says if it was free."""
    taken = writer.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.booked < Slot.seats, Slot.cancelled_at.is_(None))
        .values(booked=Slot.booked + 1)
        .execution_options(synchronize_session=False)  # who reads `booked` after it refreshes
    )
    return _rowcount(taken) == 1


def give_seat_back(writer: Session, slot_id: int) -> None:
    writer.execute(update(Slot).where(Slot.id == slot_id, Slot.booked > 0).values(booked=Slot.booked - 1))


def _check_bookable(slot: Slot, now: datetime, staff: bool) -> None:
    if slot.cancelled_at is not None:
        raise Conflict("slot_cancelled", "The consultation was cancelled.")
    if slot.starts_at <= now:
        raise Conflict("slot_started", "The consultation has started or is over.")
    if staff:
        return  # staff book a student in outside the window, never beyond the seats
    if now < slot.opens_at:
        raise Conflict("booking_not_open", f"Booking opens at {slot.opens_at.isoformat()}.")
    if now >= slot.closes_at:
        raise Conflict("booking_closed", "Booking for this consultation has closed.")


def _check_student(
    writer: Session, student_id: int, slot: Slot, policy: Policy, now: datetime, leaving: int | None = None
) -> None:
    """The student's own rules: one live booking per slot, no overlap, the course's limit; all
    decided on one read of the student's live bookings (a handful)."""
    live = [
        booking
        for booking in writer.scalars(
            select(Booking).where(Booking.student_id == student_id, Booking.state.in_(ACTIVE))
        )
        if booking.id != leaving
    ]
    if leaving is None and any(booking.slot_id == slot.id for booking in live):
        raise Conflict("already_booked", "You already have a booking or a waitlist place here.")
    holding = [booking for booking in live if booking.state in HOLDING_SEAT]
    if any(b.starts_at < slot.ends_at and b.ends_at > slot.starts_at for b in holding):
        raise Conflict("booking_overlap", "You have another consultation at that time.")
    in_course = sum(1 for b in holding if b.course == slot.course and b.ends_at > now)
    if policy.course_limit and in_course >= policy.course_limit:
        raise Conflict("course_limit", f"At most {policy.course_limit} consultations of a course at a time.")


def booking_of(reader: Session, booking_id: int, student_id: int | None) -> Booking:
    """The booking; another student's is as missing as one that does not exist."""
    booking = reader.get(Booking, booking_id)
    if booking is None or (student_id is not None and booking.student_id != student_id):
        raise NotFound("not_found", "There is no such booking.")
    return booking


def cancel_booking(
    writer: Session,
    booking_id: int,
    student_id: int | None,
    policy: Policy,
    now: datetime,
    by: str = "student",
) -> Booking:
    """End a booking or a waitlist place (`student_id` None: staff, past the deadline too)."""
    booking = booking_of(writer, booking_id, student_id)
    slot = writer.get_one(Slot, booking.slot_id)
    for _ in range(3):  # the state may move (waiting → offered) between the read and the write
        seen = booking.state
        if seen not in ACTIVE:
            raise Conflict("not_active", "The booking has ended already.")
        if by == "student" and seen == BOOKED and now >= slot.cancel_until:
            raise Conflict("cancel_closed", "The cancellation deadline has passed; ask the teacher.")
        ended = writer.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.state == seen)
            .values(state=CANCELLED, active=None, ended_at=now, hold_until=None)
        )
        if _rowcount(ended):
            writer.refresh(booking)
            events.publish(
                writer,
                events.ConsultationCancelled(booking.id, slot.id, booking.student_id, slot.course, by, now),
            )
            notify.cancelled(writer, booking, slot)
            if seen in HOLDING_SEAT:
                pass_seat_on(writer, slot, policy, now)
            return booking
        writer.refresh(booking)
    raise Conflict("busy", "The booking changed meanwhile; try again.")


def pass_seat_on(writer: Session, slot: Slot, policy: Policy, now: datetime) -> Booking | None:
    """A seat held by a booking came free: offer it to the first waiting student, else free it."""
    writer.refresh(slot)
    if slot.cancelled_at is None and slot.starts_at > now:
        while True:
            first = _first_waiting(writer, slot.id)
            if first is None:
                break
            if _offer(writer, first, slot, policy, now):
                return first
    give_seat_back(writer, slot.id)
    return None


def _first_waiting(writer: Session, slot_id: int) -> Booking | None:
    query = (
        select(Booking)
        .where(Booking.slot_id == slot_id, Booking.state == WAITING)
        .order_by(Booking.queued_at, Booking.id)
        .limit(1)
    )
    return writer.scalars(query).first()


def _offer(writer: Session, booking: Booking, slot: Slot, policy: Policy, now: datetime) -> bool:
    """Offer the seat (already counted in `booked`) to this waiting student; False if they left."""
    hold_until = min(now + policy.hold, slot.starts_at)
    offered = writer.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.state == WAITING)
        .values(state=OFFERED, hold_until=hold_until)
    )
    if not _rowcount(offered):
        return False
    writer.refresh(booking)
    events.publish(
        writer,
        events.ConsultationSeatOffered(booking.id, slot.id, booking.student_id, slot.course, hold_until, now),
    )
    notify.offered(writer, booking, slot)
    return True


def _offer_free_seat(writer: Session, slot: Slot, policy: Policy, now: datetime) -> bool:
    """New seats on a slot go to the waitlist first: take one, offer it, or give it back."""
    first = _first_waiting(writer, slot.id)
    if first is None or slot.starts_at <= now:
        return False
    if not take_seat(writer, slot.id):
        return False
    if not _offer(writer, first, slot, policy, now):
        give_seat_back(writer, slot.id)
    return True


def accept_offer(writer: Session, booking_id: int, student: User, policy: Policy, now: datetime) -> Booking:
    """The offered student takes the held seat (before the hold's end)."""
    lock_person(writer, student.id)
    booking = booking_of(writer, booking_id, student.id)
    if booking.state != OFFERED:
        raise Conflict("not_offered", "No seat is offered to you here.")
    slot = writer.get_one(Slot, booking.slot_id)
    _check_student(writer, student.id, slot, policy, now, leaving=booking.id)
    taken = writer.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.state == OFFERED, Booking.hold_until > now)
        .values(state=BOOKED, hold_until=None)
    )
    if not _rowcount(taken):
        raise Conflict("offer_lapsed", "The offer has run out.")
    writer.refresh(booking)
    events.publish(
        writer,
        events.ConsultationBooked(
            booking.id, slot.id, student.id, slot.course, BOOKED, None, now, from_waitlist=True
        ),
    )
    notify.booked(writer, booking, slot)
    return booking


def expire_offers(writer: Session, policy: Policy, now: datetime) -> int:
    """Offers whose hold ran out lapse, and each seat passes to the next waiting student."""
    due = list(writer.scalars(select(Booking).where(Booking.state == OFFERED, Booking.hold_until <= now)))
    lapsed = 0
    for booking in due:
        ended = writer.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.state == OFFERED, Booking.hold_until <= now)
            .values(state=LAPSED, active=None, ended_at=now)
        )
        if not _rowcount(ended):
            continue
        lapsed += 1
        slot = writer.get_one(Slot, booking.slot_id)
        events.publish(
            writer,
            events.ConsultationCancelled(
                booking.id, slot.id, booking.student_id, slot.course, "hold_expired", now
            ),
        )
        pass_seat_on(writer, slot, policy, now)
    return lapsed


def bookings_of_slot(reader: Session, slot_id: int) -> list[tuple[Booking, User]]:
    """Seats first (booked, offered), then the waitlist in its order, then the ended ones."""
    rank = {BOOKED: 0, OFFERED: 1, WAITING: 2}
    rows = reader.execute(
        select(Booking, User)
        .join(User, User.id == Booking.student_id)
        .where(Booking.slot_id == slot_id)
        .order_by(Booking.queued_at, Booking.id)
    ).all()
    return sorted(((b, u) for b, u in rows), key=lambda row: rank.get(row[0].state, 3))


def bookings_of_student(reader: Session, student_id: int, since: datetime) -> list[tuple[Booking, Slot]]:
    rows = reader.execute(
        select(Booking, Slot)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.student_id == student_id, Booking.ends_at > since)
        .order_by(Booking.starts_at, Booking.id)
    ).all()
    return [(b, s) for b, s in rows]


def waiting_position(reader: Session, booking: Booking) -> int | None:
    """1 for the first waiting student; None when not waiting."""
    if booking.state != WAITING:
        return None
    ahead = reader.scalar(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.slot_id == booking.slot_id,
            Booking.state == WAITING,
            (Booking.queued_at < booking.queued_at)
            | ((Booking.queued_at == booking.queued_at) & (Booking.id < booking.id)),
        )
    )
    return int(ahead or 0) + 1


def mark_attendance(
    writer: Session,
    booking_id: int,
    teacher_id: int,
    now: datetime,
    *,
    attended: bool | None,
    private_note: str | None,
    shared_note: str | None,
) -> Booking:
    booking = booking_of(writer, booking_id, None)
    if booking.state != BOOKED:
        raise Conflict("not_booked", "Attendance is kept for booked students only.")
    for note in (private_note, shared_note):
        if note is not None and len(note) > MAX_NOTE:
            raise Invalid("note_long", f"A note has at most {MAX_NOTE} characters.")
    if private_note is not None:
        booking.private_note = private_note.strip()
    if shared_note is not None:
        booking.shared_note = shared_note.strip()
    if attended is not None and attended != booking.attended:
        booking.attended = attended
        writer.flush()
        events.publish(
            writer,
            events.ConsultationAttendance(
                booking.id, booking.slot_id, booking.student_id, booking.course, attended, teacher_id, now
            ),
        )
    writer.flush()
    return booking


def preference_of(reader: Session, user_id: int) -> ConsultationPreference | None:
    return reader.get(ConsultationPreference, user_id)


def set_preference(
    writer: Session, user_id: int, *, reminders: bool | None, lang: str | None
) -> ConsultationPreference:
    lock_person(writer, user_id)
    found = writer.get(ConsultationPreference, user_id)
    if found is None:
        found = ConsultationPreference(user_id=user_id, reminders=True, lang=None)
        writer.add(found)
    if reminders is not None:
        found.reminders = reminders
    if lang is not None:
        found.lang = lang
    writer.flush()
    return found


def remind(writer: Session, now: datetime, before: timedelta) -> int:
    """Queue a reminder for each booked consultation starting within `before` (once: the
    message key is the booking's); students who turned reminders off get none."""
    off = select(ConsultationPreference.user_id).where(ConsultationPreference.reminders.is_(False))
    due = writer.execute(
        select(Booking, Slot)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.state == BOOKED,
            Booking.starts_at > now,
            Booking.starts_at <= now + before,
            Booking.student_id.not_in(off),
        )
    ).all()
    return sum(1 for booking, slot in due if notify.reminder(writer, booking, slot))
