"""The caller's consultations as an iCalendar file: a student's booked seats, a teacher's slots.

Times are UTC instants with the Asia/Almaty zone named in each event's description; the join
link of an online consultation is the event's URL and location (for a student only once the
seat is booked). The schedules' own feeds are another feature's; this is the bookings' file.
"""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz_service.consultations.models import BOOKED, Booking, Slot

PRODUCT = "-//oqu//consultations//KK"


def event_of(slot: Slot, uid: str, summary: str, now: datetime, *, link: str | None) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("dtstart", slot.starts_at)
    event.add("dtend", slot.ends_at)
    event.add("summary", summary)
    where = link or slot.room
    if where:
        event.add("location", where)
    if link:
        event.add("url", link)
    event.add("description", f"{slot.course} · Asia/Almaty")
    if slot.cancelled_at is not None:
        event.add("status", "CANCELLED")
    return event


def bookings_calendar(reader: Session, user_id: int, since: datetime, now: datetime, summary: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("x-wr-timezone", "Asia/Almaty")
    booked = reader.execute(
        select(Booking, Slot)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.student_id == user_id, Booking.state == BOOKED, Booking.ends_at > since)
    ).all()
    for booking, slot in booked:
        title = f"{summary}: {slot.title}" if slot.title else summary
        calendar.add_component(event_of(slot, f"booking-{booking.id}@oqu", title, now, link=slot.link))
    taught = reader.scalars(select(Slot).where(Slot.teacher_id == user_id, Slot.ends_at > since))
    for slot in taught:
        title = f"{summary}: {slot.title}" if slot.title else summary
        calendar.add_component(event_of(slot, f"slot-{slot.id}@oqu", title, now, link=slot.link))
    return bytes(calendar.to_ical())
