"""Slots declared in a course's consultations.yml (carried in the service bundle) are published by
the periodic job `consultations.publish_declared`, idempotently, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from consult_fixtures import MANIFEST, OTHER_TEACHER, TEACHER, People, consult_config
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from quiz_service.consultations import declared
from quiz_service.consultations import jobs as consultation_jobs
from quiz_service.consultations.models import Slot
from quiz_service.core import db
from quiz_service.core.jobs import JobRun

pytest_plugins = ["consult_fixtures"]

SERIES = {
    "teacher": TEACHER, "start": "2026-12-10T11:00:00+05:00", "minutes": 30, "seats": 1, "mode": "online",
    "link": "https://meet.example.kz/ustaz", "title": "Жеке консультация", "weeks": 3,
}  # fmt: skip
GROUP = {
    "teacher": TEACHER, "start": "2026-12-12T15:00:00+05:00", "minutes": 60, "seats": 8, "mode": "in_person",
    "room": "214 ауд.", "title": "Топтық консультация",
}  # fmt: skip


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return consult_config(app_config)


def declare(app: Flask, course: str, *entries: dict[str, Any]) -> None:
    """A new build's bundle with these consultations.yml entries (a new file: the service reloads it)."""
    manifest = json.loads(json.dumps(MANIFEST))
    next(c for c in manifest["courses"] if c["id"] == course)["consultations"] = list(entries)
    path = app.config["SERVICE_DIR"] / "manifest.json"
    path.unlink()
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def run_job(app: Flask) -> None:
    with app.app_context():
        consultation_jobs.publish_declared(JobRun(1, "consultations.publish_declared", {}, 1, None))


def count(app: Flask) -> int:
    with app.app_context():
        return int(db.session().scalar(select(func.count()).select_from(Slot)) or 0)


def test_declared_slots_are_published_once_and_reach_students(
    app: Flask, client: FlaskClient, people: People
) -> None:
    declare(app, "fire-safety", SERIES, GROUP)
    run_job(app)
    assert count(app) == 4  # the series' three weeks and the group slot
    run_job(app)  # again, as every period does: nothing new
    assert count(app) == 4
    listed = client.get("/api/v1/consultations/fire-safety/slots", headers=people.student.headers).json[
        "slots"
    ]
    # A series' later weeks become visible a week apart, as when a teacher publishes one.
    assert [(s["seats"], s["title"], s["starts_at"][:16]) for s in listed] == [
        (1, "Жеке консультация", "2026-12-10T06:00"),
        (8, "Топтық консультация", "2026-12-12T10:00"),
    ]
    teach = client.get("/api/v1/consultations/fire-safety/teach", headers=people.teacher.headers).json[
        "slots"
    ]
    assert len(teach) == 4
    # The teacher cancels the series' first slot: the next runs do not bring it (or the series) back.
    first = client.get("/api/v1/consultations/fire-safety/teach", headers=people.teacher.headers).json[
        "slots"
    ][0]
    cancelled = client.post(
        f"/api/v1/consultations/slots/{first['id']}/cancel", json={"reason": "Ауырып қалдым"},
        headers=people.teacher.headers,
    )  # fmt: skip
    assert cancelled.status_code == 200, cancelled.json
    run_job(app)
    assert count(app) == 4
    # The file grows in a later build: only the new entry is published.
    declare(app, "fire-safety", SERIES, GROUP, GROUP | {"start": "2026-12-19T15:00:00+05:00"})
    run_job(app)
    assert count(app) == 5


def test_a_refused_teacher_is_reported_and_the_others_are_published(app: Flask, people: People) -> None:
    clash = GROUP | {"start": "2026-12-11T16:30:00+05:00"}  # inside the teacher's live class (16:00, 90 min)
    declare(app, "fire-safety", SERIES, clash, GROUP | {"teacher": "nobody@oqu.example.kz"})
    with app.app_context():
        results = declared.publish_bundle(db.utcnow())
    assert count(app) == 0  # the teacher's entries are all or nothing: the clash refuses the series too
    assert isinstance(results[("fire-safety", TEACHER)], str)  # the API's refusal, logged
    assert "no teacher" in str(results[("fire-safety", "nobody@oqu.example.kz")])
    # Another teacher's course is published although fire-safety's declarations are refused.
    manifest = json.loads((app.config["SERVICE_DIR"] / "manifest.json").read_text(encoding="utf-8"))
    manifest["courses"][1]["consultations"] = [SERIES | {"teacher": OTHER_TEACHER, "weeks": 1}]
    (app.config["SERVICE_DIR"] / "manifest.json").unlink()
    (app.config["SERVICE_DIR"] / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    run_job(app)
    assert count(app) == 1
