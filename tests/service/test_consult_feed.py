"""Bookings in the private schedules feeds (`/schedules/calendar/<token>.ics`), through the
core's calendar-feed registry: the student's booked seats and the teacher's slots, in the
course's zone with its VTIMEZONE, the join link of an online slot for booked students only;
waiting places and cancelled bookings and slots are no events; another student's booking never
shows. The feed is parsed back with `icalendar`. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import icalendar
import pytest
from consult_fixtures import START, People, book, consult_config, iso, publish_slot
from flask import Flask
from quiz_bundle import ServerClock

from auth.models import User
from quiz_service.core import db
from quiz_service.schedules import service as schedules

pytest_plugins = ["consult_fixtures"]
LINK = "https://meet.example.kz/ustaz"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return consult_config(app_config)


def feed_of(app: Flask, user: User, clock: ServerClock) -> icalendar.Calendar:
    with app.app_context(), db.write_transaction() as writer:
        token = schedules.new_feed_token(writer, writer.get_one(User, user.id), clock.now)
    answer = app.test_client().get(f"/schedules/calendar/{token}.ics?lang=ru")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(answer.data)


def consultations(calendar: icalendar.Calendar) -> dict[str, Any]:
    return {
        str(event["UID"]): event
        for event in calendar.walk("VEVENT")
        if str(event["UID"]).startswith("consultation-")
    }


def test_booked_seats_and_taught_slots_are_in_the_feeds(
    app: Flask, people: People, clock: ServerClock
) -> None:
    client = app.test_client()
    online = publish_slot(client, people.teacher.headers, seats=1, title="Өрт сөндіргіштер")
    room = publish_slot(
        client, people.teacher.headers, starts_at=iso(START + timedelta(hours=2)), mode="in_person", room="3 ауд.",
        link=None, seats=2,
    )  # fmt: skip
    first, second, third = people.students[:3]
    mine = book(client, first, online["id"]).json
    assert book(client, second, online["id"]).json["state"] == "waiting"
    theirs = book(client, third, room["id"]).json

    feed = feed_of(app, first.user, clock)
    events = consultations(feed)
    assert set(events) == {f"consultation-booking-{mine['id']}@oqu"}
    event = events[f"consultation-booking-{mine['id']}@oqu"]
    assert str(event["SUMMARY"]) == "Консультация: Өрт сөндіргіштер"
    assert event.decoded("DTSTART") == START and event.decoded("DTEND") == START + timedelta(minutes=30)
    assert event["DTSTART"].params["TZID"] == "Asia/Almaty"
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=5)  # 11:00 in Almaty
    assert str(event["URL"]) == LINK and str(event["LOCATION"]) == LINK
    assert "UTC+5" in str(event["DESCRIPTION"])
    assert [str(zone["TZID"]) for zone in feed.walk("VTIMEZONE")] == ["Asia/Almaty"]
    # The waiting student: no event, no link; the other booking is nobody else's event.
    waiting = feed_of(app, second.user, clock)
    assert consultations(waiting) == {} and LINK not in waiting.to_ical().decode()
    assert set(consultations(feed_of(app, third.user, clock))) == {f"consultation-booking-{theirs['id']}@oqu"}
    # The teacher's feed: both slots, the link of the online one, the room of the other.
    taught = consultations(feed_of(app, people.teacher.user, clock))
    assert set(taught) == {f"consultation-slot-{online['id']}@oqu", f"consultation-slot-{room['id']}@oqu"}
    assert str(taught[f"consultation-slot-{room['id']}@oqu"]["LOCATION"]) == "3 ауд."
    assert "URL" not in taught[f"consultation-slot-{room['id']}@oqu"]
    assert str(taught[f"consultation-slot-{online['id']}@oqu"]["URL"]) == LINK


def test_cancelled_bookings_and_slots_drop_out(app: Flask, people: People, clock: ServerClock) -> None:
    client = app.test_client()
    slot = publish_slot(client, people.teacher.headers, seats=1)
    first, second = people.students[:2]
    mine = book(client, first, slot["id"]).json
    book(client, second, slot["id"])
    cancelled = client.post(f"/api/v1/consultations/bookings/{mine['id']}/cancel", headers=first.headers)
    assert cancelled.status_code == 200
    assert consultations(feed_of(app, first.user, clock)) == {}
    # The seat is offered to the second: an offer is no booking yet; taken, it is an event.
    offered = client.get("/api/v1/consultations/bookings", headers=second.headers).json["bookings"][0]
    assert offered["state"] == "offered" and consultations(feed_of(app, second.user, clock)) == {}
    accepted = client.post(f"/api/v1/consultations/bookings/{offered['id']}/accept", headers=second.headers)
    assert accepted.status_code == 200
    assert set(consultations(feed_of(app, second.user, clock))) == {
        f"consultation-booking-{offered['id']}@oqu"
    }
    # The teacher cancels the slot: it leaves the student's feed and the teacher's.
    gone = client.post(
        f"/api/v1/consultations/slots/{slot['id']}/cancel", json={"reason": "Ауырып қалдым"},
        headers=people.teacher.headers,
    )  # fmt: skip
    assert gone.status_code == 200
    assert consultations(feed_of(app, second.user, clock)) == {}
    assert consultations(feed_of(app, people.teacher.user, clock)) == {}
