"""The teacher's side of quizzes on SQLite and PostgreSQL: attempts, manual grading with comments,
regrade after a key fix, grade release, the teacher pages (T03 object access, T15 CSRF, T16 escaping)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from auth_helpers import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient
from quiz_bundle import ServerClock, publish_gift_quiz
from sqlalchemy import func, select

from auth.models import Role, User
from builder.quizzes.model import ReviewPolicy
from quiz_service.core import db
from quiz_service.quizzes.models import Answer, Attempt, QuizRegrade
from quiz_service.quizzes.teaching_texts import TEACH

START = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
GAS = "Тұрмыстық газдың жануы қай сыныпқа жатады?"
OXYGEN = "Ауадағы оттегі неше пайыз?"
ESSAY = "Эвакуация кезіндегі іс-әрекеттеріңізді сипаттаңыз."
WRONG_KEY = f"""\
// [id:gas]
{GAS} {{=A ~B ~C}}

// [id:oxygen]
{OXYGEN} {{#21:0.5}}
"""
FIXED_KEY = WRONG_KEY.replace("{=A ~B ~C}", "{~A ~B =C}")
WITH_ESSAY = (
    FIXED_KEY
    + f"""
// [id:essay]
{ESSAY} {{}}
"""
)
TEACHER = "teacher@oqu.example.kz"
OTHER_TEACHER = "first-aid.teacher@oqu.example.kz"
MANIFEST = {
    "version": 1,
    "courses": [
        {"id": "fire-safety", "access": "open", "title": {"kk": "Өрт қауіпсіздігі"}, "teachers": [TEACHER]},
        {"id": "first-aid", "access": "open", "title": {"kk": "Алғашқы көмек"}, "teachers": [OTHER_TEACHER]},
    ],
}
SCRIPT = "<script>alert('{}')</script>"


Clock = ServerClock


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")
    return app_config


@pytest.fixture
def clock(app: Flask) -> Clock:
    clock = Clock(START)
    app.extensions["oqu_clock"] = clock
    return clock


@pytest.fixture
def publish(app_config: dict[str, Any]) -> Callable[..., str]:
    """Write the quiz `exam` of fire-safety into the service bundle as `oqu build` does; its version."""

    def publish(bank: str = WITH_ESSAY, **settings: Any) -> str:
        return str(publish_gift_quiz(app_config["SERVICE_DIR"], bank, **settings)["version"])

    return publish


@dataclass
class People:
    teacher: dict[str, str]
    other_teacher: dict[str, str]
    admin: dict[str, str]
    student: dict[str, str]
    classmate: dict[str, str]


@pytest.fixture
def people(make_user: Callable[..., User], make_token: Callable[..., str], clock: Clock) -> People:
    def bearer(**fields: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {make_token(make_user(password=PASSWORD, **fields))}"}

    return People(
        teacher=bearer(email=TEACHER, role=Role.TEACHER, full_name="Ерлан Жақсылықов", group=None),
        other_teacher=bearer(
            email=OTHER_TEACHER, role=Role.TEACHER, full_name="Гүлнар Әбдірахманова", group=None
        ),
        admin=bearer(email="admin@oqu.example.kz", role=Role.ADMIN, full_name="Оқу бөлімі", group=None),
        student=bearer(email="aigerim@oqu.example.kz", full_name="Айгерім Сапарова"),
        classmate=bearer(email="daniyar@oqu.example.kz", full_name="Данияр Омаров", group="ӨҚ-22"),
    )


def take_quiz(client: FlaskClient, headers: dict[str, str], answers: dict[str, Any]) -> dict[str, Any]:
    """Start `exam`, answer by question text (an option by its text), submit; the submitted attempt."""
    attempt = client.post("/api/v1/quizzes/fire-safety/exam/attempts", json={}, headers=headers).json
    for sequence, question in enumerate(attempt["questions"], start=1):
        given = answers.get(question["text"])
        if given is None:
            continue
        if question.get("options"):
            given = next(o["id"] for o in question["options"] if o["text"] == given)
        body = {"response": given, "sequence": sequence, "client_id": f"save-{sequence}"}
        saved = client.put(
            f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}", json=body, headers=headers
        )
        assert saved.status_code == 200, saved.json
    done = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    assert done.status_code == 200
    return done.json


def question_id(attempt: dict[str, Any], text: str) -> str:
    return next(q["id"] for q in attempt["questions"] if q["text"] == text)


def grade(
    client: FlaskClient,
    headers: dict[str, str],
    attempt: dict[str, Any],
    text: str,
    points: float,
    comment: str = "",
) -> Any:
    url = f"/api/v1/teach/attempts/{attempt['id']}/grades/{question_id(attempt, text)}"
    return client.put(url, json={"points": points, "comment": comment}, headers=headers)


def reviewed(review: dict[str, Any], attempt: dict[str, Any], text: str) -> dict[str, Any]:
    return next(q for q in review["questions"] if q["id"] == question_id(attempt, text))


# -- access -------------------------------------------------------------------------------


def test_only_the_course_teachers_and_admins_use_the_teacher_api(
    client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    """T03: the course's teacher and admins get in; another course's teacher and students get 403."""
    publish()
    attempt = take_quiz(client, people.student, {OXYGEN: "21"})
    quizzes = client.get("/api/v1/teach/quizzes", headers=people.teacher)
    assert quizzes.status_code == 200
    assert [
        (q["course"], q["quiz"], q["title"], q["kind"], q["attempts"], q["to_grade"])
        for q in quizzes.json["quizzes"]
    ] == [("fire-safety", "exam", {"kk": "Емтихан"}, "practice", 1, 0)]
    assert client.get("/api/v1/teach/quizzes", headers=people.other_teacher).json == {"quizzes": []}
    urls = [
        "/api/v1/teach/quizzes/fire-safety/exam/attempts",
        "/api/v1/teach/quizzes/fire-safety/exam/grading",
        f"/api/v1/teach/attempts/{attempt['id']}",
    ]
    for url in urls:
        seen = {
            who: client.get(url, headers=getattr(people, who)).status_code
            for who in ("teacher", "admin", "other_teacher", "student")
        }
        assert seen == {"teacher": 200, "admin": 200, "other_teacher": 403, "student": 403}, url
        assert client.get(url).status_code == 401
    assert client.get("/api/v1/teach/quizzes", headers=people.student).status_code == 403
    assert (
        client.get("/api/v1/teach/quizzes/no-such-course/exam/attempts", headers=people.teacher).status_code
        == 404
    )
    assert (
        client.get(
            "/api/v1/teach/quizzes/fire-safety/no-such-quiz/attempts", headers=people.teacher
        ).status_code
        == 404
    )
    assert client.get("/api/v1/teach/attempts/999999", headers=people.teacher).status_code == 404
    refused = grade(client, people.other_teacher, attempt, OXYGEN, 0)
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "forbidden")
    for post in ("regrade", "release"):
        url = f"/api/v1/teach/quizzes/fire-safety/exam/{post}"
        assert client.post(url, json={}, headers=people.student).status_code == 403
        assert client.post(url, json={}, headers=people.other_teacher).status_code == 403


# -- manual grading -----------------------------------------------------------------------


def test_an_essay_waits_then_a_teachers_grade_and_comment_complete_the_attempt(
    client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    publish()
    attempt = take_quiz(client, people.student, {GAS: "C", OXYGEN: "20", ESSAY: "Есікке қарай жүремін."})
    assert (attempt["review"]["points"], attempt["review"]["percent"]) == (None, None)
    full = client.get(f"/api/v1/teach/attempts/{attempt['id']}", headers=people.teacher).json
    states = {
        q["text"]: (q["state"], q["points"], q["response_text"], q["right_answer"]) for q in full["questions"]
    }
    assert states == {
        GAS: ("correct", 1.0, ["C"], ["C"]),
        OXYGEN: ("wrong", 0.0, ["20"], ["21 ± 0.5"]),
        ESSAY: ("manual", None, ["Есікке қарай жүремін."], []),
    }
    assert (full["points"], full["to_grade"], full["student"]["full_name"]) == (None, 1, "Айгерім Сапарова")
    queue = client.get("/api/v1/teach/quizzes/fire-safety/exam/grading", headers=people.teacher).json
    assert [a["id"] for a in queue["attempts"]] == [attempt["id"]]

    graded = grade(client, people.teacher, attempt, ESSAY, 0.5, "Жарты балл: шығу жолын атамадыңыз.")
    assert graded.status_code == 200, graded.json
    assert (
        graded.json["points"],
        graded.json["max_points"],
        graded.json["percent"],
        graded.json["to_grade"],
    ) == (
        1.5,
        3.0,
        50.0,
        0,
    )
    essay = next(q for q in graded.json["questions"] if q["text"] == ESSAY)
    assert (essay["state"], essay["points"], essay["comment"], essay["graded_by"]) == (
        "partial",
        0.5,
        "Жарты балл: шығу жолын атамадыңыз.",
        "Ерлан Жақсылықов",
    )
    assert (
        client.get("/api/v1/teach/quizzes/fire-safety/exam/grading", headers=people.teacher).json["attempts"]
        == []
    )
    review = client.get(f"/api/v1/attempts/{attempt['id']}", headers=people.student).json["review"]
    assert (review["points"], review["percent"]) == (1.5, 50.0)
    assert {k: reviewed(review, attempt, ESSAY)[k] for k in ("points", "state", "comment")} == {
        "points": 0.5,
        "state": "partial",
        "comment": "Жарты балл: шығу жолын атамадыңыз.",
    }
    assert client.get("/api/v1/quizzes/fire-safety/exam", headers=people.student).json["grade"] == 50.0


def test_the_comment_follows_the_feedback_policy_and_release_opens_it(
    client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    """Points under `score`, the comment under `feedback`: here shown at once and after release."""
    publish(review=ReviewPolicy(score="immediately", correctness="immediately", feedback="after-release"))
    attempt = take_quiz(client, people.student, {ESSAY: "Терезені жабамын."})
    assert grade(client, people.teacher, attempt, ESSAY, 1, "Дұрыс, түтін таралмайды.").status_code == 200
    before = reviewed(
        client.get(f"/api/v1/attempts/{attempt['id']}", headers=people.student).json["review"], attempt, ESSAY
    )
    assert (before["points"], before["comment"], before["feedback"]) == (1.0, None, None)
    released = client.post("/api/v1/teach/quizzes/fire-safety/exam/release", json={}, headers=people.teacher)
    assert (released.status_code, released.json["course"], released.json["quiz"]) == (
        200,
        "fire-safety",
        "exam",
    )
    after = reviewed(
        client.get(f"/api/v1/attempts/{attempt['id']}", headers=people.student).json["review"], attempt, ESSAY
    )
    assert (after["points"], after["comment"]) == (1.0, "Дұрыс, түтін таралмайды.")
    listed = client.get("/api/v1/teach/quizzes/fire-safety/exam/attempts", headers=people.teacher).json
    assert listed["released_at"] == released.json["released_at"]


def test_points_out_of_range_unknown_questions_and_open_attempts_are_refused(
    client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    publish()
    attempt = take_quiz(client, people.student, {ESSAY: "Жүгіремін."})
    for points in (1.5, -0.5):
        refused = grade(client, people.teacher, attempt, ESSAY, points)
        assert (refused.status_code, refused.json["error"]) == (
            422,
            {"code": "points_out_of_range", "message": "points: from 0 to 1 for this question."},
        )
    url = f"/api/v1/teach/attempts/{attempt['id']}/grades/no-such-question"
    assert client.put(url, json={"points": 1}, headers=people.teacher).status_code == 404
    running = client.post("/api/v1/quizzes/fire-safety/exam/attempts", json={}, headers=people.classmate).json
    still_open = grade(client, people.teacher, running, ESSAY, 1)
    assert (still_open.status_code, still_open.json["error"]["code"]) == (409, "attempt_not_finished")
    full = client.get(f"/api/v1/teach/attempts/{attempt['id']}", headers=people.teacher).json
    assert full["points"] is None  # nothing was written


def test_an_unanswered_question_can_be_graded_and_commented(
    app: Flask, client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    publish()
    attempt = take_quiz(client, people.student, {GAS: "C", OXYGEN: "21"})
    assert attempt["review"]["points"] == 2.0
    graded = grade(client, people.teacher, attempt, ESSAY, 0, "Жауап жазылмаған.")
    assert graded.status_code == 200
    essay = next(q for q in graded.json["questions"] if q["text"] == ESSAY)
    assert (essay["state"], essay["comment"], graded.json["points"]) == ("wrong", "Жауап жазылмаған.", 2.0)


# -- regrade ------------------------------------------------------------------------------


def stored_points(app: Flask) -> dict[int, tuple[float | None, str]]:
    with app.app_context():
        return {a.id: (a.points, a.version) for a in db.session().scalars(select(Attempt))}


def regrade(client: FlaskClient, headers: dict[str, str], dry_run: bool) -> dict[str, Any]:
    done = client.post(
        "/api/v1/teach/quizzes/fire-safety/exam/regrade", json={"dry_run": dry_run}, headers=headers
    )
    assert done.status_code == 200, done.json
    return dict(done.json)


def test_regrade_after_a_key_fix_previews_then_changes_then_changes_nothing(
    app: Flask, client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    v1 = publish(WRONG_KEY)
    right = take_quiz(client, people.student, {GAS: "C", OXYGEN: "21"})  # C is right, v1's key says A
    lucky = take_quiz(client, people.classmate, {GAS: "A", OXYGEN: "21"})
    assert (right["review"]["points"], lucky["review"]["points"]) == (1.0, 2.0)
    v2 = publish(FIXED_KEY)
    assert v2 != v1
    before = stored_points(app)

    preview = regrade(client, people.teacher, dry_run=True)
    changes = {
        c["student"]["email"]: (c["old_points"], c["new_points"], c["old_version"])
        for c in preview["changes"]
    }
    assert changes == {"aigerim@oqu.example.kz": (1.0, 2.0, v1), "daniyar@oqu.example.kz": (2.0, 1.0, v1)}
    assert (
        preview["dry_run"],
        preview["version"],
        preview["attempts_checked"],
        preview["answers_changed"],
    ) == (
        True,
        v2,
        2,
        2,
    )
    gas = preview["changes"][0]["questions"]
    assert [(q["question"], q["text"]) for q in gas] == [(question_id(right, GAS), GAS)]
    assert stored_points(app) == before
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(QuizRegrade)) == 0

    done = regrade(client, people.teacher, dry_run=False)
    assert (done["dry_run"], done["attempts_changed"], done["answers_changed"]) == (False, 2, 2)
    assert stored_points(app) == {right["id"]: (2.0, v2), lucky["id"]: (1.0, v2)}
    review = client.get(f"/api/v1/attempts/{right['id']}", headers=people.student).json["review"]
    assert (review["points"], reviewed(review, right, GAS)["state"]) == (2.0, "correct")

    again = regrade(client, people.teacher, dry_run=False)
    assert (again["changes"], again["attempts_checked"], again["not_regradable"]) == ([], 2, [])
    with app.app_context():
        log = list(db.session().scalars(select(QuizRegrade).order_by(QuizRegrade.id)))
        teacher_id = db.session().scalar(select(User.id).where(User.email == TEACHER))
    assert [
        (r.from_versions, r.to_version, r.attempts_changed, r.answers_changed, r.regraded_by) for r in log
    ] == [
        (v1, v2, 2, 2, teacher_id),
        (v2, v2, 0, 0, teacher_id),
    ]


def test_a_teachers_override_of_an_automatic_grade_survives_the_regrade(
    app: Flask, client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    publish(WRONG_KEY)
    attempt = take_quiz(client, people.student, {GAS: "C", OXYGEN: "21"})
    overridden = grade(client, people.teacher, attempt, OXYGEN, 0.25, "Бірлігін жазбадыңыз.")
    assert overridden.json["points"] == 0.25  # gas 0 by the wrong key + oxygen 0.25 by the teacher
    publish(FIXED_KEY)
    done = regrade(client, people.teacher, dry_run=False)
    assert [(c["old_points"], c["new_points"]) for c in done["changes"]] == [(0.25, 1.25)]
    assert [q["text"] for q in done["changes"][0]["questions"]] == [GAS]
    full = client.get(f"/api/v1/teach/attempts/{attempt['id']}", headers=people.teacher).json
    oxygen = next(q for q in full["questions"] if q["text"] == OXYGEN)
    assert (oxygen["points"], oxygen["comment"], full["points"]) == (0.25, "Бірлігін жазбадыңыз.", 1.25)
    assert regrade(client, people.teacher, dry_run=False)["changes"] == []


def test_attempts_whose_questions_left_the_quiz_are_reported_not_regraded(
    app: Flask, client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    v1 = publish(WITH_ESSAY)
    attempt = take_quiz(client, people.student, {GAS: "A", OXYGEN: "21"})
    publish(FIXED_KEY)  # the essay is gone
    done = regrade(client, people.teacher, dry_run=False)
    assert done["changes"] == []
    assert [(n["attempt"], n["version"], n["reason"]) for n in done["not_regradable"]] == [
        (attempt["id"], v1, "questions_missing")
    ]
    assert stored_points(app) == {attempt["id"]: (1.0, v1)}


# -- pages --------------------------------------------------------------------------------


def browser(app: Flask, email: str) -> FlaskClient:
    signed_in = app.test_client()
    page = signed_in.get("/auth/login")
    form = {"email": email, "password": PASSWORD, "csrf_token": csrf_from_form(page.text)}
    assert signed_in.post("/auth/login", data=form).status_code == 303
    return signed_in


def test_pages_escape_names_answers_and_comments(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    make_token: Callable[..., str],
    people: People,
    publish: Callable[..., str],
) -> None:
    """T16: a student's name, an essay and a comment with <script> are shown as text."""
    publish()
    name = SCRIPT.format("аты")
    headers = {"Authorization": f"Bearer {make_token(make_user(email='x@oqu.example.kz', full_name=name))}"}
    attempt = take_quiz(client, headers, {ESSAY: SCRIPT.format("эссе")})
    teacher = browser(app, TEACHER)
    quiz_page = teacher.get("/teach/fire-safety/exam/?lang=ru")
    assert quiz_page.status_code == 200
    assert "&lt;script&gt;alert(&#39;аты&#39;)&lt;/script&gt;" in quiz_page.text
    assert "<script>" not in quiz_page.text
    page = teacher.get(f"/teach/attempts/{attempt['id']}")
    form = {"points": "0,5", "comment": SCRIPT.format("пікір"), "csrf_token": csrf_from_form(page.text)}
    saved = teacher.post(f"/teach/attempts/{attempt['id']}/grades/{question_id(attempt, ESSAY)}", data=form)
    assert saved.status_code == 303
    shown = teacher.get(saved.headers["Location"])
    assert "Баға сақталды." in shown.text
    for escaped in ("аты", "эссе", "пікір"):
        assert f"&lt;script&gt;alert(&#39;{escaped}&#39;)&lt;/script&gt;" in shown.text
    assert "<script>" not in shown.text
    full = client.get(f"/api/v1/teach/attempts/{attempt['id']}", headers=people.teacher).json
    assert (full["points"], full["questions"][-1]["comment"]) == (0.5, SCRIPT.format("пікір"))


def test_page_forms_refuse_a_missing_csrf_token(
    app: Flask, client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    """T15: release, regrade and grading forms change nothing without the session's token."""
    publish()
    attempt = take_quiz(client, people.student, {ESSAY: "Жүгіремін."})
    teacher = browser(app, TEACHER)
    posts = {
        "/teach/fire-safety/exam/release": {},
        "/teach/fire-safety/exam/regrade": {},
        f"/teach/attempts/{attempt['id']}/grades/{question_id(attempt, ESSAY)}": {"points": "1"},
    }
    for url, form in posts.items():
        assert teacher.post(url, data=form).status_code == 400, url
        assert teacher.post(url, data=form | {"csrf_token": "forged"}).status_code == 400, url
    full = client.get(f"/api/v1/teach/attempts/{attempt['id']}", headers=people.teacher).json
    assert full["points"] is None
    listed = client.get("/api/v1/teach/quizzes/fire-safety/exam/attempts", headers=people.teacher).json
    assert listed["released_at"] is None


def test_teacher_pages_grade_release_and_regrade_with_a_preview(
    app: Flask, client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    publish(WRONG_KEY.replace(f"{OXYGEN} {{#21:0.5}}", f"{ESSAY} {{}}").replace("[id:oxygen]", "[id:essay]"))
    attempt = take_quiz(client, people.student, {GAS: "C", ESSAY: "Дабыл қағамын."})
    teacher = browser(app, TEACHER)
    index = teacher.get("/teach/?lang=kk")
    assert index.status_code == 200 and "Емтихан" in index.text and "Өрт қауіпсіздігі" in index.text
    quiz_page = teacher.get("/teach/fire-safety/exam/?lang=kk")
    for link in (
        "/teach/fire-safety/exam/statistics?lang=kk",
        "/api/v1/teach/quizzes/fire-safety/exam/results.csv?lang=kk",
        "/api/v1/teach/quizzes/fire-safety/exam/results.xlsx?lang=kk",
    ):
        assert f'href="{link}"' in quiz_page.text
    token = csrf_from_form(quiz_page.text)

    to_grade = teacher.get("/teach/fire-safety/exam/next?lang=kk")
    assert to_grade.status_code == 303 and to_grade.headers["Location"].startswith(
        f"/teach/attempts/{attempt['id']}"
    )
    url = f"/teach/attempts/{attempt['id']}/grades/{question_id(attempt, ESSAY)}"
    too_many = teacher.post(url, data={"points": "2", "csrf_token": token, "lang": "kk"})
    assert too_many.status_code == 422 and "Балл 0-ден 1-ге дейін болуы керек." in too_many.text
    not_a_number = teacher.post(url, data={"points": "бір", "csrf_token": token, "lang": "kk"})
    assert not_a_number.status_code == 422 and "Балды сан түрінде енгізіңіз." in not_a_number.text
    assert teacher.post(url, data={"points": "1", "csrf_token": token}).status_code == 303
    nothing_left = teacher.get("/teach/fire-safety/exam/next?lang=kk")
    assert "notice=nothing_to_grade" in nothing_left.headers["Location"]
    assert "Бағалауды күтетін жауап жоқ." in teacher.get(nothing_left.headers["Location"]).text

    publish(FIXED_KEY.replace(f"{OXYGEN} {{#21:0.5}}", f"{ESSAY} {{}}").replace("[id:oxygen]", "[id:essay]"))
    preview = teacher.get("/teach/fire-safety/exam/regrade?lang=kk")
    assert preview.status_code == 200 and "Қайта бағалауды растау" in preview.text
    assert "1 / 2" in preview.text and "2 / 2" in preview.text
    assert client.get(f"/api/v1/teach/attempts/{attempt['id']}", headers=people.teacher).json["points"] == 1.0
    done = teacher.post("/teach/fire-safety/exam/regrade", data={"csrf_token": token, "lang": "kk"})
    assert done.status_code == 200 and "Қайта бағаланды: 1 талпыныс, 1 жауап өзгерді." in done.text
    assert client.get(f"/api/v1/teach/attempts/{attempt['id']}", headers=people.teacher).json["points"] == 2.0

    released = teacher.post("/teach/fire-safety/exam/release", data={"csrf_token": token, "lang": "ru"})
    assert released.status_code == 303
    assert "Оценки опубликованы." in teacher.get(released.headers["Location"]).text


def test_pages_send_strangers_away(
    app: Flask, client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    publish()
    attempt = take_quiz(client, people.student, {ESSAY: "Жүгіремін."})
    anonymous = app.test_client().get(f"/teach/attempts/{attempt['id']}")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/auth/login?next=")
    student = browser(app, "aigerim@oqu.example.kz")
    refused = student.get("/teach/?lang=ru")
    assert refused.status_code == 403 and "только преподавателям и администратору" in refused.text
    other = browser(app, OTHER_TEACHER)
    for url in (f"/teach/attempts/{attempt['id']}", "/teach/fire-safety/exam/"):
        page = other.get(url + "?lang=en")
        assert (
            page.status_code == 403
            and "This page is for the course&#39;s teachers and admins only." in page.text
        )
    teacher = browser(app, TEACHER)
    assert teacher.get("/teach/fire-safety/no-such-quiz/").status_code == 404
    assert teacher.get("/teach/attempts/999999").status_code == 404
    assert "/teach/?lang=kk" in teacher.get("/auth/profile").text
    assert "/teach/" not in student.get("/auth/profile").text


def test_answers_changed_by_regrade_are_counted_in_the_database(
    app: Flask, client: FlaskClient, people: People, publish: Callable[..., str]
) -> None:
    """The stored fractions move with the regrade, so exports and statistics read the new grades."""
    publish(WRONG_KEY)
    attempt = take_quiz(client, people.student, {GAS: "C", OXYGEN: "21"})
    publish(FIXED_KEY)
    regrade(client, people.teacher, dry_run=False)
    with app.app_context():
        fractions = {a.question: a.fraction for a in db.session().scalars(select(Answer))}
    assert fractions == {"gas": 1.0, "oxygen": 1.0}
    assert stored_points(app)[attempt["id"]][0] == 2.0


def test_every_word_of_the_teacher_pages_is_in_kazakh_russian_and_english() -> None:
    assert set(TEACH["kk"]) == set(TEACH["ru"]) == set(TEACH["en"])
    assert all(text.strip() for words in TEACH.values() for text in words.values())
