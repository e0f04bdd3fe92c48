"""POST and GET /api/v1/statements on SQLite and PostgreSQL: recorded, idempotent, the sender's only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import PASSWORD
from flask import Flask
from flask.testing import FlaskClient
from footprint_helpers import SITE, statement, video_statement
from sqlalchemy import select, text

from auth.models import User
from quiz_service.core import db
from quiz_service.footprint import jobs
from quiz_service.footprint.models import FootprintStatement


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return app_config | {"FOOTPRINT_SITE_URL": SITE}


@pytest.fixture
def student(make_user: Callable[..., User]) -> User:
    return make_user()


@pytest.fixture
def headers(student: User, make_token: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(student)}"}


def rows(app: Flask) -> list[FootprintStatement]:
    with app.app_context():
        return list(db.session().scalars(select(FootprintStatement).order_by(FootprintStatement.seq)))


def test_one_statement_is_recorded_with_the_sender_as_actor(
    app: Flask, client: FlaskClient, headers: dict[str, str], student: User
) -> None:
    sent = statement()
    response = client.post("/api/v1/statements", json=sent, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json == [sent["id"]]
    [row] = rows(app)
    assert (row.seq, row.statement_id, row.user_id) == (0, sent["id"], student.id)
    got = client.get(f"/api/v1/statements?statementId={sent['id']}", headers=headers).json
    assert got["actor"] == {"objectType": "Agent", "account": {"homePage": SITE, "name": str(student.id)}}
    assert got["authority"]["account"]["name"] == "oqu"
    assert got["version"] == "1.0.3" and got["stored"].endswith("Z")
    assert got["object"] == sent["object"] and got["timestamp"] == sent["timestamp"]


def test_a_batch_is_recorded_in_order_and_a_repeat_once(
    app: Flask, client: FlaskClient, headers: dict[str, str]
) -> None:
    batch = [statement() for _ in range(10)]
    assert client.post("/api/v1/statements", json=batch, headers=headers).json == [s["id"] for s in batch]
    again = client.post("/api/v1/statements", json=[batch[3], statement(), batch[7]], headers=headers)
    assert again.status_code == 200
    recorded = rows(app)
    assert [row.seq for row in recorded] == list(range(11))
    assert [row.statement_id for row in recorded[:10]] == [s["id"] for s in batch]


def test_the_same_id_with_other_content_is_409_and_nothing_of_the_batch_is_kept(
    app: Flask, client: FlaskClient, headers: dict[str, str]
) -> None:
    first = statement()
    client.post("/api/v1/statements", json=first, headers=headers)
    changed = first | {"result": {"completion": False}}
    response = client.post("/api/v1/statements", json=[statement(), changed], headers=headers)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "statement_conflict"
    assert response.json["error"]["message"].startswith("[1].id: the statement")
    assert len(rows(app)) == 1


def test_a_statement_for_someone_else_is_refused(
    client: FlaskClient, headers: dict[str, str], student: User
) -> None:
    mine = statement(actor={"mbox": student.email.join(["mailto:", ""])})
    assert client.post("/api/v1/statements", json=mine, headers=headers).status_code == 200
    for actor in (
        {"mbox": "mailto:baska@oqu.example.kz"},
        {"account": {"homePage": SITE, "name": str(student.id + 1)}},
        {"objectType": "Group", "member": [{"mbox": student.email.join(["mailto:", ""])}]},
    ):
        response = client.post("/api/v1/statements", json=statement(actor=actor), headers=headers)
        assert response.status_code == 403, actor
        assert response.json["error"] == {
            "code": "actor_not_you",
            "message": "actor: statements are recorded only for the signed-in user",
        }


def test_anonymous_senders_are_refused(client: FlaskClient) -> None:
    assert client.post("/api/v1/statements", json=statement()).status_code == 401


def test_a_student_reads_only_their_own_statements(
    client: FlaskClient,
    headers: dict[str, str],
    make_user: Callable[..., User],
    make_token: Callable[..., str],
) -> None:
    other = {"Authorization": f"Bearer {make_token(make_user())}"}
    mine = [statement() for _ in range(3)]
    theirs = statement()
    client.post("/api/v1/statements", json=mine, headers=headers)
    client.post("/api/v1/statements", json=theirs, headers=other)
    page = client.get("/api/v1/statements?limit=2", headers=headers).json
    assert [s["id"] for s in page["statements"]] == [mine[0]["id"], mine[1]["id"]]
    rest = client.get(page["more"], headers=headers).json
    assert [s["id"] for s in rest["statements"]] == [mine[2]["id"]] and rest["more"] == ""
    response = client.get(f"/api/v1/statements?statementId={theirs['id']}", headers=headers)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "statement_not_found"


def test_a_video_statement_is_recorded(client: FlaskClient, headers: dict[str, str]) -> None:
    response = client.post("/api/v1/statements", json=video_statement(), headers=headers)
    assert response.status_code == 200, response.json


def test_the_database_refuses_to_change_or_delete_a_statement(
    app: Flask, client: FlaskClient, headers: dict[str, str]
) -> None:
    client.post("/api/v1/statements", json=statement(), headers=headers)
    with app.app_context():
        for change in ("UPDATE footprint_statements SET verb = 'x'", "DELETE FROM footprint_statements"):
            with pytest.raises(Exception, match="append-only"), db.engine().begin() as connection:
                connection.execute(text(change))
    assert len(rows(app)) == 1


def test_the_students_page_shows_their_records_in_almaty_time(
    app: Flask, client: FlaskClient, make_user: Callable[..., User], sign_in: Callable[..., Any]
) -> None:
    assert client.get("/footprint/").status_code == 302  # signed out: to the sign-in page
    student = make_user(password=PASSWORD)
    assert sign_in(student.email).status_code == 303
    token = client.get("/api/v1/me").json["csrf_token"]
    sent = statement(timestamp="2026-12-07T04:30:00Z")
    assert client.post("/api/v1/statements", json=sent, headers={"X-CSRF-Token": token}).status_code == 200
    page = client.get("/footprint/")
    assert page.status_code == 200
    html = page.text
    assert "Менің цифрлық ізім" in html and "Барлығы 2 жазба." in html  # the sign-in and the lesson
    assert (
        "2026-12-07 09:30" in html and "сабақты ашты" in html and "Кіріспе" in html and "жүйеге кірді" in html
    )
    assert "Алматы уақытымен (UTC+5)" in html
    assert "бақылау нүктесі қойылмаған" in html  # no checkpoint yet: no download
    with app.app_context():
        jobs.checkpoint_now()
    russian = client.get("/footprint/?lang=ru").text
    assert "Мой цифровой след" in russian and "открыл урок" in russian
    assert 'href="/api/v1/me/footprint"' in russian and "2 записей" in russian
    key = (app.config["FOOTPRINT_DIR"] / "public-key.txt").read_text().strip()
    assert f'<code class="footprint-key">{key}</code>' in russian
