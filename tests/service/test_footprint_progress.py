"""Progress by course.yml's completion rules, the student's progress, and monitoring (issue 13 §5–6):
hand-worked figures, who sees what, exports read back."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from auth_helpers import csrf_from_form
from conftest import PASSWORD
from flask import Flask
from flask.testing import FlaskClient
from footprint_helpers import SITE
from sqlalchemy import text

from auth.enrolment import enrol
from auth.models import DLCategory, Role, User
from quiz_service.core import db, events
from quiz_service.core.service_bundle import CourseEntry
from quiz_service.footprint import monitoring, progress, store
from quiz_service.footprint.progress import course_progress, evidence_of, outcome_attainment
from quiz_service.footprint.store import Entry

VIDEO = "https://w3id.org/xapi/video"
ADL = "http://adlnet.gov/expapi/verbs/"
TEACHER = "teacher@oqu.example.kz"
COURSE: dict[str, Any] = {
    "id": "fire-safety",
    "access": "enrolled",
    "title": {"kk": "Өрт қауіпсіздігі", "ru": "Пожарная безопасность"},
    "languages": ["kk", "ru"],
    "teachers": [TEACHER],
    "outcomes": [{"id": "combustion", "text": {"kk": "Жану"}}, {"id": "classes", "text": {"kk": "Сыныптар"}}],
    "modules": [{"id": "01-basics", "title": {"kk": "Негіздер"}}, {"id": "02-more", "title": {"kk": "Тағы"}}],
    "completion": {
        "lesson": ["read", "video", "quiz"],
        "video_percent": 80,
        "quiz_percent": 60,
        "attendance_percent": 75,
    },
    "schedule": [  # live classes: two over by NOW (one for ӨҚ-21 only), one to come
        {
            "id": "c1",
            "start": "2026-12-02T10:00:00+05:00",
            "duration": 90,
            "audience": ["ӨҚ-21"],
            "lesson": "01-intro",
        },
        {"id": "c2", "start": "2026-12-04T10:00:00+05:00", "duration": 90, "lesson": "02-lecture"},
        {"id": "c3", "start": "2026-12-20T10:00:00+05:00", "duration": 90, "lesson": "03-classes"},
    ],
    "lessons": [
        {
            "id": "01-intro",
            "module": "01-basics",
            "title": {"kk": "Кіріспе"},
            "outcomes": ["combustion"],
            "quizzes": [],
            "video": False,
            "due": "2026-12-01",
        },
        {
            "id": "02-lecture",
            "module": "01-basics",
            "title": {"kk": "Дәріс"},
            "outcomes": ["combustion"],
            "quizzes": ["check"],
            "video": True,
            "due": "2026-12-20",
        },
        {
            "id": "03-classes",
            "module": "02-more",
            "title": {"kk": "Сыныптар"},
            "outcomes": ["classes"],
            "quizzes": ["classes-quiz"],
            "video": False,
            "move_on": ["quiz"],
            "due": "2026-12-05",
        },
    ],
}
OTHER = {"id": "other-course", "access": "enrolled", "title": {"kk": "Басқа"}, "teachers": ["other@oqu.example.kz"],
         "lessons": [], "modules": []}  # fmt: skip
NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


def page(lesson: str, module: str = "01-basics", lang: str = "kk") -> str:
    return f"{SITE}{lang}/courses/fire-safety/{module}/{lesson}/"


def read(lesson: str, module: str = "01-basics", lang: str = "kk") -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "verb": {"id": f"{ADL}completed"},
            "object": {"id": page(lesson, module, lang)}, "timestamp": "2026-12-06T09:30:00Z"}  # fmt: skip


def watched(lesson: str, progress: float) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "verb": {"id": f"{VIDEO}/verbs/paused"},
            "object": {"id": page(lesson) + "#video-1"},
            "result": {"extensions": {f"{VIDEO}/extensions/progress": progress}},
            "timestamp": "2026-12-06T09:40:00Z"}  # fmt: skip


def scored(quiz: str, scaled: float) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "verb": {"id": f"{ADL}scored"},
            "object": {"id": f"{SITE}courses/fire-safety/quizzes/{quiz}"},
            "result": {"score": {"scaled": scaled, "raw": scaled * 10, "min": 0, "max": 10}},
            "timestamp": "2026-12-06T10:00:00Z"}  # fmt: skip


def released(quiz: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "verb": {"id": f"{SITE}xapi/verbs/released"},
            "object": {"id": f"{SITE}courses/fire-safety/quizzes/{quiz}"}, "timestamp": "2026-12-06T11:00:00Z"}  # fmt: skip


def signed_in(at: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "verb": {"id": "https://w3id.org/xapi/adl/verbs/logged-in"},
            "object": {"id": SITE}, "timestamp": at}  # fmt: skip


# -- the rules, by hand --------------------------------------------------------------------------


def test_rules_by_hand() -> None:
    course = CourseEntry.model_validate(COURSE)
    evidence = evidence_of(
        (s, None)
        for s in [
            read("01-intro", lang="ru"),  # any language's page is the lesson
            read("02-lecture"),
            watched("02-lecture", 0.5),
            watched("02-lecture", 0.8),  # the best, exactly the rule's 80 %
            scored("check", 0.55),
            scored("check", 0.7),  # the best of two attempts
            scored("classes-quiz", 0.59),  # under 60 %
        ]
    )
    progress = course_progress(course, evidence)
    lessons = {lesson.id: lesson for lesson in progress.lessons}
    # 01-intro: no video, no quiz: only "read" applies, and holds
    assert lessons["01-intro"].criteria == {"read": True} and lessons["01-intro"].completed
    # 02-lecture: read, video 80 % >= 80 %, quiz 70 % >= 60 %
    assert lessons["02-lecture"].criteria == {"read": True, "video": True, "quiz": True}
    # 03-classes: its own move_on [quiz]: 59 % < 60 %
    assert lessons["03-classes"].criteria == {"quiz": False} and not lessons["03-classes"].completed
    assert [(m.id, m.completed_lessons, m.lessons, m.completed) for m in progress.modules] == [
        ("01-basics", 2, 2, True), ("02-more", 0, 1, False)]  # fmt: skip
    assert progress.ratio == pytest.approx(2 / 3) and not progress.completed
    assert progress.attendance_percent == 75  # the rule is carried; attendance is taken for a learner only
    # the student's view counts a quiz only once released: nothing released, no quiz holds
    own = course_progress(course, evidence, released_only=True)
    assert {lesson.id: lesson.completed for lesson in own.lessons} == {
        "01-intro": True, "02-lecture": False, "03-classes": False}  # fmt: skip
    # outcome attainment: combustion = mean of the best of "check" (0.7); classes = 0.59
    assert outcome_attainment(course, evidence) == {
        "combustion": pytest.approx(0.7),
        "classes": pytest.approx(0.59),
    }
    # a video under the rule does not complete; a slider at the end is not watched (progress is checked at ingest)
    less = evidence_of(
        (s, None) for s in [read("02-lecture"), watched("02-lecture", 0.79), scored("check", 1.0)]
    )
    assert not course_progress(course, less).lessons[1].completed


def test_overdue_by_due_dates() -> None:
    course = CourseEntry.model_validate(COURSE)
    progress = course_progress(course, evidence_of([(read("01-intro"), None)]))
    # 01-intro done; 02-lecture due 2026-12-20 (not yet); 03-classes due 2026-12-05 and not done
    assert monitoring.overdue_lessons(progress, NOW) == ["03-classes"]


# -- the service ---------------------------------------------------------------------------------


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    folder: Path = app_config["SERVICE_DIR"]
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {"version": 1, "courses": [COURSE, OTHER]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "assignments").mkdir()
    assignments = {"assignments": [{"id": "plan", "due": "2026-12-06T18:59:00+00:00"},
                                   {"id": "later", "due": "2026-12-30T18:59:00+00:00"}]}  # fmt: skip
    (folder / "assignments" / "fire-safety.json").write_text(json.dumps(assignments), encoding="utf-8")
    return app_config | {"FOOTPRINT_SITE_URL": SITE}


def append(app: Flask, user: User | None, statements: list[dict[str, Any]]) -> None:
    with app.app_context(), db.database().writer_engine.begin() as connection:
        for statement in statements:
            actor = store.user_agent(SITE, user.id) if user else store.service_agent(SITE)
            store.append(
                connection, [Entry(statement | {"actor": actor}, user.id if user else None)], NOW, SITE
            )


@pytest.fixture
def people(app: Flask, make_user: Callable[..., User]) -> dict[str, User]:
    aigerim = make_user(
        password=PASSWORD,
        full_name="Айгерім Сапарова",
        group="ӨҚ-21",
        dl_category=DLCategory.SHORTENED_PROGRAMME,
    )
    nurlan = make_user(
        password=PASSWORD, full_name='=HYPERLINK("x")', group="ӨҚ-22"
    )  # a name a spreadsheet would run
    stranger = make_user(password=PASSWORD, full_name="Басқа студент", group="ӨҚ-99")  # not enrolled
    teacher = make_user(password=PASSWORD, email=TEACHER, role=Role.TEACHER, full_name="Оқытушы")
    other = make_user(
        password=PASSWORD, email="other@oqu.example.kz", role=Role.TEACHER, full_name="Басқа оқытушы"
    )
    admin = make_user(
        password=PASSWORD, email="office@oqu.example.kz", role=Role.ADMIN, full_name="Оқу бөлімі"
    )
    with app.app_context(), db.write_transaction() as writer:
        enrol(writer, "fire-safety", user=writer.get_one(User, aigerim.id))
        enrol(writer, "fire-safety", group="ӨҚ-22")
    append(app, aigerim, [signed_in("2026-12-05T04:00:00Z"), signed_in("2026-12-06T04:00:00Z"),
                          signed_in("2026-12-06T09:00:00Z"), read("01-intro"), read("02-lecture"),
                          watched("02-lecture", 0.9), scored("check", 0.8)])  # fmt: skip
    append(app, nurlan, [read("01-intro"), scored("classes-quiz", 0.4)])
    append(app, stranger, [read("01-intro")])
    append(app, None, [released("check")])
    with app.app_context(), db.database().writer_engine.begin() as connection:
        submitted = events.AssignmentSubmitted(1, aigerim.id, "fire-safety", "plan", 1, NOW, NOW, 0)
        events.publish(connection, submitted)
    return {"aigerim": aigerim, "nurlan": nurlan, "stranger": stranger, "teacher": teacher, "other": other,
            "admin": admin}  # fmt: skip


@pytest.fixture
def sign_in_as(client: FlaskClient) -> Callable[[User], None]:
    def sign_in_as(user: User) -> None:
        client.get("/auth/login")  # a fresh browser for each user: its cookies dropped
        for cookie in list(client._cookies):
            del client._cookies[cookie]
        page = client.get("/auth/login")
        fields = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_from_form(page.text)}
        assert client.post("/auth/login", data=fields).status_code == 303

    return sign_in_as


def bearer(make_token: Callable[..., str], user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(user)}"}


def test_student_progress_api_and_page(
    client: FlaskClient, people: dict[str, User], make_token: Callable[..., str], sign_in: Callable[..., Any]
) -> None:
    headers = bearer(make_token, people["aigerim"])
    answer = client.get("/api/v1/me/progress?course=fire-safety", headers=headers)
    assert answer.status_code == 200
    course = answer.json["courses"]["fire-safety"]
    assert {k: v["completed"] for k, v in course["lessons"].items()} == {
        "01-intro": True, "02-lecture": True, "03-classes": False}  # fmt: skip
    assert course["ratio"] == pytest.approx(0.6667) and course["modules"]["01-basics"]["completed"]
    assert course["lessons"]["02-lecture"]["video"] == pytest.approx(0.9)
    # every readable course without ?course=; another course is not theirs
    assert set(client.get("/api/v1/me/progress", headers=headers).json["courses"]) == {"fire-safety"}
    assert client.get("/api/v1/me/progress?course=other-course", headers=headers).status_code == 404
    assert client.get("/api/v1/me/progress").status_code == 401
    # the page, in Kazakh
    assert sign_in(people["aigerim"].email).status_code == 303
    html = client.get("/progress/fire-safety/?lang=kk").text.replace("\u00a0", "")
    assert "Менің үлгерімім" in html and "Сабақтардың 66,67% өтілді" in html
    assert "бейнедәріс қаралды (90%)" in html
    assert client.get("/progress/other-course/?lang=kk").status_code == 404
    studies = client.get("/my/?lang=kk").text.replace("\u00a0", "")  # the "My studies" panel
    assert "Менің үлгерімім" in studies and "/progress/fire-safety/?lang=kk" in studies


def test_monitoring_who_sees_what(
    client: FlaskClient, people: dict[str, User], sign_in_as: Callable[[User], None]
) -> None:
    sign_in_as(people["other"])
    assert client.get("/monitoring/fire-safety/?lang=kk").status_code == 403
    assert client.get("/monitoring/fire-safety/export.csv").status_code == 403
    assert client.get("/monitoring/no-such/?lang=kk").status_code == 404
    assert "fire-safety" not in client.get("/monitoring/?lang=kk").text
    sign_in_as(people["aigerim"])
    assert client.get("/monitoring/fire-safety/").status_code == 403
    assert client.get("/monitoring/").status_code == 403
    sign_in_as(people["admin"])
    assert client.get("/monitoring/fire-safety/").status_code == 200
    assert "/monitoring/fire-safety/" in client.get("/monitoring/?lang=ru").text


def test_monitoring_figures_and_exports(
    app: Flask, client: FlaskClient, people: dict[str, User], sign_in_as: Callable[[User], None]
) -> None:
    app.extensions["oqu_clock"] = lambda: NOW
    sign_in_as(people["teacher"])
    html = client.get("/monitoring/fire-safety/?lang=kk").text
    assert "Білім алушылар: 2" in html  # the stranger is not enrolled
    assert "<svg" in html and "Оқыту нәтижелеріне қол жеткізу" in html
    rows = list(
        csv.reader(
            io.StringIO(client.get("/monitoring/fire-safety/export.csv?lang=en").data.decode("utf-8-sig"))
        )
    )
    header, body = rows[0], {row[1]: row for row in rows[1:]}
    assert header[:9] == ["Student", "E-mail", "Group", "DL category", "Progress", "Lessons completed",
                          "Last activity", "Days signed in (14 days)", "Overdue"]  # fmt: skip
    aigerim, nurlan = body[people["aigerim"].email], body[people["nurlan"].email]
    # Aigerim: 01-intro and 02-lecture done (2 of 3 = 66.7 %), 3 sign-ins on 2 days, 03-classes overdue
    assert aigerim[4:6] == ["66.7", "2"] and aigerim[7] == "2" and aigerim[8] == "03-classes"
    # Nurlan: 02-lecture not yet due; 03-classes overdue, and the assignment "plan" not handed in
    assert nurlan[8] == "03-classes, plan"
    assert aigerim[3] == "shortened_programme"
    # Nurlan (by his group): 01-intro done (1 of 3 = 33.3 %), classes-quiz 40 % < 60 %
    assert nurlan[4:6] == ["33.3", "1"] and nurlan[0].startswith("'=")  # formula neutralised
    quiz_columns = {name: n for n, name in enumerate(header)}
    assert (
        aigerim[quiz_columns["Quiz check"]] == "80.0" and nurlan[quiz_columns["Quiz classes-quiz"]] == "40.0"
    )
    assert (
        aigerim[quiz_columns["Outcome combustion"]] == "80.0"
        and nurlan[quiz_columns["Outcome classes"]] == "40.0"
    )
    # filter by group, and by DL category
    only = client.get("/monitoring/fire-safety/export.csv?group=ӨҚ-22").data.decode("utf-8-sig")
    assert people["nurlan"].email in only and people["aigerim"].email not in only
    only = client.get("/monitoring/fire-safety/export.csv?dl=shortened_programme").data.decode("utf-8-sig")
    assert people["aigerim"].email in only and people["nurlan"].email not in only
    book = openpyxl.load_workbook(io.BytesIO(client.get("/monitoring/fire-safety/export.xlsx").data))
    sheet = book.active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 3 and {row[1] for row in values[1:]} == {
        people["aigerim"].email,
        people["nurlan"].email,
    }
    assert all(not str(row[0]).startswith("=") for row in values)


def graded_attempt(app: Flask, user: User, attempt_id: int, points: float, answers: dict[str, float]) -> None:
    """A finished, graded attempt of the quiz `check`, written into the quizzes' tables by name."""
    questions = [{"id": "q1", "points": 2, "outcomes": ["classes"]},
                 {"id": "q2", "points": 1, "outcomes": ["combustion"]},
                 {"id": "q3", "points": 1, "outcomes": ["combustion", "classes"]},
                 {"id": "q4", "points": 1, "outcomes": []}]  # fmt: skip
    body = json.dumps({"id": "check", "questions": {"kk": questions}})
    with app.app_context(), db.database().writer_engine.begin() as connection:
        if attempt_id == 1:
            connection.execute(
                text("INSERT INTO quiz_versions (course, quiz, version, body, created_at) "
                     "VALUES ('fire-safety', 'check', 'v1', :body, :now)"), {"body": body, "now": NOW})  # fmt: skip
        connection.execute(
            text("INSERT INTO quiz_attempts (id, user_id, course, quiz, version, lang, number, state, seed, "
                 "questions, position, started_at, finished_at, points, max_points) VALUES (:id, :user, "
                 "'fire-safety', 'check', 'v1', 'kk', :id, 'finished', 1, :questions, 0, :now, :now, :points, 5)"),
            {"id": attempt_id, "user": user.id, "questions": json.dumps(["q4", "q3", "q2", "q1"]), "now": NOW,
             "points": points},
        )  # fmt: skip
        for question, fraction in answers.items():
            connection.execute(
                text("INSERT INTO quiz_answers (attempt_id, question, response, sequence, client_id, saved_at, "
                     "fraction) VALUES (:attempt, :question, '\"A\"', 1, 'test', :now, :fraction)"),
                {"attempt": attempt_id, "question": question, "now": NOW, "fraction": fraction},
            )  # fmt: skip


