"""Assignments' events in the footprint (R7.9, timely completion): a submission with its days
late, a grade with its score and grader, a release; each a valid xAPI statement, written in the
transaction that published the event."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from datetime import date as D
from typing import Any

import pytest
from flask import Flask
from footprint_helpers import SITE
from sqlalchemy import select

from auth.models import Role, User
from quiz_service.core import db, events
from quiz_service.footprint.models import FootprintStatement
from quiz_service.footprint.xapi import check_statement

AT = datetime(2026, 12, 12, 10, 30, tzinfo=UTC)
ACTIVITY = f"{SITE}courses/fire-safety/assignments/evacuation-plan"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return app_config | {"FOOTPRINT_SITE_URL": SITE}


def statements(app: Flask) -> list[dict[str, Any]]:
    with app.app_context():
        rows = db.session().scalars(select(FootprintStatement).order_by(FootprintStatement.seq)).all()
        return [json.loads(row.record)["statement"] for row in rows]


def test_a_submission_a_grade_and_a_release_are_recorded(app: Flask, make_user: Callable[..., User]) -> None:
    student = make_user()
    teacher = make_user(email="a.zhumabayeva@academy.example.kz", role=Role.TEACHER)
    with app.app_context(), db.write_connection() as writer:
        events.publish(writer, events.AssignmentSubmitted(7, student.id, "fire-safety", "evacuation-plan", 2, AT,
                                                          datetime(2026, 12, 11, 18, 59, tzinfo=UTC), 1))  # fmt: skip
        events.publish(writer, events.AssignmentGraded(3, 7, student.id, "fire-safety", "evacuation-plan", 17.5, 20.0,
                                                       teacher.id, AT))  # fmt: skip
        events.publish(writer, events.AssignmentGradesReleased("fire-safety", "evacuation-plan", None, AT))
    submitted, graded, released = statements(app)[-3:]
    for statement in (submitted, graded, released):
        sent = {
            key: value for key, value in statement.items() if key not in ("authority", "stored", "version")
        }
        check_statement(sent)  # the service's own statements pass the strict checks a client's do
    assert submitted["verb"]["id"] == "http://activitystrea.ms/schema/1.0/submit"
    assert submitted["object"]["id"] == ACTIVITY
    assert submitted["actor"]["account"]["name"] == str(student.id)
    assert submitted["context"]["extensions"][f"{SITE}xapi/extensions/days-late"] == 1
    assert graded["result"]["score"] == {"raw": 17.5, "min": 0, "max": 20.0, "scaled": 0.875}
    assert graded["context"]["instructor"]["account"]["name"] == str(teacher.id)
    assert released["verb"]["display"] == {"en": "released"} and released["object"]["id"] == ACTIVITY


def test_a_rolled_back_submission_leaves_no_statement(app: Flask, make_user: Callable[..., User]) -> None:
    student = make_user()
    before = len(statements(app))
    with pytest.raises(RuntimeError), app.app_context(), db.write_connection() as writer:
        events.publish(
            writer, events.AssignmentSubmitted(8, student.id, "fire-safety", "evacuation-plan", 1, AT, AT, 0)
        )
        raise RuntimeError("the submission's transaction fails after the event")
    assert len(statements(app)) == before


def test_attendance_consultations_questions_and_proctoring_are_recorded(
    app: Flask, make_user: Callable[..., User]
) -> None:
    student = make_user()
    teacher = make_user(email="a.zhumabayeva@academy.example.kz", role=Role.TEACHER)
    published = [
        events.AttendanceRecorded("fire-safety", "webinar-1", student.id, "late", AT, None, None, AT),
        events.AttendanceRecorded("fire-safety", "webinar-2", student.id, "excused", None, "Анықтама № 17", teacher.id, AT),
        events.ConsultationBooked(5, 3, student.id, "fire-safety", "waiting", None, AT),
        events.ConsultationCancelled(5, 3, student.id, "fire-safety", "student", AT),
        events.ConsultationAttendance(6, 4, student.id, "fire-safety", True, teacher.id, AT),
        events.QuestionAsked(9, student.id, "fire-safety", "evacuation", AT),
        events.ProctoringDecided(2, 11, student.id, "fire-safety", "midterm", "annulled", False, "Бөгде адам",
                                 teacher.id, False, AT),
    ]  # fmt: skip
    with app.app_context(), db.write_connection() as writer:
        for event in published:
            events.publish(writer, event)
    recorded = statements(app)[-len(published) :]
    for statement in recorded:
        check_statement({k: v for k, v in statement.items() if k not in ("authority", "stored", "version")})
    late, excused, booked, cancelled, consulted, asked, annulled = recorded
    assert late["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attended" and late["result"] == {
        "success": True
    }
    assert excused["result"] == {"success": False}
    assert excused["context"]["extensions"][f"{SITE}xapi/extensions/reason"] == "Анықтама № 17"
    assert booked["verb"]["id"].endswith("/registered") and booked["object"]["id"].endswith(
        "/consultations/3"
    )
    assert cancelled["verb"]["display"] == {"en": "cancelled"}
    assert consulted["result"] == {"success": True}
    assert asked["object"]["id"] == f"{SITE}courses/fire-safety/questions/9" and "Эвакуация" not in str(asked)
    assert annulled["verb"]["id"] == f"{SITE}xapi/verbs/attestation-annulled"
    assert annulled["context"]["instructor"]["account"]["name"] == str(teacher.id)


def test_the_offices_plan_and_accommodation_decisions_are_recorded_without_the_document(
    app: Flask, make_user: Callable[..., User]
) -> None:
    """R9 item 5: the accommodation is recorded in the footprint — the period, who and when;
    the medical document's reference stays on the office's pages."""
    student = make_user()
    office = make_user(email="oqu-bolimi@academy.example.kz", role=Role.ADMIN)
    published: list[events.DomainEvent] = [
        events.AccommodationSet(student.id, "Анықтама № 17", D(2026, 12, 1), D(2026, 12, 20), office.id, AT),
        events.AccommodationChanged(
            3,
            student.id,
            "ended",
            "Анықтама № 17",
            D(2026, 12, 1),
            D(2026, 12, 10),
            "Ерте оралды",
            office.id,
            AT,
        ),
        events.PlanDecisionSet(student.id, "fire-safety", "", False, None, D(2027, 1, 15), office.id, AT),
        events.PlanDecisionCleared(student.id, "fire-safety", "", None, office.id, AT),
    ]
    with app.app_context(), db.write_connection() as writer:
        for event in published:
            events.publish(writer, event)
    recorded = statements(app)[-len(published) :]
    for statement in recorded:
        check_statement({k: v for k, v in statement.items() if k not in ("authority", "stored", "version")})
    granted, ended, decided, withdrawn = recorded
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in recorded] == [
        "accommodation-granted", "accommodation-ended", "plan-decision-set", "plan-decision-withdrawn",
    ]  # fmt: skip
    assert {s["object"]["id"] for s in recorded} == {f"{SITE}plans/{student.id}"}
    assert granted["actor"]["account"]["name"] == str(student.id)
    assert granted["context"]["instructor"]["account"]["name"] == str(office.id)
    assert granted["context"]["extensions"][f"{SITE}xapi/extensions/ends"] == "2026-12-20"
    assert ended["context"]["extensions"][f"{SITE}xapi/extensions/ends"] == "2026-12-10"
    assert decided["context"]["extensions"][f"{SITE}xapi/extensions/due"] == "2027-01-15"
    assert f"{SITE}xapi/extensions/module" not in decided["context"]["extensions"]
    assert "№ 17" not in json.dumps(recorded, ensure_ascii=False)
    assert withdrawn["context"]["extensions"] == {f"{SITE}xapi/extensions/course": "fire-safety"}
