"""T08 and T09: bookers released at once through two gunicorn processes, on SQLite and PostgreSQL.

The slot is published on the real clock (the processes read it): three days from now.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import requests
from consult_fixtures import TEACHER, write_manifest
from flask import Flask
from gunicorn_services import gunicorn_services, service_env
from sqlalchemy import select

from auth import enrolment
from auth import service as accounts
from auth.models import Role
from quiz_service.consultations import service
from quiz_service.consultations.models import Booking, Slot
from quiz_service.core import db

BOOKERS = 200
SEATS = 5
REPEATS = 20


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    write_manifest(app_config["SERVICE_DIR"])
    return app_config


@dataclass
class Crowd:
    slots: list[int]  # 5-seat slots on three different days
    teacher: str  # bearer token
    students: list[tuple[str, str]]  # (e-mail, bearer token)


@pytest.fixture
def crowd(app: Flask) -> Crowd:
    """Three 5-seat slots of fire-safety, its teacher and 200 enrolled students, in one transaction."""
    with app.app_context(), db.write_transaction() as writer:
        teacher = accounts.create_user(writer, TEACHER, Role.TEACHER, full_name="Ерлан Жақсылықов")
        _, teacher_token = accounts.issue_token(writer, teacher)
        students = []
        for n in range(BOOKERS):
            email = f"booker{n}@oqu.example.kz"
            user = accounts.create_user(writer, email, Role.STUDENT, full_name=f"Студент {n}", group="ӨҚ-21")
            students.append((email, accounts.issue_token(writer, user)[1]))
        enrolment.enrol(writer, "fire-safety", group="ӨҚ-21")
        now = db.utcnow()
        slots = []
        for day in (3, 4, 5):
            spec = service.SlotSpec(
                course="fire-safety", starts_at=now + timedelta(days=day), minutes=30, seats=SEATS,
                link="https://meet.example.kz/ustaz", opens_at=now - timedelta(minutes=1),
            )  # fmt: skip
            slots += service.create_slots(writer, spec, teacher, now)
        return Crowd([slot.id for slot in slots], teacher_token, students)


@pytest.fixture
def services(app: Flask, app_config: dict[str, Any]) -> Iterator[list[str]]:
    with gunicorn_services(service_env(app_config, OQU_CONSULT_COURSE_LIMIT="0"), count=2) as bases:
        yield bases


@dataclass(frozen=True)
class Answer:
    status: int
    code: str | None  # the error code, or the booking's state
    booking: int | None


def release(requests_to_send: list[tuple[str, dict[str, str], dict[str, Any]]]) -> list[Answer]:
    """Send every request at the same moment (a barrier), each on its own thread."""
    barrier = threading.Barrier(len(requests_to_send))

    def send(item: tuple[str, dict[str, str], dict[str, Any]]) -> Answer:
        url, headers, body = item
        barrier.wait()
        reply = requests.post(url, json=body, headers=headers, timeout=120)
        data = reply.json()
        if "error" in data:
            return Answer(reply.status_code, data["error"]["code"], None)
        return Answer(reply.status_code, data["state"], data["id"])

    with ThreadPoolExecutor(len(requests_to_send)) as pool:
        return list(pool.map(send, requests_to_send))


def seats_of(app: Flask, slot_id: int) -> tuple[int, list[str]]:
    with app.app_context():
        reader = db.session()
        booked = reader.get_one(Slot, slot_id).booked
        states = list(reader.scalars(select(Booking.state).where(Booking.slot_id == slot_id)))
        return booked, states


def test_bookers_released_at_once_through_two_processes(
    app: Flask, crowd: Crowd, services: list[str]
) -> None:
    """One pair of gunicorn processes and one crowd per database (their start is most of the time)."""
    students_at_five_seats(app, crowd, services, crowd.slots[0])
    staff_mixed_in(app, crowd, services, crowd.slots[1])
    one_student_repeating(app, crowd, services, crowd.slots[2])


def students_at_five_seats(app: Flask, crowd: Crowd, services: list[str], slot_id: int) -> None:
    """T08: half of them ask to join the waitlist when full, half not; no 5xx, exactly 5 seats."""
    url = "{}/api/v1/consultations/slots/" + str(slot_id) + "/bookings"
    sent = [
        (url.format(services[n % 2]), {"Authorization": f"Bearer {token}"}, {"waitlist": n % 2 == 0})
        for n, (_, token) in enumerate(crowd.students)
    ]
    answers = release(sent)
    counted = Counter((a.status, a.code) for a in answers)
    assert counted[(201, "booked")] == SEATS
    assert counted[(202, "waiting")] + counted[(409, "slot_full")] == BOOKERS - SEATS, counted
    assert counted[(409, "slot_full")] > 0 and counted[(202, "waiting")] > 0
    booked, states = seats_of(app, slot_id)
    assert booked == SEATS and Counter(states)["booked"] == SEATS
    assert Counter(states)["waiting"] == counted[(202, "waiting")]


def staff_mixed_in(app: Flask, crowd: Crowd, services: list[str], slot_id: int) -> None:
    """T08, staff mixed in: the teacher books 40 students in while 160 others book themselves."""
    url = "{}/api/v1/consultations/slots/" + str(slot_id) + "/bookings"
    sent = []
    for n, (email, token) in enumerate(crowd.students):
        if n % 5 == 0:
            sent.append((url.format(services[n % 2]), {"Authorization": f"Bearer {crowd.teacher}"},
                         {"student": email, "waitlist": False}))  # fmt: skip
        else:
            sent.append(
                (url.format(services[n % 2]), {"Authorization": f"Bearer {token}"}, {"waitlist": False})
            )
    answers = release(sent)
    counted = Counter((a.status, a.code) for a in answers)
    assert counted == {(201, "booked"): SEATS, (409, "slot_full"): BOOKERS - SEATS}
    assert seats_of(app, slot_id) == (SEATS, ["booked"] * SEATS)


def one_student_repeating(app: Flask, crowd: Crowd, services: list[str], slot_id: int) -> None:
    """T09: with one Idempotency-Key every answer is the same booking; without one, the repeats
    are told "already booked"."""
    url = "{}/api/v1/consultations/slots/" + str(slot_id) + "/bookings"
    _, first_token = crowd.students[0]
    keyed = {"Authorization": f"Bearer {first_token}", "Idempotency-Key": "request-0001"}
    answers = release([(url.format(services[n % 2]), keyed, {"topic": "Сұрақ"}) for n in range(REPEATS)])
    assert {a.status for a in answers} == {201}
    assert len({a.booking for a in answers}) == 1
    _, second_token = crowd.students[1]
    bare = {"Authorization": f"Bearer {second_token}"}
    answers = release([(url.format(services[n % 2]), bare, {}) for n in range(REPEATS)])
    counted = Counter((a.status, a.code) for a in answers)
    assert counted == {(201, "booked"): 1, (409, "already_booked"): REPEATS - 1}
    assert seats_of(app, slot_id) == (2, ["booked", "booked"])