def test_outcome_attainment_by_question_per_student_and_group(
    app: Flask, client: FlaskClient, people: dict[str, User], sign_in_as: Callable[[User], None]
) -> None:
    app.extensions["oqu_clock"] = lambda: NOW
    aigerim = people["aigerim"]
    graded_attempt(app, aigerim, 1, 1.0, {"q1": 0.0, "q2": 1.0})  # a worse attempt: not counted
    # the best: q1 (2 points, classes) right, q2 (1, combustion) half, q3 (1, both) unanswered
    graded_attempt(app, aigerim, 2, 4.5, {"q1": 1.0, "q2": 0.5, "q4": 1.0})
    sign_in_as(people["teacher"])
    rows = list(csv.reader(io.StringIO(
        client.get("/monitoring/fire-safety/export.csv?lang=en").data.decode("utf-8-sig"))))  # fmt: skip
    header, body = rows[0], {row[1]: row for row in rows[1:]}
    column = {name: n for n, name in enumerate(header)}
    mine, nurlan = body[aigerim.email], body[people["nurlan"].email]
    # classes: (2 + 0) / (2 + 1) = 66.7 %; combustion: (0.5 + 0) / (1 + 1) = 25 % (not the quiz's 80 %)
    assert mine[column["Outcome classes"]] == "66.7" and mine[column["Outcome combustion"]] == "25.0"
    # no graded question of Nurlan's: the lessons' quiz scores still stand
    assert nurlan[column["Outcome classes"]] == "40.0" and nurlan[column["Outcome combustion"]] == ""
    html = client.get("/monitoring/fire-safety/?lang=en").text
    assert "Outcome attainment by group" in html
    assert '<tr data-group="ӨҚ-21"><td>ӨҚ-21</td><td data-outcome="combustion">25%</td>' in html
    assert '<td data-outcome="classes">66.67%</td>' in html
    book = openpyxl.load_workbook(io.BytesIO(client.get("/monitoring/fire-safety/export.xlsx?lang=en").data))
    groups = [[cell.value for cell in row] for row in book.worksheets[1].iter_rows()]
    assert groups[0] == ["Group", "Outcome combustion", "Outcome classes"]
    assert ["ӨҚ-21", 25.0, 66.7] in groups and ["ӨҚ-22", None, 40.0] in groups


