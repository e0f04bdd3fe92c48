"""GET /api/v1/search: ranked hits, errors in the one shape, and who sees which course."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from auth import enrolment, service
from auth.models import Role
from quiz_service import create_app
from quiz_service.core import db


@pytest.fixture
def app(
    example_build: Path, tmp_path: Path, sqlite_template: Path, apps_made_cheaply: None
) -> Iterator[Flask]:
    """The example's service bundle and index, on a database of its own: a copy of the one
    migrated once per process (tests/conftest.py)."""
    path = tmp_path / "oqu.sqlite3"
    with sqlite3.connect(sqlite_template) as source, sqlite3.connect(path) as target:
        source.backup(target)
    url = f"sqlite:///{path}"
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret",
            "SITE_DIR": tmp_path / "site",
            "SERVICE_DIR": example_build / "service",
            "SEARCH_DIR": example_build / "search",
            "VAR_DIR": tmp_path / "var",
        }
    )
    yield app
    app.extensions["oqu_db"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def bearer(app: Flask, role: str) -> dict[str, str]:
    with app.app_context(), db.write_transaction() as writer:
        user = service.create_user(writer, f"{role}@oqu.example.kz", Role(role), full_name="Асхат Нұрланұлы")
        _, secret = service.issue_token(writer, user)
    return {"Authorization": f"Bearer {secret}"}


def search(client: FlaskClient, headers: dict[str, str] | None = None, **params: Any) -> Any:
    return client.get("/api/v1/search", query_string=params, headers=headers or {})


def test_anonymous_users_find_open_courses_only(client: FlaskClient) -> None:
    answer = search(client, q="сабақ", lang="kk", limit=50)
    assert answer.status_code == 200
    assert {hit["course"] for hit in answer.json["hits"]} == {"dl-orientation"}


@pytest.mark.parametrize(("role", "courses"), [
    ("partner", {"dl-orientation"}),
    ("student", {"dl-orientation"}),
    ("teacher", {"dl-orientation", "fire-safety"}),
    ("admin", {"dl-orientation", "fire-safety"}),
])  # fmt: skip
def test_signed_in_users_find_what_they_may_see(
    app: Flask, client: FlaskClient, role: str, courses: set[str]
) -> None:
    answer = search(client, bearer(app, role), q="сабақ", lang="kk", limit=50)
    assert {hit["course"] for hit in answer.json["hits"]} == courses


def enrolled_student(app: Flask, group: str | None = None) -> dict[str, str]:
    headers = bearer(app, "student")
    with app.app_context(), db.write_transaction() as writer:
        student = service.find_user(writer, "student@oqu.example.kz")
        assert student is not None
        if group:
            student.group = group
            enrolment.enrol(writer, "fire-safety", group=group)
        else:
            enrolment.enrol(writer, "fire-safety", user=student)
    return headers


@pytest.mark.parametrize("group", [None, "ТҚ-21"])
def test_enrolled_students_find_their_gated_course(
    app: Flask, client: FlaskClient, group: str | None
) -> None:
    answer = search(client, enrolled_student(app, group), q="сабақ", lang="kk", limit=50)
    assert {hit["course"] for hit in answer.json["hits"]} == {"dl-orientation", "fire-safety"}


def test_a_student_not_enrolled_is_refused_the_gated_course(app: Flask, client: FlaskClient) -> None:
    answer = search(client, bearer(app, "student"), q="өрт", course="fire-safety")
    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "forbidden"


def test_a_hit_has_its_link_title_and_marked_snippet(app: Flask, client: FlaskClient) -> None:
    answer = search(client, enrolled_student(app), q="оттегі пайыз", lang="kk", course="fire-safety")
    hit = next(hit for hit in answer.json["hits"] if hit["kind"] == "caption")
    assert hit["url"] == "kk/courses/fire-safety/combustion/fire-triangle/#t=26"
    assert hit["seconds"] == 26 and hit["title"] == "Жану үшбұрышы"
    assert "<mark>" in hit["snippet"]
    assert answer.json["match"] == "all"


@pytest.mark.parametrize(
    ("headers_role", "status", "code"), [(None, 401, "unauthorized"), ("partner", 403, "forbidden")]
)
def test_an_enrolled_course_asked_by_name_is_refused(
    app: Flask, client: FlaskClient, headers_role: str | None, status: int, code: str
) -> None:
    headers = bearer(app, headers_role) if headers_role else None
    answer = search(client, headers, q="өрт", course="fire-safety")
    assert answer.status_code == status
    assert answer.json["error"]["code"] == code


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 422, "invalid_request"),
        ({"q": ""}, 422, "invalid_request"),
        ({"q": "өрт", "lang": "de"}, 422, "invalid_request"),
        ({"q": "өрт", "limit": "1000"}, 422, "invalid_request"),
        ({"q": "өрт", "course": "../service"}, 422, "invalid_request"),
        ({"q": "өрт", "sort": "x"}, 422, "invalid_request"),
        ({"q": "өрт", "course": "no-such-course"}, 404, "unknown_course"),
    ],
)
def test_bad_queries_get_the_error_shape(
    client: FlaskClient, params: dict[str, str], status: int, code: str
) -> None:
    answer = search(client, **params)
    assert answer.status_code == status
    assert set(answer.json) == {"error"} and answer.json["error"]["code"] == code
    assert answer.json["error"]["message"]


def test_no_index_yet_is_503(app: Flask, tmp_path: Path) -> None:
    app.config["SEARCH_DIR"] = tmp_path / "nothing"
    app.extensions.pop("oqu_search_index", None)
    answer = app.test_client().get("/api/v1/search?q=өрт")
    assert answer.status_code == 503
    assert answer.json == {
        "error": {
            "code": "search_unavailable",
            "message": "Search is not ready: the site has not been built.",
        }
    }


def test_the_openapi_description_has_the_query_parameters(client: FlaskClient) -> None:
    operation = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/search"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"q", "lang", "course", "limit"}
    assert parameters["q"]["required"] is True and parameters["q"]["in"] == "query"
    assert "422" in operation["responses"]


def test_an_index_removed_under_the_service_is_503_then_back(
    app: Flask, example_build: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "search"
    shutil.copytree(example_build / "search", copy)
    app.config["SEARCH_DIR"] = copy
    client = app.test_client()
    assert client.get("/api/v1/search?q=сабақ").status_code == 200
    shutil.rmtree(copy)
    answer = client.get("/api/v1/search?q=сабақ")
    assert (answer.status_code, answer.json["error"]["code"]) == (503, "search_unavailable")
    shutil.copytree(example_build / "search", copy)
    assert client.get("/api/v1/search?q=сабақ").status_code == 200
