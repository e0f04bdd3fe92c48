"""Attendance and proctored attestations in the gradebook, on SQLite and PostgreSQL: the share of
a student's own live classes attended (their audience, classes held so far, excused absences left
out), read from the schedules' attendance table by name; a proctored final quiz counts once a
proctor confirmed it, an annulled attempt does not count, one awaiting the proctor shows as
"awaiting confirmation" (never 0, no total). Totals against figures worked out by hand."""
# ruff: noqa: F811

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from assignment_fixtures import (  # noqa: F401 (fixtures, imported by name)
    BEFORE,
    EVACUATION,
    MANIFEST,
    REPORT,
    TEACHER,
    Clock,
    People,
    clock,
    people,
    publish,
    shoot_html,
)
from flask import Flask
from flask.testing import FlaskClient

from auth.models import User
from quiz_service.assignments import gradebook as book
from quiz_service.core import db
from quiz_service.proctoring.models import Decision, ProctoringSession, SessionState
from quiz_service.quizzes.models import Attempt, AttemptState
from quiz_service.schedules.models import Attendance, AttendanceStatus

BOOK = "/api/v1/teach/gradebook/fire-safety"
GRADEBOOK = {
    "categories": [
        {"category": "current", "weight": 60, "items": [{"assignment": "report"}, {"attendance": True}]},
        {"category": "final", "weight": 40, "items": [{"quiz": "final-exam"}]},
    ]
}
# BEFORE is 2026-12-15 10:00 in Almaty: w1, w2, w4 are held for ӨҚ-21; w3 is another group's; w5 later.
SCHEDULE = [
    {"id": "w1", "start": "2026-12-01T10:00:00+05:00", "duration": 90},
    {"id": "w2", "start": "2026-12-03T10:00:00+05:00", "duration": 90, "audience": ["өқ-21"]},
    {"id": "w3", "start": "2026-12-05T10:00:00+05:00", "duration": 90, "audience": ["ТҚ-99"]},
    {"id": "w4", "start": "2026-12-08T10:00:00+05:00", "duration": 90},
    {"id": "w5", "start": "2026-12-20T10:00:00+05:00", "duration": 90},
]
FINAL_EXAM = {
    "title": {"kk": "Қорытынды аттестаттау"},
    "settings": {"kind": "final", "grading": "highest", "proctoring": {"required": True}},
}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True, exist_ok=True)
    manifest = json.loads(json.dumps(MANIFEST))
    manifest["courses"][0]["schedule"] = SCHEDULE
    (service_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    publish(service_dir, {"evacuation-plan": EVACUATION, "report": REPORT}, GRADEBOOK)
    quizzes = service_dir / "quizzes" / "fire-safety"
    quizzes.mkdir(parents=True, exist_ok=True)
    (quizzes / "final-exam.json").write_text(json.dumps(FINAL_EXAM, ensure_ascii=False), encoding="utf-8")
    return app_config


def attended(app: Flask, user_id: int, marks: dict[str, AttendanceStatus]) -> None:
    with app.app_context(), db.write_transaction() as writer:
        for class_id, status in marks.items():
            writer.add(Attendance(schedule="fire-safety", class_id=class_id, user_id=user_id, status=status))


def exam_attempt(app: Flask, user_id: int, number: int, points: float, decision: Decision) -> int:
    """A finished attempt of the proctored final quiz (20 points) and its proctoring session."""
    with app.app_context(), db.write_transaction() as writer:
        attempt = Attempt(
            user_id=user_id, course="fire-safety", quiz="final-exam", version="v1", lang="kk", number=number,
            state=AttemptState.FINISHED, seed=1, questions="[]", started_at=BEFORE, finished_at=BEFORE,
            points=points, max_points=20.0,
        )  # fmt: skip
        writer.add(attempt)
        writer.flush()
        writer.add(
            ProctoringSession(
                user_id=user_id, course="fire-safety", quiz="final-exam", attempt_id=attempt.id, policy="{}",
                state=SessionState.STARTED, decision=decision, created_at=BEFORE,
            )
        )  # fmt: skip
        return int(attempt.id)


def signed_in(app: Flask, email: str) -> FlaskClient:
    """A browser session of `email` (given a password now: its API tokens end, as they would)."""
    from auth_helpers import PASSWORD, csrf_from_form

    from auth import service as accounts

    with app.app_context(), db.write_transaction() as writer:
        user = accounts.find_user(writer, email)
        assert user is not None
        accounts.replace_password(writer, user, PASSWORD)
    browser = app.test_client()
    form = {
        "email": email,
        "password": PASSWORD,
        "csrf_token": csrf_from_form(browser.get("/auth/login").text),
    }
    assert browser.post("/auth/login", data=form).status_code == 303
    return browser


def decide(app: Flask, attempt_id: int, decision: Decision) -> None:
    with app.app_context(), db.write_transaction() as writer:
        session = writer.query(ProctoringSession).filter_by(attempt_id=attempt_id).one()
        session.decision = decision


def report(client: FlaskClient, people: People, student: dict[str, str], points: float) -> None:
    base = "/api/v1/assignments/fire-safety/report"
    client.put(f"{base}/draft", json={"text": "Есеп"}, headers=student)
    submission = client.post(f"{base}/submit", headers=student).json["versions"][-1]["id"]
    teach = "/api/v1/teach/assignments/fire-safety/report"
    answer = client.put(
        f"{teach}/submissions/{submission}/grade", json={"points": points}, headers=people.teacher
    )
    assert answer.status_code == 200, answer.json
    client.post(f"{teach}/release", json={}, headers=people.teacher)


def rows(client: FlaskClient, people: People) -> dict[str, dict[str, Any]]:
    shown = client.get(BOOK, headers=people.teacher)
    assert shown.status_code == 200, shown.json
    return {row["student"]: row for row in shown.json["students"]}


def cells(row: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {cell["item"]: cell for cell in row["cells"]}


@pytest.fixture
def attested(app: Flask, client: FlaskClient, people: People, clock: Clock) -> int:
    """Айгерім: report 40/50; w1 present, w2 late, w4 absent (no row); exam 18/20 confirmed.
    Данияр: report 25/50; w1 present, w2 absent, w4 excused; exam 10/20 annulled, then 16/20
    awaiting the proctor (its attempt id returned)."""
    student, classmate = people.ids["student"], people.ids["classmate"]
    report(client, people, people.student, 40)
    report(client, people, people.classmate, 25)
    attended(
        app,
        student,
        {"w1": AttendanceStatus.PRESENT, "w2": AttendanceStatus.LATE, "w3": AttendanceStatus.PRESENT},
    )  # fmt: skip  (w3: not her class)
    attended(app, classmate, {"w1": AttendanceStatus.PRESENT, "w2": AttendanceStatus.ABSENT,
                              "w4": AttendanceStatus.EXCUSED})  # fmt: skip
    exam_attempt(app, student, 1, 18, Decision.CONFIRMED)
    exam_attempt(app, classmate, 1, 10, Decision.ANNULLED)
    return exam_attempt(app, classmate, 2, 16, Decision.PENDING)


def test_attendance_and_a_confirmed_attestation_by_hand(
    client: FlaskClient, people: People, attested: int
) -> None:
    aigerim = rows(client, people)["aigerim@oqu.example.kz"]
    shown = cells(aigerim)
    # attendance: w1 present + w2 late of her three held classes (w1, w2, w4) = 2/3
    assert shown["attendance"]["percent"] == pytest.approx(200 / 3)
    assert shown["assignment:report"]["percent"] == 80 and shown["quiz:final-exam"]["percent"] == 90
    # current (80 + 66.67) / 2 = 73.33; total 0.6 x 73.33 + 0.4 x 90 = 44 + 36 = 80 -> B
    assert aigerim["categories"]["current"] == pytest.approx(220 / 3)
    assert aigerim["total"] == pytest.approx(80.0) and (aigerim["letter"], aigerim["gpa"]) == ("B", 3.0)
    assert aigerim["awaiting"] is False


def test_an_attestation_awaiting_its_proctor_is_not_a_zero(
    app: Flask, client: FlaskClient, people: People, attested: int
) -> None:
    daniyar = rows(client, people)["daniyar@oqu.example.kz"]
    shown = cells(daniyar)
    # attendance: w4 excused leaves it out: w1 present of w1, w2 = 1/2
    assert shown["attendance"]["percent"] == 50
    assert shown["quiz:final-exam"] == {**shown["quiz:final-exam"], "percent": None, "note": "awaiting"}
    assert daniyar["total"] is None and daniyar["letter"] is None and daniyar["awaiting"] is True
    assert daniyar["categories"]["current"] == 50  # the rest is still computed
    mine = client.get("/api/v1/grades/fire-safety", headers=people.classmate).json["students"][0]
    assert cells(mine)["quiz:final-exam"]["note"] == "awaiting" and mine["total"] is None
    assert mine["awaiting"] is True
    page_csv = client.get(f"{BOOK}/export.csv?lang=ru", headers=people.teacher).get_data(as_text=True)
    exported = {r[1]: r for r in csv.reader(io.StringIO(page_csv.lstrip("\ufeff")))}
    assert "ожидает подтверждения" in exported["daniyar@oqu.example.kz"]

    decide(app, attested, Decision.CONFIRMED)  # attempt 1 annulled does not count: highest is 16/20
    daniyar = rows(client, people)["daniyar@oqu.example.kz"]
    assert cells(daniyar)["quiz:final-exam"]["percent"] == 80
    # total 0.6 x 50 + 0.4 x 80 = 30 + 32 = 62 -> C-
    assert daniyar["total"] == pytest.approx(62.0) and daniyar["letter"] == "C-"

    decide(app, attested, Decision.ANNULLED)  # both annulled: nothing counts, the item is missing (0)
    daniyar = rows(client, people)["daniyar@oqu.example.kz"]
    assert cells(daniyar)["quiz:final-exam"]["percent"] is None
    assert cells(daniyar)["quiz:final-exam"]["note"] is None
    assert daniyar["total"] == pytest.approx(30.0) and daniyar["letter"] == "FX"  # FX: 25-49


def test_the_pages_show_awaiting_confirmation(app: Flask, attested: int) -> None:
    grid = signed_in(app, TEACHER).get("/teach/gradebook/fire-safety?lang=kk")
    assert grid.status_code == 200 and "растауды күтуде" in grid.text and "Сабақтарға қатысу" in grid.text
    shoot_html("gradebook-attestation", grid.text)
    own = signed_in(app, "daniyar@oqu.example.kz").get("/grades/fire-safety?lang=ru")
    assert own.status_code == 200 and own.text.count("ожидает подтверждения") == 2  # the item and the total
    shoot_html("my-grades-awaiting", own.text)
    sheet = signed_in(app, TEACHER).get("/teach/gradebook/fire-safety/sheet?lang=kk&category=final")
    assert sheet.status_code == 200 and sheet.text.count("растауды күтуде") == 1  # Данияр's final only


def test_attendance_before_any_class_is_left_out(app: Flask, people: People, clock: Clock) -> None:
    with app.app_context():
        reader = db.session()
        student = reader.get_one(User, people.ids["student"])
        early = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
        found = book.attendance_cells(reader, "fire-safety", [student], early)
        assert found[student.id]["attendance"] == book.Cell(None, note=book.NO_CLASSES)
        # between w1's start and end it is not held yet either
        during = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)
        assert book.attendance_cells(reader, "fire-safety", [student], during)[student.id]["attendance"].note
        after = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)  # w1 ended: absent (no row) of 1
        assert (
            book.attendance_cells(reader, "fire-safety", [student], after)[student.id]["attendance"].percent
            == 0
        )