def extend(app: Flask, *, user: User | None = None, group: str | None = None, due: str) -> None:
    """An assignment extension of `plan`, written into the assignments' table by name."""
    with app.app_context(), db.database().writer_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO assignment_extensions (course, assignment, user_id, study_group, due, set_at) "
                 "VALUES ('fire-safety', 'plan', :user, :group, :due, :now)"),
            {"user": user.id if user else None, "group": group, "due": datetime.fromisoformat(due), "now": NOW},
        )  # fmt: skip


def overdue_of(client: FlaskClient, user: User) -> str:
    rows = csv.reader(
        io.StringIO(client.get("/monitoring/fire-safety/export.csv?lang=en").data.decode("utf-8-sig"))
    )
    return next(row[8] for row in rows if row[1] == user.email)


def test_overdue_assignments_respect_extensions(
    app: Flask, client: FlaskClient, people: dict[str, User], sign_in_as: Callable[[User], None]
) -> None:
    app.extensions["oqu_clock"] = lambda: NOW
    sign_in_as(people["teacher"])
    nurlan = people["nurlan"]
    assert overdue_of(client, nurlan) == "03-classes, plan"  # due 2026-12-06 18:59 UTC, not handed in
    extend(app, group="ӨҚ-22", due="2026-12-10T18:59:00+00:00")  # his group's later due date
    assert overdue_of(client, nurlan) == "03-classes"
    extend(app, user=nurlan, due="2026-12-07T05:00:00+00:00")  # his own (earlier) one wins: passed at 06:00
    assert overdue_of(client, nurlan) == "03-classes, plan"


