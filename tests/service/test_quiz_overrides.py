"""Quiz overrides (Moodle's user and group overrides) on SQLite and PostgreSQL: a study group's later
window, a student's extra time and attempts, a student's override winning over the group's; the
teacher's API and page (T03, T15, T16).

The course, the quiz `exam` and its people are test_quiz_teaching's fixtures, imported by name
(hence F811 below: pytest passes them in as arguments of the same names).
"""
# ruff: noqa: F811

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from auth_helpers import csrf_from_form
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from test_quiz_teaching import (  # noqa: F401 (fixtures, see above)
    FIXED_KEY,
    GAS,
    START,
    TEACHER,
    Clock,
    People,
    app_config,
    browser,
    clock,
    people,
    publish,
    take_quiz,
)

from builder.quizzes.model import ReviewPolicy
from quiz_service.core import db
from quiz_service.quizzes.models import QuizOverride

OVERRIDES = "/api/v1/teach/quizzes/fire-safety/exam/overrides"
START_URL = "/api/v1/quizzes/fire-safety/exam/attempts"
SUMMARY = "/api/v1/quizzes/fire-safety/exam"
CLASSMATE_GROUP = "ӨҚ-22"  # people.classmate's group; people.student is in ӨҚ-21


def iso(moment: Any) -> str:
    return moment.isoformat()


def put(client: FlaskClient, headers: dict[str, str], **body: Any) -> Any:
    return client.put(OVERRIDES, json=body, headers=headers)


def test_a_group_gets_a_later_window_the_others_do_not(
    client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    publish(FIXED_KEY, closes=iso(START + timedelta(hours=1)))
    later = START + timedelta(days=2)
    saved = put(client, people.teacher, group=CLASSMATE_GROUP, closes=iso(later))
    assert saved.status_code == 200, saved.json
    assert saved.json["group"] == CLASSMATE_GROUP and saved.json["student"] is None
    clock.now = START + timedelta(hours=3)  # the quiz is closed, but not for ӨҚ-22
    refused = client.post(START_URL, json={}, headers=people.student)
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "quiz_closed")
    started = client.post(START_URL, json={}, headers=people.classmate)
    assert started.status_code == 201
    assert started.json["deadline"] == iso(later).replace("+00:00", "Z")
    summary = client.get(SUMMARY, headers=people.classmate).json
    assert summary["closes"] == iso(later).replace("+00:00", "Z")
    assert client.get(SUMMARY, headers=people.student).json["closes"] == iso(
        START + timedelta(hours=1)
    ).replace("+00:00", "Z")


def test_a_students_own_override_wins_over_the_groups(
    client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    publish(FIXED_KEY, time_limit=20, attempts=1)
    assert put(client, people.teacher, group=CLASSMATE_GROUP, time_limit=30).status_code == 200
    own = put(client, people.teacher, student="daniyar@oqu.example.kz", time_limit=45, attempts=2)
    assert own.status_code == 200 and own.json["student_name"] == "Данияр Омаров"
    first = client.post(START_URL, json={}, headers=people.classmate).json
    assert first["deadline"] == iso(START + timedelta(minutes=45)).replace("+00:00", "Z")
    client.post(f"/api/v1/attempts/{first['id']}/submit", headers=people.classmate)
    second = client.post(START_URL, json={}, headers=people.classmate)
    assert second.status_code == 201 and second.json["number"] == 2  # 2 attempts for him
    other = client.post(START_URL, json={}, headers=people.student).json
    assert other["deadline"] == iso(START + timedelta(minutes=20)).replace("+00:00", "Z")
    client.post(f"/api/v1/attempts/{other['id']}/submit", headers=people.student)
    refused = client.post(START_URL, json={}, headers=people.student)
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "no_attempts_left")


