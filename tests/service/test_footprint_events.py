"""The service's own statements (issue 13 §2): sign-in, sign-out and a quiz's life, written in the
transaction of the change (gone with it when it rolls back), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from conftest import PASSWORD
from flask import Flask
from flask.testing import FlaskClient
from footprint_helpers import SITE
from quiz_bundle import ServerClock, publish_gift_quiz
from sqlalchemy import select
from sqlalchemy.engine import Connection
from test_quiz_attempts import START, write_manifest

from auth.models import User
from quiz_service.core import db, events
from quiz_service.footprint.models import FootprintStatement

BANK = """\
// [id:gas]
Тұрмыстық газдың жануы қай сыныпқа жатады? {=C ~A ~B}

// [id:essay]
Эвакуация кезіндегі іс-әрекеттеріңізді сипаттаңыз. {}
"""
ADL = "http://adlnet.gov/expapi/verbs/"
QUIZ = f"{SITE}courses/fire-safety/quizzes/exam"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    write_manifest(app_config["SERVICE_DIR"])
    return app_config | {"FOOTPRINT_SITE_URL": SITE}


def recorded(app: Flask) -> list[tuple[int | None, dict[str, Any]]]:
    with app.app_context():
        rows = db.session().scalars(select(FootprintStatement).order_by(FootprintStatement.seq)).all()
        assert [row.seq for row in rows] == list(range(len(rows)))
        return [(row.user_id, json.loads(row.record)["statement"]) for row in rows]


def test_sign_in_and_sign_out_are_recorded(
    app: Flask, client: FlaskClient, make_user: Callable[..., User], sign_in: Callable[..., Any]
) -> None:
    user = make_user(password=PASSWORD)
    assert sign_in(user.email, "қате-құпиясөз").status_code == 200  # a failure is no sign-in
    assert sign_in(user.email).status_code == 303
    token = client.get("/api/v1/me").json["csrf_token"]
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 303
    statements = recorded(app)
    assert [(owner, s["verb"]["id"]) for owner, s in statements] == [
        (user.id, "https://w3id.org/xapi/adl/verbs/logged-in"),
        (user.id, "https://w3id.org/xapi/adl/verbs/logged-out"),
    ]
    logged_in = statements[0][1]
    assert logged_in["actor"]["account"] == {"homePage": SITE, "name": str(user.id)}
    assert logged_in["object"]["id"] == SITE
    assert logged_in["context"]["extensions"] == {f"{SITE}xapi/extensions/method": "password"}
    assert "address" not in json.dumps(logged_in)  # the sign-in log keeps the address, not the footprint


def test_a_quiz_is_recorded_from_start_to_release_with_every_answer(
    app: Flask, client: FlaskClient, make_user: Callable[..., User], make_token: Callable[..., str]
) -> None:
    app.extensions["oqu_clock"] = ServerClock(START)
    publish_gift_quiz(app.config["SERVICE_DIR"], BANK)
    student = make_user()
    headers = {"Authorization": f"Bearer {make_token(student)}"}
    attempt = client.post("/api/v1/quizzes/fire-safety/exam/attempts", json={}, headers=headers).json
    gas = next(q for q in attempt["questions"] if q["type"] != "essay")
    options = {o["text"]: o["id"] for o in gas["options"]}
    url = f"/api/v1/attempts/{attempt['id']}/answers/{gas['id']}"
    for sequence, client_id, text in ((1, "a", "A"), (1, "a", "A"), (2, "b", "C")):  # a repeat stores nothing
        body = {"response": options[text], "sequence": sequence, "client_id": client_id}
        assert client.put(url, json=body, headers=headers).status_code == 200
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).status_code == 200
    admin = {"Authorization": f"Bearer {make_token(make_user(email='admin@oqu.example.kz', role='admin'))}"}
    assert client.post("/api/v1/teach/quizzes/fire-safety/exam/release", headers=admin).status_code == 200
    statements = recorded(app)
    assert [(owner, s["verb"]["id"]) for owner, s in statements] == [
        (student.id, f"{ADL}attempted"), (student.id, f"{ADL}answered"), (student.id, f"{ADL}answered"),
        (student.id, f"{ADL}completed"), (student.id, f"{ADL}scored"), (None, f"{SITE}xapi/verbs/released"),
    ]  # fmt: skip
    started, first, second, _, graded, released = (s for _, s in statements)
    assert started["object"]["id"] == QUIZ
    assert first["object"]["id"] == f"{QUIZ}/questions/gas"
    # the answer history quiz_answers does not keep: the first answer, then the second
    assert [json.loads(s["result"]["response"]) for s in (first, second)] == [options["A"], options["C"]]
    registration = started["context"]["registration"]
    assert first["context"]["registration"] == registration == graded["context"]["registration"]
    assert graded["result"]["score"] == {"raw": 1.0, "min": 0, "max": 2.0, "scaled": 0.5}
    assert released["actor"]["account"]["name"] == "oqu"


def test_a_statement_rolls_back_with_its_change(
    app: Flask, make_user: Callable[..., User], sign_in: Callable[..., Any]
) -> None:
    class Refused(Exception):
        pass

    def refuse(_connection: Connection, _event: events.SignedIn) -> None:
        raise Refused

    user = make_user(password=PASSWORD)
    undo = events.subscribe(events.SignedIn, refuse)
    try:
        assert sign_in(user.email).status_code == 500
    finally:
        undo()
    assert recorded(app) == []
    assert sign_in(user.email).status_code == 303
    assert [s["verb"]["id"] for _, s in recorded(app)] == ["https://w3id.org/xapi/adl/verbs/logged-in"]
