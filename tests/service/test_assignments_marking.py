"""A second marker on SQLite and PostgreSQL: asked by the teacher who graded, only another teacher
of the course; marks blind (no first mark in the submission, the queue or the gradebook until
theirs is in); the first teacher sees both and sets the final grade; the history keeps every step;
the student sees the released final grade only."""
# ruff: noqa: F811

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from assignment_fixtures import (  # noqa: F401 (fixtures, imported by name)
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

from auth.models import Role, User

SECOND = "a.seitkali@academy.example.kz"
BASE = "/api/v1/assignments/fire-safety/evacuation-plan"
TEACH = "/api/v1/teach/assignments/fire-safety/evacuation-plan"
GRADEBOOK = "/api/v1/teach/gradebook/fire-safety"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The course of assignment_fixtures with a second teacher in its course.yml."""
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True, exist_ok=True)
    manifest = json.loads(json.dumps(MANIFEST))
    manifest["courses"][0]["teachers"] = [TEACHER, SECOND]
    (service_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    publish(service_dir, {"evacuation-plan": EVACUATION, "report": REPORT})
    return app_config


@pytest.fixture
def second(make_user: Callable[..., User], make_token: Callable[..., str], people: People) -> dict[str, str]:
    user = make_user(email=SECOND, role=Role.TEACHER, full_name="Асқар Сейітқали", group=None)
    return {"Authorization": f"Bearer {make_token(user)}"}


def hand_in(client: FlaskClient, headers: dict[str, str]) -> int:
    assert client.put(f"{BASE}/draft", json={"text": "Жоспар."}, headers=headers).status_code == 200
    answer = client.post(f"{BASE}/submit", headers=headers)
    assert answer.status_code == 200
    return int(answer.json["versions"][-1]["id"])


def grade(client: FlaskClient, headers: dict[str, str], submission: int, routes: int, proposals: int) -> Any:
    body = {"levels": {"routes": routes, "proposals": proposals}, "feedback": "Пікір."}
    return client.put(f"{TEACH}/submissions/{submission}/grade", json=body, headers=headers)


def error(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json["error"]["code"]


def student_cell(client: FlaskClient, headers: dict[str, str]) -> Any:
    rows = client.get(GRADEBOOK, headers=headers).json["students"]
    row = next(r for r in rows if r["student"] == "aigerim@oqu.example.kz")
    return next(c for c in row["cells"] if c["item"] == "assignment:evacuation-plan")["percent"]


def test_the_second_marker_marks_blind_and_the_first_teacher_sets_the_final_grade(
    app: Flask, client: FlaskClient, people: People, second: dict[str, str], clock: Clock
) -> None:
    first_version = hand_in(client, people.student)
    submission = hand_in(client, people.student)  # a second version (the assignment takes new ones)
    ungraded = hand_in(client, people.classmate)
    ask = f"{TEACH}/submissions/{submission}/second-marker"
    assert error(client.post(ask, json={"marker": SECOND}, headers=people.teacher)) == (409, "grade_first")
    assert grade(client, people.teacher, submission, 2, 2).json["points"] == 100
    # Only another teacher named in the course: not a teacher of another course, not oneself.
    other = client.post(ask, json={"marker": "first-aid.teacher@oqu.example.kz"}, headers=people.teacher)
    assert error(other) == (422, "second_marker_teacher")
    assert error(client.post(ask, json={"marker": TEACHER}, headers=people.teacher)) == (
        422,
        "second_marker_self",
    )
    assert error(client.post(ask, json={"marker": SECOND}, headers=people.other_teacher)) == (
        403,
        "forbidden",
    )
    asked = client.post(ask, json={"marker": SECOND}, headers=people.teacher)
    assert asked.status_code == 201 and asked.json["marker"] == SECOND and asked.json["marked_at"] is None
    older = client.get(f"{TEACH}/submissions/{first_version}", headers=second).json  # an older version
    assert older["blind"] is True and older["grade"] is None and older["history"] == []
    late_ask = f"{TEACH}/submissions/{ungraded}/second-marker"
    assert error(client.post(late_ask, json={"marker": SECOND}, headers=people.teacher)) == (
        409,
        "grade_first",
    )

    # Blind: the second marker sees the work, not the first mark, anywhere.
    seen = client.get(f"{TEACH}/submissions/{submission}", headers=second).json
    assert seen["blind"] is True and seen["grade"] is None and seen["history"] == []
    assert seen["version"]["text"] == "Жоспар."
    queue = client.get(f"{TEACH}/queue", headers=second).json["rows"]
    assert next(r for r in queue if r["submission_id"] == submission)["points"] is None
    assert student_cell(client, second) is None and student_cell(client, people.teacher) == 100
    override = {"student": "aigerim@oqu.example.kz", "item": "assignment:evacuation-plan", "locked": True}
    assert error(client.put(f"{GRADEBOOK}/overrides", json=override, headers=second)) == (
        403,
        "second_marker_blind",
    )
    assert error(grade(client, second, submission, 0, 0)) == (403, "second_marker_not_final")
    mark = f"{TEACH}/submissions/{submission}/second-mark"
    body = {"levels": {"routes": 1, "proposals": 1}, "feedback": "Ұсыныстар жалпы."}
    assert error(client.put(mark, json=body, headers=people.teacher)) == (403, "not_second_marker")
    assert error(client.put(mark, json=body, headers=people.other_teacher)) == (403, "forbidden")
    assert error(client.put(mark, json={"points": 40}, headers=second)) == (422, "grade_rubric")

    marked = client.put(mark, json=body, headers=second)
    assert marked.status_code == 200 and marked.json["raw_points"] == 40  # 10 + 30
    after = client.get(f"{TEACH}/submissions/{submission}", headers=second).json
    assert after["blind"] is False and after["grade"]["points"] == 100  # theirs is in: both shown
    assert error(client.post(ask, json={"marker": SECOND}, headers=people.teacher)) == (409, "second_mark_in")

    # The first teacher sees both marks and sets the final grade.
    first_view = client.get(f"{TEACH}/submissions/{submission}", headers=people.teacher).json
    assert first_view["grade"]["points"] == 100 and first_view["second_mark"]["raw_points"] == 40
    assert first_view["second_mark"]["feedback"] == "Ұсыныстар жалпы."
    assert grade(client, people.teacher, submission, 2, 1).json["points"] == 50
    final_view = client.get(f"{TEACH}/submissions/{submission}", headers=people.teacher).json
    assert final_view["second_mark"]["resolved_at"] is not None
    assert [(c["action"], c["points"], c["changed_by"]) for c in final_view["history"]] == [
        ("graded", 100, TEACHER),
        ("second_asked", 100, TEACHER),
        ("second_marked", 40, SECOND),
        ("final", 50, TEACHER),
    ]
    assert error(client.put(mark, json=body, headers=second)) == (409, "second_mark_closed")

    # The student: nothing before the release, then the final grade only.
    assert client.get(BASE, headers=people.student).json["grade"] is None
    client.post(f"{TEACH}/release", json={}, headers=people.teacher)
    mine = client.get(BASE, headers=people.student)
    assert mine.json["grade"]["points"] == 50 and mine.json["grade"]["feedback"] == "Пікір."
    assert "Ұсыныстар жалпы" not in mine.text and SECOND not in mine.text and "40" not in mine.text
    assert client.get(f"{TEACH}/submissions/{submission}", headers=people.student).status_code == 403


def test_asking_again_before_the_mark_names_another_marker(
    app: Flask, client: FlaskClient, people: People, second: dict[str, str], clock: Clock
) -> None:
    submission = hand_in(client, people.student)
    grade(client, people.teacher, submission, 1, 1)
    ask = f"{TEACH}/submissions/{submission}/second-marker"
    assert client.post(ask, json={"marker": SECOND}, headers=people.teacher).status_code == 201
    # The second marker may ask the first teacher back (both teach the course): the roles swap.
    again = client.post(ask, json={"marker": TEACHER}, headers=second)
    assert again.status_code == 201 and again.json["requested_by"] == SECOND
    assert client.get(f"{TEACH}/submissions/{submission}", headers=second).json["blind"] is False
    assert client.get(f"{TEACH}/submissions/{submission}", headers=people.teacher).json["blind"] is True
    assert client.get(f"{TEACH}/submissions/999999/second-mark", headers=second).status_code == 405
    missing = client.put(f"{TEACH}/submissions/999999/second-mark", json={"points": 1}, headers=second)
    assert missing.status_code == 404


def test_the_grade_page_of_the_second_marker(
    app: Flask, client: FlaskClient, people: People, make_user: Callable[..., User], clock: Clock
) -> None:
    from auth_helpers import PASSWORD, csrf_from_form

    make_user(email=SECOND, role=Role.TEACHER, full_name="Асқар Сейітқали", group=None, password=PASSWORD)
    submission = hand_in(client, people.student)
    grade(client, people.teacher, submission, 2, 2)
    client.post(
        f"{TEACH}/submissions/{submission}/second-marker", json={"marker": SECOND}, headers=people.teacher
    )
    browser = app.test_client()
    login = browser.get("/auth/login")
    form = {"email": SECOND, "password": PASSWORD, "csrf_token": csrf_from_form(login.text)}
    assert browser.post("/auth/login", data=form).status_code == 303
    url = f"/teach/assignments/fire-safety/evacuation-plan/submissions/{submission}"
    page = browser.get(f"{url}?lang=kk").text
    assert "Бірінші баға сіз өз бағаңызды жібергенге дейін көрсетілмейді." in page
    assert f"{url}/second-mark" in page and "100 / 100" not in page and 'class="grade"' not in page
    shoot_html("second-marker-blind", page)
    answer = browser.post(
        f"{url}/second-mark",
        data={
            "csrf_token": csrf_from_form(page),
            "level-routes": "1",
            "level-proposals": "2",
            "feedback": "Жақсы.",
        },
    )
    assert answer.status_code == 303 and "notice=second_marked" in answer.location
    after = browser.get(answer.location).text
    assert "Бағаңыз жіберілді." in after and "100 / 100" in after and "90 / 100" in after
    assert "<li>Эвакуациялау жолдары: 10</li>" in after  # the criterion by its title
    shoot_html("second-marker-marked", after)