def attendance(app: Flask, user: User, class_id: str, status: str) -> None:
    """A live class's attendance as the schedules feature publishes it (its statement via the mapper)."""
    with app.app_context(), db.database().writer_engine.begin() as connection:
        event = events.AttendanceRecorded("fire-safety", class_id, user.id, status, NOW, None, None, NOW)
        events.publish(connection, event)


def accommodate(app: Flask, user: User, starts: str, ends: str) -> None:
    """An R9 accommodation, written into the schedules' table by name."""
    with app.app_context(), db.database().writer_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO accommodations (user_id, document_ref, starts, ends, set_at) "
                 "VALUES (:user, 'МҚ-7/2026', :starts, :ends, :now)"),
            {"user": user.id, "starts": date.fromisoformat(starts), "ends": date.fromisoformat(ends), "now": NOW},
        )  # fmt: skip


def test_attendance_counts_in_monitoring_and_progress(
    app: Flask, client: FlaskClient, people: dict[str, User], sign_in_as: Callable[[User], None],
    make_token: Callable[..., str],
) -> None:  # fmt: skip
    app.extensions["oqu_clock"] = lambda: NOW
    aigerim, nurlan = people["aigerim"], people["nurlan"]
    attendance(app, aigerim, "c1", "absent")
    attendance(app, aigerim, "c1", "late")  # the teacher's correction: the later record wins
    attendance(app, nurlan, "c2", "excused")
    sign_in_as(people["teacher"])

    def column(user: User) -> str:
        rows = list(csv.reader(io.StringIO(
            client.get("/monitoring/fire-safety/export.csv?lang=en").data.decode("utf-8-sig"))))  # fmt: skip
        return next(row[rows[0].index("Attendance")] for row in rows if row[1] == user.email)

    # Aigerim: c1 attended, c2 no record (absent), c3 not held yet: 1 of 2; Nurlan: c1 is not his
    # group's, c2 excused: nothing due
    assert column(aigerim) == "50.0" and column(nurlan) == ""
    html = client.get("/monitoring/fire-safety/?lang=en").text
    assert "<th>Attendance</th>" in html and "1 / 2 (50%)" in html
    mine = client.get("/api/v1/me/progress?course=fire-safety", headers=bearer(make_token, aigerim)).json
    assert mine["courses"]["fire-safety"]["attendance"] == {
        "attended": 1,
        "expected": 2,
        "replaced_by_lessons": 0,
    }
    # R9: asynchronous study 3–5 December: c2 (4 December) counts by its lesson 02-lecture, which
    # she completed (read, video 90 %, quiz 80 %)
    accommodate(app, aigerim, "2026-12-03", "2026-12-05")
    assert column(aigerim) == "100.0"
    assert "2 / 2 (100%)" in client.get("/monitoring/fire-safety/?lang=en").text
    mine = client.get("/api/v1/me/progress?course=fire-safety", headers=bearer(make_token, aigerim)).json
    assert mine["courses"]["fire-safety"]["attendance"] == {
        "attended": 2,
        "expected": 2,
        "replaced_by_lessons": 1,
    }


