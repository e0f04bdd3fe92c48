"""An edited consultations.yml entry changes its published slot at the next publish, when the
change keeps every booking valid: room, link and title (booked students told of a new place),
more seats (offered to the waitlist first), a new start for a slot nobody booked. Fewer seats
than booked, or moving a booked slot, is refused with the entry's path:line in the report and the
log, and the slot stays as published. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from consult_fixtures import MANIFEST, TEACHER, People, book, consult_config
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from quiz_service.consultations import declared
from quiz_service.consultations.models import Slot
from quiz_service.core import db
from quiz_service.core.clock import now
from quiz_service.core.mail.models import MailMessage

pytest_plugins = ["consult_fixtures"]
SOURCE = "content/courses/fire-safety/consultations.yml:4"
ENTRY = {
    "key": "extinguishers", "source": SOURCE, "teacher": TEACHER, "start": "2026-12-10T11:00:00+05:00",
    "minutes": 30, "seats": 1, "mode": "online", "link": "https://meet.example.kz/ustaz", "title": "Өрт сөндіргіштер",
}  # fmt: skip


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return consult_config(app_config)


def declare(app: Flask, *entries: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """A new build's bundle with these fire-safety entries, published at once."""
    manifest = json.loads(json.dumps(MANIFEST))
    manifest["courses"][0]["consultations"] = list(entries)
    path = app.config["SERVICE_DIR"] / "manifest.json"
    path.unlink()
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    with app.app_context():
        return declared.publish_bundle(now())  # the injected clock's


def slots(app: Flask) -> list[Slot]:
    with app.app_context():
        found = list(db.session().scalars(select(Slot).order_by(Slot.id)))
        db.session().expunge_all()
        return found


def mail_keys(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(db.session().scalars(select(MailMessage.key)))


def test_place_title_and_seats_edits_reach_the_published_slot(
    app: Flask, client: FlaskClient, people: People
) -> None:
    first = declare(app, ENTRY)[("fire-safety", TEACHER)]
    assert (first.made, first.updated, first.refused) == (1, 0, ())
    [slot] = slots(app)
    assert slot.declared == "extinguishers#0"
    booked = book(client, people.students[0], slot.id).json
    waiting = book(client, people.students[1], slot.id).json
    assert (booked["state"], waiting["state"]) == ("booked", "waiting")

    edited = ENTRY | {
        "mode": "in_person",
        "link": None,
        "room": "214 ауд.",
        "title": "Өрт сөндіргіштер (2)",
        "seats": 2,
    }
    outcome = declare(app, edited)[("fire-safety", TEACHER)]
    assert (outcome.made, outcome.updated, outcome.refused) == (0, 1, ())
    [after] = slots(app)
    assert (after.id, after.mode, after.link, after.room, after.title, after.seats, after.booked) == (
        slot.id, "in_person", None, "214 ауд.", "Өрт сөндіргіштер (2)", 2, 2,
    )  # fmt: skip
    # The new seat went to the waiting student; both holding a seat are told of the new place, once.
    mine = client.get("/api/v1/consultations/bookings", headers=people.students[1].headers).json["bookings"]
    assert mine[0]["state"] == "offered"
    changed = [key for key in mail_keys(app) if ":place_changed:" in key]
    assert sorted(key.split(":")[1] for key in changed) == sorted([str(booked["id"]), str(waiting["id"])])
    again = declare(app, edited)[("fire-safety", TEACHER)]
    assert (again.updated, again.skipped) == (0, 1)
    assert [key for key in mail_keys(app) if ":place_changed:" in key] == changed


def test_refused_edits_keep_the_slot_and_name_the_line(
    app: Flask, client: FlaskClient, people: People, caplog: pytest.LogCaptureFixture
) -> None:
    declare(app, ENTRY | {"seats": 2})
    [slot] = slots(app)
    for student in people.students[:2]:
        assert book(client, student, slot.id).json["state"] == "booked"
    # Fewer seats than booked, with a new room in the same edit: refused whole, the slot kept.
    with caplog.at_level(logging.WARNING):
        outcome = declare(app, ENTRY | {"seats": 1, "title": "Басқа"})[("fire-safety", TEACHER)]
    assert outcome.updated == 0 and len(outcome.refused) == 1
    assert outcome.refused[0].startswith(f"{SOURCE}: the slot of 10.12.2026 11:00")
    assert "2 seat(s) booked" in outcome.refused[0] and SOURCE in caplog.text
    # Moving a booked slot: refused.
    moved = ENTRY | {"seats": 2, "start": "2026-12-10T15:00:00+05:00"}
    outcome = declare(app, moved)[("fire-safety", TEACHER)]
    assert outcome.made == 0 and "not moved" in outcome.refused[0] and outcome.refused[0].startswith(SOURCE)
    longer = declare(app, ENTRY | {"seats": 2, "minutes": 45})[("fire-safety", TEACHER)]
    assert "not moved" in longer.refused[0]
    [kept] = slots(app)
    assert (kept.seats, kept.title, kept.starts_at, kept.ends_at, kept.booked) == (
        2, "Өрт сөндіргіштер", slot.starts_at, slot.ends_at, 2,
    )  # fmt: skip


def test_a_slot_nobody_booked_moves_with_its_entry(app: Flask, client: FlaskClient, people: People) -> None:
    declare(app, ENTRY | {"weeks": 2})
    before = slots(app)
    outcome = declare(app, ENTRY | {"weeks": 2, "start": "2026-12-10T15:00:00+05:00", "minutes": 45})[
        ("fire-safety", TEACHER)
    ]
    assert (outcome.made, outcome.updated, outcome.refused) == (0, 2, ())
    after = slots(app)
    assert [s.id for s in after] == [s.id for s in before]  # moved, not a second slot
    assert [s.starts_at.hour for s in after] == [10, 10] and after[0].ends_at.minute == 45
    assert after[0].closes_at == after[0].starts_at  # the booking window moved with it
    # Moved onto the teacher's live class (16:00–17:30 on the 11th): refused, the slot stays.
    clash = declare(app, ENTRY | {"weeks": 2, "start": "2026-12-11T16:30:00+05:00"})[("fire-safety", TEACHER)]
    assert len(clash.refused) == 1 and "live class" in clash.refused[0]
    assert slots(app)[0].starts_at == after[0].starts_at
