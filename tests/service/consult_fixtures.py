"""What the consultations' tests share: two courses in the bundle, their people, the clock, helpers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from auth_helpers import PASSWORD
from flask import Flask
from flask.testing import FlaskClient
from quiz_bundle import ServerClock

from auth import enrolment
from auth.models import Role, User
from quiz_service.core import db

NOW = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 09:00 in Almaty
START = datetime(2026, 12, 10, 6, 0, tzinfo=UTC)  # 11:00 in Almaty, three days later
TEACHER = "ustaz@oqu.example.kz"
OTHER_TEACHER = "first-aid.ustaz@oqu.example.kz"
LIVE_CLASS = "2026-12-11T16:00:00+05:00"  # START + 1 day + 5 hours
MANIFEST = {
    "version": 1,
    "courses": [
        {
            "id": "fire-safety", "access": "enrolled", "title": {"kk": "Өрт қауіпсіздігі"}, "teachers": [TEACHER],
            "schedule": [{"id": "webinar-1", "start": LIVE_CLASS, "duration": 90, "teacher": TEACHER}],
        },
        {"id": "first-aid", "access": "enrolled", "title": {"kk": "Алғашқы көмек"}, "teachers": [OTHER_TEACHER]},
    ],
}  # fmt: skip


def write_manifest(service_dir: Path) -> None:
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")


def consult_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The service's test config with the two courses in its bundle and the consultations' policy
    (each test module wraps its `app_config` with it: a plugin's fixture cannot override conftest's)."""
    write_manifest(app_config["SERVICE_DIR"])
    return app_config | {"CONSULT_HOLD": timedelta(hours=2), "CONSULT_COURSE_LIMIT": 3}


@pytest.fixture
def clock(app: Flask) -> ServerClock:
    clock = ServerClock(NOW)
    app.extensions["oqu_clock"] = clock
    return clock


@dataclass
class Person:
    user: User
    headers: dict[str, str]


@dataclass
class People:
    teacher: Person
    other_teacher: Person
    admin: Person
    students: list[Person]
    outsider: Person  # a student not enrolled in fire-safety

    @property
    def student(self) -> Person:
        return self.students[0]


@pytest.fixture
def people(
    app: Flask, make_user: Callable[..., User], make_token: Callable[..., str], clock: ServerClock
) -> People:
    def person(**fields: Any) -> Person:
        user = make_user(password=PASSWORD, **fields)
        return Person(user, {"Authorization": f"Bearer {make_token(user)}"})

    teacher = person(email=TEACHER, role=Role.TEACHER, full_name="Ерлан Жақсылықов", group=None)
    other = person(email=OTHER_TEACHER, role=Role.TEACHER, full_name="Гүлнар Әбдірахманова", group=None)
    admin = person(email="admin@oqu.example.kz", role=Role.ADMIN, full_name="Оқу бөлімі", group=None)
    names = ["Айгерім Сапарова", "Данияр Омаров", "Әсел Нұрланқызы", "Бекзат Серікұлы"]
    students = [person(email=f"student{n}@oqu.example.kz", full_name=name) for n, name in enumerate(names)]
    outsider = person(email="outsider@oqu.example.kz", full_name="Тимур Ахметов", group="БӨЛЕК-1")
    with app.app_context(), db.write_transaction() as writer:
        enrolment.enrol(writer, "fire-safety", group="ӨҚ-21")
        enrolment.enrol(writer, "first-aid", user=writer.get_one(User, outsider.user.id))
    return People(teacher, other, admin, students, outsider)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def publish(client: FlaskClient, headers: dict[str, str], course: str = "fire-safety", **fields: Any) -> Any:
    body = {"starts_at": iso(START), "minutes": 30, "mode": "online", "link": "https://meet.example.kz/ustaz"}
    return client.post(f"/api/v1/consultations/{course}/slots", json=body | fields, headers=headers)


def publish_slot(client: FlaskClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    answer = publish(client, headers, **fields)
    assert answer.status_code == 201, answer.json
    slot: dict[str, Any] = answer.json["slots"][0]
    return slot


def book(client: FlaskClient, person: Person, slot_id: int, **fields: Any) -> Any:
    return client.post(f"/api/v1/consultations/slots/{slot_id}/bookings", json=fields, headers=person.headers)


def slot_rows(app: Flask, slot_id: int) -> tuple[int, dict[str, int]]:
    """(the slot's `booked` counter, the number of its bookings in each state)."""
    from sqlalchemy import func, select

    from quiz_service.consultations.models import Booking, Slot

    with app.app_context():
        reader = db.session()
        booked = reader.get_one(Slot, slot_id).booked
        rows = reader.execute(
            select(Booking.state, func.count()).where(Booking.slot_id == slot_id).group_by(Booking.state)
        ).all()
        return booked, {state: int(count) for state, count in rows}
