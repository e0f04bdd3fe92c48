"""Quiz statistics for teachers on SQLite and PostgreSQL: figures worked out by hand, access (T03).

The data set: five students answer four one-point questions (1 right, 0 wrong):

    student                       Q1 Q2 Q3 Q4  total
    Айгерім Сапарова               1  1  1  1   4
    Нұрлан Әбенов                  1  1  1  0   3   (and a second attempt: 1 1 1 1)
    =HYPERLINK("http://x","y")     1  0  1  0   2
    +cmd|' /C calc'!A0             0  1  0  0   1
    Дәулет Серікұлы                0  0  0  1   1

Worked out on paper for the five first attempts (sample figures, n - 1 = 4):
Q1: facility 3/5 = 60 %; variance ((.4² × 3) + (.6² × 2)) / 4 = .3, SD 54.77 %; the rest of
the test 3 2 1 1 1 (mean 1.6): covariance sum 1.2, rest variance sum 3.2, r = 1.2 / √(1.2 × 3.2)
= 61.24 %; sorted pairs give the same sum 1.2, efficiency 100 %.
Q2: rest 3 2 2 0 1, covariance sum .2, rest variance sum 5.2: r = .2 / √6.24 = 8.01 %
(weak); sorted sum 2.2: efficiency 9.09 %.
Q4: rest 3 3 2 1 0 (mean 1.8), covariance sum -.6, rest variance sum 6.8: r = -.6 / √8.16
= -21.00 % (negative); sorted sum 2.4: efficiency -25 %.
Quiz: grades 100 75 50 25 25: mean 55, median 50, SD √(4250 / 4) = 32.60; item variances
4 × .3 = 1.2, total 4 3 2 1 1 variance 6.8 / 4 = 1.7: alpha = 4/3 × (1 - 1.2/1.7) = 39.22 %,
error ratio 100 × √(1 - .3922) = 77.96 %, standard error 77.96 % × 32.60 = 25.41.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient
from quiz_bundle import ServerClock, publish_gift_quiz

from auth.models import Role, User
from builder.quizzes.model import Draw

START = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
TEACHER = "teacher@oqu.example.kz"
BANK = """\
// [id:gas]
Тұрмыстық газдың жануы қай сыныпқа жатады? {=C ~A ~B}

// [id:water]
Электр жабдығын сумен сөндіруге болмайды. {T}