def test_move_on_attendance_holds_the_course_until_it_is_reached() -> None:
    course = CourseEntry.model_validate(COURSE | {"lessons": [
        {"id": "02-lecture", "module": "01-basics", "video": False, "quizzes": [], "move_on": ["read"]}],
        "modules": [{"id": "01-basics"}]})  # fmt: skip
    present = {"verb": {"id": f"{ADL}attended"}, "result": {"success": True},
               "object": {"id": f"{SITE}schedules/fire-safety/classes/c2"}}  # fmt: skip
    read_it = evidence_of([(read("02-lecture"), None)])
    learner = progress.Learner("ӨҚ-22", (), NOW)  # due at c2 only (c1 is ӨҚ-21's)
    assert course_progress(course, read_it).completed  # attendance not taken: nothing held back
    assert not course_progress(course, read_it, learner=learner).completed  # 0 of 1 < 75 %
    attended = evidence_of([(read("02-lecture"), None), (present, None)])
    assert course_progress(course, attended, learner=learner).completed  # 1 of 1
    accommodated = progress.Learner("ӨҚ-22", ((date(2026, 12, 4), date(2026, 12, 4)),), NOW)
    assert course_progress(course, read_it, learner=accommodated).completed  # c2 by its lesson, read
    unread = course_progress(course, evidence_of([]), learner=accommodated)
    assert unread.attendance == progress.Attendance(0, 1, 1) and not unread.completed


