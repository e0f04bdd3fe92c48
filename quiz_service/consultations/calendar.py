"""The caller's consultations in iCalendar: a student's booked seats, a teacher's slots.

Two ways out: `bookings_calendar`, this feature's own `bookings.ics` (UTC instants, the zone
named in the description), and `feed_events_of`, registered with `core.calendar_feed`, which
puts the same events into the user's private schedules feed (`/schedules/calendar/<token>.ics`)
in the course's zone (TZID and VTIMEZONE). A student's events are their booked seats only (a
waiting place, an offer, a cancelled booking or a cancelled slot is no event); the join link of
an online consultation is the event's URL and location, for booked students and the slot's
teacher only.
"""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from builder.ical import CalendarEvent
from quiz_service.consultations.models import BOOKED, Booking, Slot
from quiz_service.core.calendar_feed import FeedPeriod
from quiz_service.core.formatting import course_zone, zone_label
from quiz_service.core.i18n import gettext

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


def feed_events_of(reader: Session, user_id: int, lang: str, period: FeedPeriod) -> list[CalendarEvent]:
    """The user's booked consultations and, for a teacher, their slots, for the private feed."""
    summary = gettext("consult_mail.consultation", lang)
    booked = reader.execute(
        select(Booking.id, Slot)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.student_id == user_id,
            Booking.state == BOOKED,
            Slot.cancelled_at.is_(None),
            Booking.ends_at > period.since,
        )
    ).all()
    events = [
        feed_event(slot, f"consultation-booking-{booking_id}@oqu", summary, lang)
        for booking_id, slot in booked
    ]
    taught = reader.scalars(
        select(Slot).where(
            Slot.teacher_id == user_id, Slot.cancelled_at.is_(None), Slot.ends_at > period.since
        )
    )
    events += [feed_event(slot, f"consultation-slot-{slot.id}@oqu", summary, lang) for slot in taught]
    return [event for event in events if period.holds(event.start, event.end)]


def feed_event(slot: Slot, uid: str, summary: str, lang: str) -> CalendarEvent:
    """One slot as a feed event: the wall-clock time of the course's zone, the join link or room."""
    zone = course_zone(slot.course)
    return CalendarEvent(
        uid=uid,
        summary=f"{summary}: {slot.title}" if slot.title else summary,
        start=slot.starts_at.astimezone(zone),
        end=slot.ends_at.astimezone(zone),
        location=slot.link or slot.room or "",
        description=f"{slot.course} · {zone_label(zone, lang, slot.starts_at)}",
        url=slot.link or "",
        categories=("consultation",),
    )