// [id:oxygen]
Ауадағы оттегі неше пайыз? <script>alert(1)</script> {#21:0.5}

// [id:metal]
Магний өртінің сыныбы? {=D}
"""
RIGHT = {"Тұрмыстық": "C", "Электр": True, "Ауадағы": "21", "Магний": "D"}
STUDENTS = [
    ("Айгерім Сапарова", "ӨҚ-21", {"Тұрмыстық": "C", "Электр": True, "Ауадағы": "21", "Магний": "D"}),
    ("Нұрлан Әбенов", "ӨҚ-21", {"Тұрмыстық": "C", "Электр": True, "Ауадағы": "21,3", "Магний": "Д"}),
    (
        '=HYPERLINK("http://x","y")',
        "ӨҚ-21",
        {"Тұрмыстық": "C", "Электр": False, "Ауадағы": "21", "Магний": "B"},
    ),
    ("+cmd|' /C calc'!A0", "-ӨҚ-22", {"Тұрмыстық": "A", "Электр": True, "Ауадағы": "20", "Магний": "C"}),
    ("Дәулет Серікұлы", "ӨҚ-22", {"Тұрмыстық": "B", "Электр": False, "Магний": "d "}),
]


Clock = ServerClock


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True, exist_ok=True)
    courses = [
        {"id": "fire-safety", "access": "open", "title": {"kk": "Өрт қауіпсіздігі"}, "teachers": [TEACHER]},
        {
            "id": "first-aid",
            "access": "open",
            "title": {"kk": "Алғашқы көмек"},
            "teachers": ["other@oqu.example.kz"],
        },
    ]
    manifest = {"version": 1, "courses": courses}
    (service_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return app_config


@pytest.fixture
def publish(app_config: dict[str, Any]) -> Callable[..., None]:
    """Write a quiz of fire-safety into the service bundle as `oqu build` does."""

    def publish(quiz_id: str = "exam", bank: str = BANK, **settings: Any) -> None:
        publish_gift_quiz(app_config["SERVICE_DIR"], bank, quiz_id=quiz_id, **settings)

    return publish


@pytest.fixture
def clock(app: Flask) -> Clock:
    clock = Clock(START)
    app.extensions["oqu_clock"] = clock
    return clock


@pytest.fixture
def bearer_of(
    make_user: Callable[..., User], make_token: Callable[..., str]
) -> Callable[..., dict[str, str]]:
    def bearer_of(**user: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {make_token(make_user(**user))}"}

    return bearer_of


@pytest.fixture
def teacher(bearer_of: Callable[..., dict[str, str]]) -> dict[str, str]:
    return bearer_of(
        email=TEACHER, role=Role.TEACHER, full_name="Гүлнар Төлеуова", group=None, password=PASSWORD
    )


def browser_of(app: Flask, email: str) -> FlaskClient:
    """A browser signed in through the form (pages take the session, not bearer tokens)."""
    browser = app.test_client()
    form = {
        "email": email,
        "password": PASSWORD,
        "csrf_token": csrf_from_form(browser.get("/auth/login").text),
    }
    assert browser.post("/auth/login", data=form).status_code == 303
    return browser


def take(
    client: FlaskClient, headers: dict[str, str], clock: Clock, answers: dict[str, Any], quiz: str = "exam"
) -> dict[str, Any]:
    """Start, answer (questions found by their first word; a choice by its text), submit 12 min later."""
    attempt = client.post(f"/api/v1/quizzes/fire-safety/{quiz}/attempts", json={}, headers=headers).json
    for sequence, question in enumerate(attempt["questions"], start=1):
        given = answers.get(question["text"].split()[0])
        if given is None:
            continue
        if question["type"] == "single":
            given = next(o["id"] for o in question["options"] if o["text"] == given)
        body = {"response": given, "sequence": sequence, "client_id": f"c{sequence}"}
        saved = client.put(
            f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}", json=body, headers=headers
        )
        assert saved.status_code == 200, saved.json
    clock.now += timedelta(minutes=12)
    done = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    assert done.json["state"] == "finished"
    clock.now += timedelta(hours=1)
    return attempt


@pytest.fixture
def class_took_exam(
    client: FlaskClient, clock: Clock, publish: Callable[..., None], bearer_of: Callable[..., dict[str, str]]
) -> None:
    """The five students of the table above; Нұрлан comes back for a second, all-right attempt."""
    publish(grading="average")
    for number, (name, group, answers) in enumerate(STUDENTS, start=1):
        headers = bearer_of(full_name=name, group=group, email=f"student{number}@oqu.example.kz")
        take(client, headers, clock, answers)
        if name == "Нұрлан Әбенов":
            take(client, headers, clock, RIGHT)


def statistics(client: FlaskClient, headers: dict[str, str], query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/v1/teach/quizzes/fire-safety/exam/statistics{query}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def by_word(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["text"].split()[0]: q for q in report["questions"]}


def test_first_attempts_give_the_figures_worked_out_by_hand(
    client: FlaskClient, teacher: dict[str, str], class_took_exam: None
) -> None:
    report = statistics(client, teacher, "?attempts=first")
    assert report["attempts"] == "first"
    assert report["figures"] == {
        "attempts": 5,
        "awaiting_grading": 0,
        "mean": 55.0,
        "median": 50.0,
        "sd": pytest.approx(32.60, abs=0.01),
        "cic": pytest.approx(39.22, abs=0.01),
        "error_ratio": pytest.approx(77.96, abs=0.01),
        "standard_error": pytest.approx(25.41, abs=0.01),
    }
    questions = by_word(report)
    assert [q["number"] for q in report["questions"]] == [1, 2, 3, 4]  # authored order
    expected = {  # facility, SD, discrimination, efficiency
        "Тұрмыстық": (60.0, 54.77, 61.24, 100.0),
        "Электр": (60.0, 54.77, 8.01, 9.09),
        "Ауадағы": (60.0, 54.77, 61.24, 100.0),
        "Магний": (40.0, 54.77, -21.0, -25.0),
    }
    for word, (facility, sd, discrimination, efficiency) in expected.items():
        q = questions[word]
        assert q["attempts"] == 5
        assert (q["facility"], q["sd"], q["discrimination"], q["efficiency"]) == pytest.approx(
            (facility, sd, discrimination, efficiency), abs=0.01
        ), word


def test_option_frequencies_and_top_answers(
    client: FlaskClient, teacher: dict[str, str], class_took_exam: None
) -> None:
    questions = by_word(statistics(client, teacher, "?attempts=first"))
    gas = [(r["text"], r["count"], r["share"], r["credit"]) for r in questions["Тұрмыстық"]["responses"]]
    assert gas == [("C", 3, 60.0, 1.0), ("A", 1, 20.0, 0.0), ("B", 1, 20.0, 0.0)]
    water = [(r["text"], r["count"], r["credit"]) for r in questions["Электр"]["responses"]]
    assert water == [("Дұрыс", 3, 1.0), ("Қате", 2, 0.0)]
    oxygen = questions["Ауадағы"]
    assert [(r["text"], r["count"], r["credit"]) for r in oxygen["responses"]] == [
        ("21", 2, 1.0),
        ("20", 1, 0.0),
        ("21,3", 1, 1.0),
    ]
    assert oxygen["unanswered"] == 1  # Дәулет left it blank: it counts as 0 in the facility
    metal = [(r["text"], r["count"], r["credit"]) for r in questions["Магний"]["responses"]]
    assert metal == [("D", 2, 1.0), ("B", 1, 0.0), ("C", 1, 0.0), ("Д", 1, 0.0)]  # "d " is "D"


def test_which_attempts_are_analysed(
    client: FlaskClient, teacher: dict[str, str], class_took_exam: None
) -> None:
    every = statistics(client, teacher)
    assert every["attempts"] == "all" and every["figures"]["attempts"] == 6
    assert by_word(every)["Магний"]["facility"] == 50.0  # 3 of 6
    last = statistics(client, teacher, "?attempts=last")
    assert last["figures"]["attempts"] == 5
    assert last["figures"]["mean"] == 60.0  # 100 100 50 25 25
    assert by_word(last)["Магний"]["facility"] == 60.0
    highest = statistics(client, teacher, "?attempts=highest")
    assert highest["figures"] == last["figures"]
    refused = client.get("/api/v1/teach/quizzes/fire-safety/exam/statistics?attempts=best", headers=teacher)
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "invalid_request"


def test_below_two_attempts_the_correlations_are_null(
    client: FlaskClient,
    clock: Clock,
    teacher: dict[str, str],
    publish: Callable[..., None],
    bearer_of: Callable[..., dict[str, str]],
) -> None:
    publish()
    empty = statistics(client, teacher)
    assert empty["figures"]["attempts"] == 0 and empty["figures"]["mean"] is None
    assert {q["facility"] for q in empty["questions"]} == {None}
    take(client, bearer_of(), clock, STUDENTS[1][2])
    response = client.get("/api/v1/teach/quizzes/fire-safety/exam/statistics", headers=teacher)
    assert "NaN" not in response.text and "Infinity" not in response.text
    report = response.json
    assert report["figures"] == {
        "attempts": 1,
        "awaiting_grading": 0,
        "mean": 75.0,
        "median": 75.0,
        "sd": None,
        "cic": None,
        "error_ratio": None,
        "standard_error": None,
    }
    metal = by_word(report)["Магний"]
    assert (metal["facility"], metal["sd"], metal["discrimination"], metal["efficiency"]) == (
        0.0,
        None,
        None,
        None,
    )


DRAWN = """\
// [id:gas]
Тұрмыстық газдың жануы қай сыныпқа жатады? {=C ~A ~B}

$CATEGORY: pool

// [id:water]
Электр жабдығын сумен сөндіруге болмайды. {T}

// [id:metal]
Магний өртінің сыныбы? {=D}
"""


def test_a_drawn_question_counts_only_the_attempts_that_got_it(
    client: FlaskClient,
    clock: Clock,
    teacher: dict[str, str],
    publish: Callable[..., None],
    bearer_of: Callable[..., dict[str, str]],
) -> None:
    publish(bank=DRAWN, draw=(Draw("pool", 1),))
    got: dict[str, int] = {"Электр": 0, "Магний": 0}
    for _ in range(6):
        attempt = take(client, bearer_of(), clock, {"Тұрмыстық": "C", "Электр": True, "Магний": "B"})
        drawn = [q["text"].split()[0] for q in attempt["questions"]][1:]
        assert len(drawn) == 1
        got[drawn[0]] += 1
    questions = by_word(statistics(client, teacher))
    assert questions["Тұрмыстық"]["attempts"] == 6
    present = {word: count for word, count in got.items() if count}
    assert {word: questions[word]["attempts"] for word in present} == present
    assert all(questions[word]["facility"] == {"Электр": 100.0, "Магний": 0.0}[word] for word in present)


ESSAY = """\
// [id:gas]
Тұрмыстық газдың жануы қай сыныпқа жатады? {=C ~A ~B}

// [id:essay]
Эвакуация кезіндегі іс-әрекеттеріңізді сипаттаңыз. {}
"""


def test_an_essay_awaiting_a_teacher_is_counted_not_analysed(
    client: FlaskClient,
    clock: Clock,
    teacher: dict[str, str],
    publish: Callable[..., None],
    bearer_of: Callable[..., dict[str, str]],
) -> None:
    publish(bank=ESSAY)
    take(client, bearer_of(), clock, {"Тұрмыстық": "C", "Эвакуация": "Есікке қарай жүремін."})
    report = statistics(client, teacher)
    assert (report["figures"]["attempts"], report["figures"]["awaiting_grading"]) == (0, 1)
    essay = by_word(report)["Эвакуация"]
    assert (essay["type"], essay["graded"], essay["ungraded"], essay["responses"]) == ("essay", 0, 1, [])


def test_only_the_course_teachers_and_admins_see_the_reports(
    client: FlaskClient,
    publish: Callable[..., None],
    teacher: dict[str, str],
    bearer_of: Callable[..., dict[str, str]],
) -> None:
    """T03: the teacher of the course and an admin 200; another teacher and a student 403; anonymous 401."""
    publish()
    callers = {
        "teacher": teacher,
        "admin": bearer_of(email="admin@oqu.example.kz", role=Role.ADMIN),
        "other_teacher": bearer_of(email="other@oqu.example.kz", role=Role.TEACHER),
        "student": bearer_of(),
        "anonymous": {},
    }
    expected = {"teacher": 200, "admin": 200, "other_teacher": 403, "student": 403, "anonymous": 401}
    for name in ("statistics", "results.csv", "results.xlsx"):
        url = f"/api/v1/teach/quizzes/fire-safety/exam/{name}"
        seen = {caller: client.get(url, headers=headers).status_code for caller, headers in callers.items()}
        assert seen == expected, name
    forbidden = client.get(
        "/api/v1/teach/quizzes/fire-safety/exam/statistics", headers=callers["other_teacher"]
    )
    assert forbidden.json["error"] == {
        "code": "forbidden",
        "message": "Only the course's teachers and admins may do this.",
    }
    missing = client.get("/api/v1/teach/quizzes/fire-safety/no-such-quiz/statistics", headers=teacher)
    assert (missing.status_code, missing.json["error"]["code"]) == (404, "not_found")
    other_course = client.get("/api/v1/teach/quizzes/first-aid/exam/statistics", headers=teacher)
    assert other_course.status_code == 403
    unknown_course = client.get("/api/v1/teach/quizzes/no-course/exam/statistics", headers=teacher)
    assert unknown_course.status_code == 404


def test_the_page_shows_the_figures_escaped_with_hints_and_export_links(
    app: Flask, teacher: dict[str, str], class_took_exam: None
) -> None:
    browser = browser_of(app, TEACHER)
    page = browser.get("/teach/fire-safety/exam/statistics?attempts=first&lang=ru")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Статистика теста: Емтихан</h1>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Russian writes a decimal comma and a no-break space before "%" (CLDR), at most two decimals
    assert "Индекс дискриминации" in html and "61,24\xa0%" in html and "-21\xa0%" in html
    assert html.count("Отрицательная дискриминация") == 1  # Q4
    assert html.count("Слабая дискриминация") == 1  # Q2
    assert 'href="/api/v1/teach/quizzes/fire-safety/exam/results.csv?lang=ru"' in html
    assert 'href="/api/v1/teach/quizzes/fire-safety/exam/results.xlsx?lang=ru"' in html
    assert '<option value="first" selected>' in html
    assert '<a href="/teach/fire-safety/exam/?lang=ru">← К странице теста</a>' in html
    kazakh = browser.get("/teach/fire-safety/exam/statistics?attempts=first").text
    assert "Тест статистикасы" in kazakh and "Теріс ажырату" in kazakh


def test_the_page_sends_strangers_away(
    app: Flask,
    client: FlaskClient,
    publish: Callable[..., None],
    teacher: dict[str, str],
    bearer_of: Callable[..., dict[str, str]],
) -> None:
    publish()
    anonymous = client.get("/teach/fire-safety/exam/statistics?lang=en")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/auth/login?next=/teach/fire-safety/exam/statistics")
    bearer_of(email="other@oqu.example.kz", role=Role.TEACHER, password=PASSWORD)
    other_teacher = browser_of(app, "other@oqu.example.kz").get("/teach/fire-safety/exam/statistics?lang=en")
    assert other_teacher.status_code == 403
    assert "This page is for the course&#39;s teachers and admins only." in other_teacher.text
    missing = browser_of(app, TEACHER).get("/teach/fire-safety/no-such-quiz/statistics?lang=en")
    assert missing.status_code == 404 and "This course has no such quiz." in missing.text
