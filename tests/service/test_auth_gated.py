"""Gated courses: who may fetch `access: enrolled` lessons, enrolment by CLI and admin page."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from auth_helpers import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient

from auth import enrolment
from auth.models import Role, User
from quiz_service.core import db

GATED = "/kk/courses/fire-safety/"
LESSON = "/kk/courses/fire-safety/combustion/fire-triangle/"
OPEN = "/kk/courses/dl-orientation/"
MANIFEST = {
    "version": 1,
    "courses": [
        {"id": "dl-orientation", "access": "open", "title": {"kk": "Қашықтан оқыту: кіріспе"}},
        {"id": "fire-safety", "access": "enrolled", "title": {"kk": "Өрт қауіпсіздігі"}},
    ],
}
PAGES = {
    "kk/courses/fire-safety/index.html": "<h1>Өрт қауіпсіздігі</h1>",
    "kk/courses/fire-safety/combustion/fire-triangle/index.html": "<h1>Жану үшбұрышы</h1>",
    "kk/courses/dl-orientation/index.html": "<h1>Қашықтан оқыту</h1>",
    "kk/courses/fire-safety/fire-safety-kk.pdf": "%PDF-1.7 Өрт",
    "kk/courses/fire-safety/fire-safety-kk-offline.zip": "PK Өрт",
    "kk/courses/dl-orientation/dl-orientation-kk.pdf": "%PDF-1.7 Қашықтан",
}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    site: Path = app_config["SITE_DIR"]
    for name, text in PAGES.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")
    return app_config


@pytest.fixture
def signed_in(app: Flask, make_user: Callable[..., User]) -> Callable[..., FlaskClient]:
    """A new browser signed in as a new user with the given fields."""

    def make(**fields: Any) -> FlaskClient:
        user = make_user(password=PASSWORD, **fields)
        browser = app.test_client()
        page = browser.get("/auth/login")
        form = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_from_form(page.text)}
        assert browser.post("/auth/login", data=form).status_code == 303
        browser.user = user  # type: ignore[attr-defined]
        return browser

    return make


def test_open_courses_are_public(client: FlaskClient) -> None:
    assert client.get(OPEN).status_code == 200
    assert (
        "Cache-Control" not in client.get(OPEN).headers
        or "private" not in client.get(OPEN).headers["Cache-Control"]
    )


def test_anonymous_readers_are_sent_to_sign_in(client: FlaskClient) -> None:
    for path in (GATED, LESSON, "/kk/courses/fire-safety", "/kk/courses/fire-safety/missing.png"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"].startswith("/auth/login?next=%2Fkk%2Fcourses%2Ffire-safety")
        assert "Өрт" not in response.text


def test_a_course_pdf_and_offline_copy_share_its_gate(
    client: FlaskClient, signed_in: Callable[..., FlaskClient], app: Flask
) -> None:
    """builder/paper puts them in the course's folder, so the course's gate covers them."""
    assert client.get("/kk/courses/dl-orientation/dl-orientation-kk.pdf").status_code == 200
    student = signed_in()
    with app.app_context(), db.write_transaction() as writer:
        enrolment.enrol(writer, "fire-safety", user=writer.get_one(User, student.user.id))  # type: ignore[attr-defined]
    outsider = signed_in()
    for name in ("fire-safety-kk.pdf", "fire-safety-kk-offline.zip"):
        path = f"{GATED}{name}"
        assert client.get(path).status_code == 303, path
        assert outsider.get(path).status_code == 403, path
        assert student.get(path).status_code == 200, path


@pytest.mark.parametrize(
    "path",
    [
        "/kk/courses/dl-orientation/../fire-safety/",
        "/kk/courses/%66ire-safety/",
        "/kk//courses/fire-safety/",
        "/kk/courses/./fire-safety/combustion/fire-triangle/index.html",
    ],
)
def test_path_tricks_do_not_open_a_gated_course(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (303, 404), response.status_code
    assert "Өрт қауіпсіздігі" not in response.text and "Жану" not in response.text


def test_who_reads_an_enrolled_course(signed_in: Callable[..., FlaskClient], app: Flask) -> None:
    outsider = signed_in(group="ӨҚ-21")
    by_group = signed_in(group="ТҚ-22")
    alone = signed_in(group=None)
    teacher, admin, partner = (signed_in(role=role) for role in (Role.TEACHER, Role.ADMIN, Role.PARTNER))
    with app.app_context(), db.write_transaction() as writer:
        enrolment.enrol(writer, "fire-safety", group="ТҚ-22")
        enrolment.enrol(writer, "fire-safety", user=writer.get_one(User, alone.user.id))  # type: ignore[attr-defined]
    for browser, status in [
        (outsider, 403), (by_group, 200), (alone, 200), (teacher, 200), (admin, 200), (partner, 403)
    ]:  # fmt: skip
        response = browser.get(LESSON)
        assert response.status_code == status, browser.user  # type: ignore[attr-defined]
        assert browser.get(OPEN).status_code == 200
    refused = partner.get(GATED)
    assert "Курс тіркелген білім алушыларға ғана ашық" in refused.text and "Жану" not in refused.text
    assert by_group.get(LESSON).headers["Cache-Control"] == "private, no-cache"


def test_auth_request_for_nginx(
    signed_in: Callable[..., FlaskClient], client: FlaskClient, app: Flask
) -> None:
    student = signed_in()
    with app.app_context(), db.write_transaction() as writer:
        enrolment.enrol(writer, "fire-safety", user=writer.get_one(User, student.user.id))  # type: ignore[attr-defined]
    partner = signed_in(role=Role.PARTNER)
    cases = [
        (client, OPEN, 204), (client, LESSON, 401), (client, "/kk/courses/%66ire-safety/", 401),
        (client, "/kk/courses/x/../fire-safety/a.png?x=1", 401), (student, LESSON, 204),
        (partner, LESSON, 403), (partner, "/ru/courses/dl-orientation/", 204), (client, "/", 204),
    ]  # fmt: skip
    for browser, uri, status in cases:
        response = browser.get("/auth/request", headers={"X-Original-URI": uri})
        assert (uri, response.status_code) == (uri, status)
        assert response.data == b""


def test_enrol_commands(run_oqu: Any, app: Flask, make_user: Callable[..., User]) -> None:
    url = app.config["DATABASE_URL"]
    student = make_user(email="nurlan@oqu.example.kz")
    teacher = make_user(email="teacher@oqu.example.kz", role=Role.TEACHER)
    env = {"database_url": url}
    assert Path("build/service/manifest.json").is_file()  # the site folder is the app's
    assert run_oqu("enrol", "add", "fire-safety", "--group", "ӨҚ-21", **env).stdout == (
        "ӨҚ-21 is now enrolled in fire-safety.\n"
    )
    assert run_oqu("enrol", "add", "fire-safety", "--group", "ӨҚ-21", **env).stdout == (
        "ӨҚ-21 was already enrolled in fire-safety.\n"
    )
    assert run_oqu("enrol", "add", "fire-safety", "--user", student.email, **env).exit_code == 0
    wrong = run_oqu("enrol", "add", "fire-safty", "--user", student.email, **env)
    assert wrong.exit_code == 1
    assert wrong.stderr == "Error: there is no course 'fire-safty'; courses: dl-orientation, fire-safety\n"
    not_student = run_oqu("enrol", "add", "fire-safety", "--user", teacher.email, **env)
    assert not_student.stderr == "Error: teacher@oqu.example.kz is a teacher: only students are enrolled\n"
    assert run_oqu("enrol", "list", **env).stdout == (
        "fire-safety\tgroup ӨҚ-21\nfire-safety\tnurlan@oqu.example.kz\n"
    )
    assert run_oqu("enrol", "remove", "fire-safety", "--group", "ӨҚ-21", **env).exit_code == 0
    assert run_oqu("enrol", "list", **env).stdout == "fire-safety\tnurlan@oqu.example.kz\n"


def test_the_admin_page(signed_in: Callable[..., FlaskClient], client: FlaskClient, app: Flask) -> None:
    assert client.get("/auth/admin").status_code == 302
    assert signed_in(role=Role.TEACHER).get("/auth/admin").status_code == 403
    student = signed_in(full_name="Ерлан <img src=x onerror=alert(1)>")
    admin = signed_in(role=Role.ADMIN)
    page = admin.get("/auth/admin?lang=en")
    assert page.status_code == 200
    assert "Ерлан &lt;img src=x onerror=alert(1)&gt;" in page.text and "<img src=x" not in page.text
    assert '<option value="fire-safety">Өрт қауіпсіздігі</option>' in page.text
    assert "dl-orientation" not in page.text  # open courses need no enrolment
    csrf = csrf_from_form(page.text)
    email = student.user.email  # type: ignore[attr-defined]
    enrolled = admin.post(
        "/auth/admin/enrol", data={"csrf_token": csrf, "course": "fire-safety", "who": email, "lang": "en"}
    )
    assert enrolled.status_code == 200 and "Enrolled." in enrolled.text
    assert student.get(LESSON).status_code == 200
    unknown = admin.post(
        "/auth/admin/enrol", data={"csrf_token": csrf, "course": "fire-safety", "who": "x@y.kz", "lang": "en"}
    )
    assert unknown.status_code == 422 and "There is no user with this email." in unknown.text
    user_id = student.user.id  # type: ignore[attr-defined]
    assert admin.post(f"/auth/admin/users/{user_id}/suspend", data={"csrf_token": csrf}).status_code == 200
    assert student.get("/api/v1/me").status_code == 401  # T14: at once
    assert student.get(LESSON).status_code == 303


def test_a_course_the_manifest_does_not_list_is_closed(
    app: Flask, client: FlaskClient, signed_in: Callable[..., FlaskClient]
) -> None:
    page = app.config["SITE_DIR"] / "kk/courses/new-course/index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<h1>Жаңа курс</h1>", encoding="utf-8")
    assert client.get("/kk/courses/new-course/").status_code == 303
    assert signed_in(role=Role.STUDENT).get("/kk/courses/new-course/").status_code == 403
    assert signed_in(role=Role.TEACHER).get("/kk/courses/new-course/").status_code == 200


def test_the_catalogue_page_is_not_a_course(app: Flask, client: FlaskClient) -> None:
    catalogue = app.config["SITE_DIR"] / "kk/courses/index.html"
    catalogue.write_text("<h1>Курстар каталогы</h1>", encoding="utf-8")
    assert client.get("/kk/courses/").status_code == 200
    assert client.get("/kk/courses/index.html").status_code == 200