VENDORED = (
    Path(__file__).resolve().parents[2] / "quiz_service" / "footprint" / "static" / "vendor" / "chartjs"
)
CHART_JS_SHA256 = "3f288f4f26882c26b58931fb586a9b4f30370b5de38d69dc005b0bd05b08e113"  # chart.js 4.6.2


def test_the_vendored_chart_library_is_the_checked_one() -> None:
    data = (VENDORED / "chart.umd.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == CHART_JS_SHA256
    assert data.startswith(b"/*!\n * Chart.js v4.6.2")
    assert "MIT License" in (VENDORED / "LICENSE.md").read_text(encoding="utf-8")
    assert CHART_JS_SHA256 in (VENDORED / "VENDOR.md").read_text(encoding="utf-8")


def test_monitoring_charts_are_drawn_by_our_own_scripts_with_the_svg_kept(
    app: Flask, client: FlaskClient, people: dict[str, User], sign_in_as: Callable[[User], None]
) -> None:
    app.extensions["oqu_clock"] = lambda: NOW
    sign_in_as(people["teacher"])
    page = client.get("/monitoring/fire-safety/?lang=en")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "http" not in policy and "unsafe-eval" not in policy
    html = page.text
    for src in (
        "/footprint/assets/vendor/chartjs/chart.umd.min.js",
        "/footprint/assets/monitoring-charts.js",
    ):
        assert f'<script src="{src}" defer></script>' in html
        served = client.get(src)
        assert served.status_code == 200 and "javascript" in served.mimetype
    assert html.count('class="chart"') == 3  # the server's SVG: the print and no-script fallback
    data = json.loads(
        html.split('<script type="application/json" id="monitoring-charts-data">')[1].split("</script>")[0]
    )
    assert set(data) == {"progress", "activity", "outcomes"}
    assert sum(data["progress"]["values"]) == 2 and data["outcomes"]["top"] == 100  # two students
    assert data["outcomes"]["labels"] == ["combustion", "classes"]
    # every other page of the service keeps its script-free policy
    assert "script-src" not in client.get("/monitoring/?lang=en").headers["Content-Security-Policy"]