def test_setting_again_replaces_and_removing_restores_the_quiz(
    app: Flask, client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    publish(FIXED_KEY, time_limit=20)
    first = put(client, people.teacher, group=CLASSMATE_GROUP, time_limit=30).json
    again = put(client, people.teacher, group=CLASSMATE_GROUP, time_limit=60).json
    assert again["id"] == first["id"] and again["time_limit"] == 60
    listed = client.get(OVERRIDES, headers=people.teacher).json["overrides"]
    assert [(o["group"], o["time_limit"]) for o in listed] == [(CLASSMATE_GROUP, 60)]
    assert client.delete(f"{OVERRIDES}/{first['id']}", headers=people.teacher).status_code == 204
    assert client.delete(f"{OVERRIDES}/{first['id']}", headers=people.teacher).status_code == 404
    started = client.post(START_URL, json={}, headers=people.classmate).json
    assert started["deadline"] == iso(START + timedelta(minutes=20)).replace("+00:00", "Z")
    with app.app_context():
        assert db.session().scalars(select(QuizOverride)).all() == []


def test_what_cannot_be_is_refused_with_its_reason(
    client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    publish(FIXED_KEY)
    cases = [
        ({"time_limit": 30}, "override_whom"),
        ({"group": "ӨҚ-22", "student": "daniyar@oqu.example.kz", "time_limit": 30}, "override_whom"),
        ({"group": "ӨҚ-22"}, "override_empty"),
        (
            {"group": "ӨҚ-22", "opens": iso(START), "closes": iso(START - timedelta(hours=1))},
            "override_dates",
        ),
        ({"group": "ӨҚ-22", "time_limit": 0}, "override_time_limit"),
        ({"group": "ӨҚ-22", "attempts": 101}, "override_attempts"),
        ({"student": "teacher@oqu.example.kz", "attempts": 2}, "override_student"),
        ({"student": "жоқ@oqu.example.kz", "attempts": 2}, "override_student"),
        ({"group": "ӨҚ-22", "closes": "2026-12-14T12:00:00"}, "override_zone"),
    ]
    for body, code in cases:
        refused = put(client, people.teacher, **body)
        assert (refused.status_code, refused.json["error"]["code"]) == (422, code), body


def test_only_the_course_teachers_and_admins_set_overrides(
    client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    publish(FIXED_KEY)
    for headers, status in ((people.other_teacher, 403), (people.student, 403), ({}, 401)):
        assert put(client, headers, group="ӨҚ-22", time_limit=30).status_code == status
        assert client.get(OVERRIDES, headers=headers).status_code == status
    assert put(client, people.admin, group="ӨҚ-22", time_limit=30).status_code == 200
    unknown = client.put("/api/v1/teach/quizzes/fire-safety/no-such/overrides", json={}, headers=people.admin)
    assert unknown.status_code == 404


def test_the_page_takes_local_time_escapes_and_wants_the_csrf_token(
    app: Flask, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    publish(FIXED_KEY)
    teacher = browser(app, TEACHER)
    page = teacher.get("/teach/fire-safety/exam/overrides?lang=kk")
    assert page.status_code == 200 and "Жеке баптаулар" in page.text
    token = csrf_from_form(page.text)
    form = {"who": "<script>alert(1)</script>", "closes": "2026-12-20T18:00", "lang": "kk"}
    assert teacher.post("/teach/fire-safety/exam/overrides", data=form).status_code == 400  # no token
    saved = teacher.post("/teach/fire-safety/exam/overrides", data=form | {"csrf_token": token})
    assert saved.status_code == 303
    shown = teacher.get(saved.headers["Location"])
    assert "Жеке баптау сақталды." in shown.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text and "<script>alert" not in shown.text
    assert "20.12.2026 18:00 (UTC+5)" in shown.text  # shown back in Kazakhstan time, the zone named
    assert "Уақыт белдеуі: Астана уақыты (UTC+5)." in shown.text  # the form says which zone it reads
    with app.app_context():
        stored = db.session().scalars(select(QuizOverride)).one()
        assert stored.closes is not None and stored.closes.isoformat() == "2026-12-20T13:00:00+00:00"
    bad = teacher.post(
        "/teach/fire-safety/exam/overrides",
        data={"who": "ӨҚ-22", "time_limit": "жарты сағат", "csrf_token": token, "lang": "ru"},
    )
    assert bad.status_code == 422 and "Не сохранено: дату пишите как ГГГГ-ММ-ДД ЧЧ:ММ" in bad.text
    removed = teacher.post(
        f"/teach/fire-safety/exam/overrides/{stored.id}/delete", data={"csrf_token": token, "lang": "en"}
    )
    assert removed.status_code == 303
    assert "The override is removed." in teacher.get(removed.headers["Location"]).text


# -- what is decided by the dates follows the student's own dates (issue #10, finding 3) ----

AFTER_CLOSE = ReviewPolicy(
    score="after-close", correctness="after-close", feedback="after-close", answers="after-close"
)
AFTER_RELEASE = ReviewPolicy(answers="after-release")
EXTENDED = START + timedelta(days=2)


def review_of(client: FlaskClient, headers: dict[str, str], attempt: dict[str, Any]) -> dict[str, Any]:
    return client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json["review"]


def right_answers(review: dict[str, Any]) -> list[Any]:
    return [q["right_answer"] for q in review["questions"] if q["right_answer"] is not None]


def test_answers_stay_hidden_until_the_students_own_extended_close(
    client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    publish(FIXED_KEY, closes=iso(START + timedelta(hours=1)), attempts=2, review=AFTER_CLOSE)
    assert (
        put(client, people.teacher, student="daniyar@oqu.example.kz", closes=iso(EXTENDED)).status_code == 200
    )
    extended = take_quiz(client, people.classmate, {GAS: "A"})
    others = take_quiz(client, people.student, {GAS: "C"})
    clock.now = START + timedelta(hours=3)  # the quiz's close is past, Daniyar's is not
    assert right_answers(review_of(client, people.student, others)) != []
    hidden = review_of(client, people.classmate, extended)
    assert right_answers(hidden) == [] and hidden["points"] is None
    assert all(q["state"] is None and q["feedback"] is None for q in hidden["questions"])
    second = client.post(START_URL, json={}, headers=people.classmate)
    assert second.status_code == 201 and second.json["number"] == 2  # his window is still open
    clock.now = EXTENDED
    assert right_answers(review_of(client, people.classmate, extended)) != []


def test_a_groups_extended_close_hides_the_score_in_the_summary(
    client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    publish(FIXED_KEY, closes=iso(START + timedelta(hours=1)), review=AFTER_CLOSE)
    assert put(client, people.teacher, group=CLASSMATE_GROUP, closes=iso(EXTENDED)).status_code == 200
    take_quiz(client, people.classmate, {GAS: "C"})
    take_quiz(client, people.student, {GAS: "C"})
    clock.now = START + timedelta(hours=3)
    grouped = client.get(SUMMARY, headers=people.classmate).json
    assert (grouped["grade"], grouped["attempts"][0]["percent"]) == (None, None)
    assert client.get(SUMMARY, headers=people.student).json["attempts"][0]["percent"] == 50.0
    clock.now = EXTENDED
    assert client.get(SUMMARY, headers=people.classmate).json["attempts"][0]["percent"] == 50.0


def test_a_close_moved_later_in_a_new_version_hides_the_answers_of_older_attempts(
    client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    first = publish(FIXED_KEY, closes=iso(START + timedelta(hours=1)), attempts=2, review=AFTER_CLOSE)
    attempt = take_quiz(client, people.student, {GAS: "A"})
    assert publish(FIXED_KEY, closes=iso(EXTENDED), attempts=2, review=AFTER_CLOSE) != first
    clock.now = START + timedelta(hours=3)  # past the close its version was published with
    assert right_answers(review_of(client, people.student, attempt)) == []
    assert client.get(SUMMARY, headers=people.student).json["attempts"][0]["percent"] is None
    clock.now = EXTENDED
    assert right_answers(review_of(client, people.student, attempt)) != []


def test_a_release_opens_the_answers_to_an_extended_student_only_at_his_own_close(
    client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    publish(FIXED_KEY, closes=iso(START + timedelta(hours=1)), attempts=2, review=AFTER_RELEASE)
    assert put(client, people.teacher, group=CLASSMATE_GROUP, closes=iso(EXTENDED)).status_code == 200
    extended = take_quiz(client, people.classmate, {GAS: "A"})
    others = take_quiz(client, people.student, {GAS: "C"})
    clock.now = START + timedelta(hours=3)
    released = client.post("/api/v1/teach/quizzes/fire-safety/exam/release", headers=people.teacher)
    assert released.status_code == 200
    assert right_answers(review_of(client, people.student, others)) != []
    assert right_answers(review_of(client, people.classmate, extended)) == []
    last = take_quiz(client, people.classmate, {GAS: "B"})  # the second of two: none can follow
    assert right_answers(review_of(client, people.classmate, last)) != []
    clock.now = EXTENDED
    assert right_answers(review_of(client, people.classmate, extended)) != []
