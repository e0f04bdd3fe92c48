"""Domain events (issue #11 §3): published inside the transaction that made the change, on SQLite and
PostgreSQL. A test subscriber writes one row per event; it commits or rolls back with the change."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import PASSWORD
from flask import Flask
from flask.testing import FlaskClient
from quiz_bundle import ServerClock, publish_gift_quiz
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert, select
from sqlalchemy.engine import Connection
from test_quiz_attempts import START, write_manifest

from auth import enrolment
from auth.models import Enrolment, User
from quiz_service.core import db, events
from quiz_service.quizzes.models import Answer

BANK = """\
// [id:gas]
Тұрмыстық газдың жануы қай сыныпқа жатады? {=C ~A ~B}

// [id:essay]
Эвакуация кезіндегі іс-әрекеттеріңізді сипаттаңыз. {}
"""

log_metadata = MetaData()
event_log = Table(
    "test_event_log",
    log_metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("body", Text, nullable=False),
)


class Refused(Exception):
    pass


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    write_manifest(app_config["SERVICE_DIR"])
    return app_config


@pytest.fixture
def logged(app: Flask) -> Iterator[Callable[[], list[tuple[str, dict[str, Any]]]]]:
    """Every event, as a row of `test_event_log` written on the publisher's connection."""
    log_metadata.create_all(app.extensions["oqu_db"].engine)

    def write(connection: Connection, event: events.DomainEvent) -> None:
        body = {name: str(getattr(event, name)) for name in event.__dataclass_fields__}
        connection.execute(insert(event_log).values(kind=type(event).__name__, body=json.dumps(body)))

    unsubscribe = events.subscribe(events.DomainEvent, write)

    def rows() -> list[tuple[str, dict[str, Any]]]:
        with app.app_context(), db.engine().connect() as connection:
            found = connection.execute(select(event_log.c.kind, event_log.c.body).order_by(event_log.c.id))
            return [(kind, json.loads(body)) for kind, body in found]

    yield rows
    unsubscribe()


@pytest.fixture
def refuse() -> Iterator[Callable[[type[events.DomainEvent]], None]]:
    """Make every later event of a type fail in its subscriber (after the log row is written)."""
    undo: list[Callable[[], None]] = []

    def refuse(event_type: type[events.DomainEvent]) -> None:
        def fail(_connection: Connection, event: events.DomainEvent) -> None:
            raise Refused(type(event).__name__)

        undo.append(events.subscribe(event_type, fail))

    yield refuse
    for unsubscribe in undo:
        unsubscribe()


@pytest.fixture
def student(app: Flask, make_user: Callable[..., User], make_token: Callable[..., str]) -> dict[str, Any]:
    app.extensions["oqu_clock"] = ServerClock(START)
    publish_gift_quiz(app.config["SERVICE_DIR"], BANK)
    user = make_user()
    return {"id": user.id, "headers": {"Authorization": f"Bearer {make_token(user)}"}}


def kinds(rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [kind for kind, _ in rows]


def test_a_quiz_publishes_started_saved_submitted_graded_released(
    client: FlaskClient, student: dict[str, Any], logged: Callable[..., Any], make_user: Callable[..., User],
    make_token: Callable[..., str],
) -> None:  # fmt: skip
    headers = student["headers"]
    attempt = client.post("/api/v1/quizzes/fire-safety/exam/attempts", json={}, headers=headers).json
    gas = next(q for q in attempt["questions"] if q["type"] != "essay")
    right = next(o["id"] for o in gas["options"] if o["text"] == "C")
    url = f"/api/v1/attempts/{attempt['id']}/answers/{gas['id']}"
    for sequence, client_id in ((1, "a"), (1, "a"), (2, "b")):  # the repeated save stores nothing new
        body = {"response": right, "sequence": sequence, "client_id": client_id}
        assert client.put(url, json=body, headers=headers).status_code == 200
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).status_code == 200
    teacher = make_user(email="teacher@oqu.example.kz", role="admin")
    admin = {"Authorization": f"Bearer {make_token(teacher)}"}
    assert client.post("/api/v1/teach/quizzes/fire-safety/exam/release", headers=admin).status_code == 200
    rows = logged()
    assert kinds(rows) == [
        "AttemptStarted", "AnswerSaved", "AnswerSaved", "AttemptSubmitted", "AttemptGraded", "GradesReleased",
    ]  # fmt: skip
    started, saved = rows[0][1], rows[1][1]
    assert (started["attempt_id"], started["user_id"], started["number"]) == (
        str(attempt["id"]), str(student["id"]), "1",
    )  # fmt: skip
    assert (saved["question"], saved["sequence"], saved["client_id"]) == ("gas", "1", "a")
    assert json.loads(saved["response"]) == right
    assert rows[3][1]["by"] == "student"
    assert (rows[4][1]["points"], rows[4][1]["max_points"], rows[4][1]["by"]) == (
        "1.0",
        "2.0",
        "key",
    )  # essay empty


def test_a_teachers_grade_and_a_regrade_publish_graded(
    app: Flask, client: FlaskClient, student: dict[str, Any], logged: Callable[..., Any],
    make_user: Callable[..., User], make_token: Callable[..., str],
) -> None:  # fmt: skip
    headers = student["headers"]
    attempt = client.post("/api/v1/quizzes/fire-safety/exam/attempts", json={}, headers=headers).json
    gas = next(q for q in attempt["questions"] if q["type"] != "essay")
    essay = next(q for q in attempt["questions"] if q["type"] == "essay")
    wrong = next(o["id"] for o in gas["options"] if o["text"] == "A")
    body = {"response": wrong, "sequence": 1, "client_id": "a"}
    client.put(f"/api/v1/attempts/{attempt['id']}/answers/{gas['id']}", json=body, headers=headers)
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    teacher = make_user(email="teacher@oqu.example.kz", role="admin")
    admin = {"Authorization": f"Bearer {make_token(teacher)}"}
    grade = {"points": 1, "comment": "Жақсы"}
    graded = client.put(
        f"/api/v1/teach/attempts/{attempt['id']}/grades/{essay['id']}", json=grade, headers=admin
    )
    assert graded.status_code == 200, graded.json
    publish_gift_quiz(app.config["SERVICE_DIR"], BANK.replace("{=C ~A ~B}", "{=A ~C ~B}"))  # the key fixed
    regraded = client.post("/api/v1/teach/quizzes/fire-safety/exam/regrade", json={}, headers=admin)
    assert regraded.status_code == 200, regraded.json
    graded_rows = [body for kind, body in logged() if kind == "AttemptGraded"]
    assert [(r["by"], r["points"], r["grader_id"], r["question"]) for r in graded_rows] == [
        ("key", "0.0", "None", "None"), ("teacher", "1.0", str(teacher.id), "essay"),
        ("regrade", "2.0", str(teacher.id), "None"),
    ]  # fmt: skip


def test_a_failing_subscriber_rolls_the_answer_back_with_its_own_row(
    app: Flask, client: FlaskClient, student: dict[str, Any], logged: Callable[..., Any],
    refuse: Callable[..., None],
) -> None:  # fmt: skip
    headers = student["headers"]
    attempt = client.post("/api/v1/quizzes/fire-safety/exam/attempts", json={}, headers=headers).json
    essay = next(q for q in attempt["questions"] if q["type"] == "essay")
    refuse(events.AnswerSaved)
    body = {"response": "Есікке қарай жүремін.", "sequence": 1, "client_id": "a"}
    answer_url = f"/api/v1/attempts/{attempt['id']}/answers/{essay['id']}"
    assert client.put(answer_url, json=body, headers=headers).status_code == 500  # our bug: logged
    with app.app_context():
        assert db.session().scalars(select(Answer)).all() == []
    assert kinds(logged()) == ["AttemptStarted"]  # the AnswerSaved row went with the answer


def test_enrolment_events_commit_and_roll_back_with_the_enrolment(
    app: Flask, make_user: Callable[..., User], logged: Callable[..., Any]
) -> None:
    student = make_user()
    with app.app_context():
        with db.write_transaction() as writer:
            assert enrolment.enrol(writer, "closed-course", user=writer.get_one(User, student.id))
        with pytest.raises(Refused), db.write_transaction() as writer:
            assert enrolment.enrol(writer, "other-course", group="ӨҚ-22")
            raise Refused("the request failed after the change")
        with db.write_transaction() as writer:
            assert enrolment.unenrol(writer, "closed-course", user=writer.get_one(User, student.id))
            assert not enrolment.unenrol(writer, "closed-course", user=writer.get_one(User, student.id))
        assert db.session().scalars(select(Enrolment)).all() == []
    rows = logged()
    assert kinds(rows) == ["EnrolmentChanged", "EnrolmentChanged"]
    assert [(r["course_id"], r["user_id"], r["group"], r["enrolled"]) for _, r in rows] == [
        ("closed-course", str(student.id), "None", "True"), ("closed-course", str(student.id), "None", "False"),
    ]  # fmt: skip


def test_sign_in_and_sign_out_are_published(
    client: FlaskClient, make_user: Callable[..., User], sign_in: Callable[..., Any],
    logged: Callable[..., Any],
) -> None:  # fmt: skip
    user = make_user(password=PASSWORD)
    assert sign_in(user.email, "қате-құпиясөз").status_code == 200  # a failure is not a sign-in
    assert sign_in(user.email).status_code == 303
    token = client.get("/api/v1/me").json["csrf_token"]
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 303
    rows = logged()
    assert kinds(rows) == ["SignedIn", "SignedOut"]
    assert [(r["user_id"], r["method"]) for _, r in rows] == [
        (str(user.id), "password"),
        (str(user.id), "session"),
    ]


def test_subscribers_by_type_and_by_base_and_unsubscribe() -> None:
    seen: list[str] = []
    undo_all = events.subscribe(events.DomainEvent, lambda _c, e: seen.append("any"))
    undo_one = events.subscribe(events.GradesReleased, lambda _c, e: seen.append(e.quiz))
    from datetime import UTC, datetime

    events.publish(object(), events.GradesReleased("c", "exam", datetime.now(UTC)))  # type: ignore[arg-type]
    undo_one()
    events.publish(object(), events.GradesReleased("c", "exam", datetime.now(UTC)))  # type: ignore[arg-type]
    undo_all()
    events.publish(object(), events.GradesReleased("c", "exam", datetime.now(UTC)))  # type: ignore[arg-type]
    assert seen == ["exam", "any", "any"]  # the exact type first, then its bases
