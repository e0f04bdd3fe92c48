"""Live classes through the service: join (once, audience only, late after the grace), the teacher's
attendance list and corrections, and the private calendar feeds. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from auth_helpers import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from auth import enrolment
from auth.models import Role, User
from quiz_service.core import db, events
from quiz_service.schedules.models import Attendance

START = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)  # 14:00 in Almaty
MEETING = "https://meet.example.kz/academy/fs-practice-1"
MANIFEST = {
    "version": 1,
    "schedules": {"late_after_minutes": 10},
    "courses": [
        {
            "id": "fire-safety",
            "access": "enrolled",
            "title": {"kk": "Өрт қауіпсіздігі"},
            "teachers": ["teacher@oqu.example.kz"],
            "schedule": [
                {
                    "id": "fs-practice-1",
                    "title": {"kk": "Заттардың өрт қауіптілігі", "ru": "Пожарная опасность веществ"},
                    "start": "2026-12-09T14:00:00+05:00",
                    "end": "2026-12-09T15:30:00+05:00",
                    "duration": 90,
                    "kind": "video-conference",
                    "audience": ["ПБ-21"],
                    "teacher": "teacher@oqu.example.kz",
                    "join_url": MEETING,
                },
                {
                    "id": "fs-room",
                    "title": {"kk": "Аудиториялық сабақ"},
                    "start": "2026-12-10T10:00:00+05:00",
                    "duration": 90,
                    "kind": "in-person",
                    "place": {"kk": "305 аудитория"},
                    "audience": ["ПБ-21"],
                },
            ],
        },
        {"id": "other-course", "access": "enrolled", "teachers": ["other.teacher@oqu.example.kz"]},
    ],
    "staff_training": {
        "title": {"kk": "ПОҚ-ты оқыту"},
        "teachers": ["methodist@oqu.example.kz"],
        "classes": [
            {
                "id": "st-webinars",
                "title": {"kk": "Вебинар өткізу"},
                "start": "2026-12-17T15:00:00+05:00",
                "end": "2026-12-17T17:00:00+05:00",
                "duration": 120,
                "kind": "staff-training",
                "join_url": "https://meet.example.kz/academy/st-webinars",
            }
        ],
    },
}
JOIN = "/api/v1/schedules/fire-safety/fs-practice-1/join"
LIST = "/api/v1/schedules/fire-safety/fs-practice-1/attendance"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")
    return app_config


@pytest.fixture
def clock(app: Flask) -> Clock:
    clock = Clock(START + timedelta(minutes=2))
    app.extensions["oqu_clock"] = clock
    return clock


@pytest.fixture
def recorded() -> Iterator[list[events.AttendanceRecorded]]:
    seen: list[events.AttendanceRecorded] = []

    def keep(_: Any, event: events.AttendanceRecorded) -> None:
        seen.append(event)

    stop = events.subscribe(events.AttendanceRecorded, keep)
    yield seen
    stop()


@pytest.fixture
def people(app: Flask, make_user: Callable[..., User]) -> dict[str, User]:
    made = {
        "student": make_user(
            email="cadet@oqu.example.kz", full_name="Арман Қасымов", group="ПБ-21", password=PASSWORD
        ),
        "classmate": make_user(email="classmate@oqu.example.kz", full_name="Әсел Нұрланқызы", group="ПБ-21"),
        "outsider": make_user(email="outsider@oqu.example.kz", group="ПБ-22", password=PASSWORD),
        "teacher": make_user(
            email="teacher@oqu.example.kz", role=Role.TEACHER, group=None, password=PASSWORD
        ),
        "other_teacher": make_user(
            email="other.teacher@oqu.example.kz", role=Role.TEACHER, group=None, password=PASSWORD
        ),
    }
    with app.app_context(), db.write_transaction() as writer:
        enrolment.enrol(writer, "fire-safety", group="ПБ-21")
        enrolment.enrol(writer, "fire-safety", group="ПБ-22")
    return made


def signed_in(app: Flask, user: User) -> tuple[FlaskClient, dict[str, str]]:
    browser = app.test_client()
    page = browser.get("/auth/login")
    form = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_from_form(page.text)}
    assert browser.post("/auth/login", data=form).status_code == 303
    token = browser.get("/api/v1/me").json["csrf_token"]
    return browser, {"X-CSRF-Token": token}


def test_join_twice_records_once(
    app: Flask, people: dict[str, User], clock: Clock, recorded: list[events.AttendanceRecorded]
) -> None:
    browser, csrf = signed_in(app, people["student"])
    first = browser.post(JOIN, headers=csrf)
    assert first.status_code == 200, first.json
    assert first.json["join_url"] == MEETING and first.json["status"] == "present"
    clock.at += timedelta(minutes=20)  # a second click, after the grace: still the first record
    again = browser.post(JOIN, headers=csrf)
    assert again.json == first.json
    assert [(e.user_id, e.status, e.by) for e in recorded] == [(people["student"].id, "present", None)]
    teacher, _ = signed_in(app, people["teacher"])
    rows = {row["email"]: row for row in teacher.get(LIST).json["students"]}
    assert rows["cadet@oqu.example.kz"]["status"] == "present"
    assert rows["cadet@oqu.example.kz"]["joined_at"].startswith("2026-12-09T09:02:00")
    assert rows["classmate@oqu.example.kz"]["status"] is None
    assert "outsider@oqu.example.kz" not in rows


def test_the_page_form_redirects_to_the_meeting(app: Flask, people: dict[str, User], clock: Clock) -> None:
    browser, _ = signed_in(app, people["student"])
    page = browser.get("/schedules/join/fire-safety/fs-practice-1?lang=ru")
    assert page.status_code == 200 and "Подключиться к занятию" in page.text
    assert MEETING not in page.text  # the link only as the redirect of a recorded join
    assert (
        browser.post("/schedules/join/fire-safety/fs-practice-1", data={}).status_code == 400
    )  # no CSRF token
    joined = browser.post(
        "/schedules/join/fire-safety/fs-practice-1", data={"csrf_token": csrf_from_form(page.text)}
    )
    assert joined.status_code == 303 and joined.headers["Location"] == MEETING
    again = browser.get("/schedules/join/fire-safety/fs-practice-1?lang=kk")
    assert "Қатысуыңыз 2026-12-09 14:02 тіркелген." in again.text


def test_late_after_the_grace(app: Flask, people: dict[str, User], clock: Clock) -> None:
    clock.at = START + timedelta(minutes=10, seconds=1)
    browser, csrf = signed_in(app, people["student"])
    assert browser.post(JOIN, headers=csrf).json["status"] == "late"


def test_outsiders_and_wrong_times_are_refused(app: Flask, people: dict[str, User], clock: Clock) -> None:
    outsider, csrf = signed_in(app, people["outsider"])
    refused = outsider.post(JOIN, headers=csrf)
    assert refused.status_code == 403
    assert refused.json == {
        "error": {"code": "not_in_audience", "message": "This class is for other groups."}
    }
    page = outsider.get("/schedules/join/fire-safety/fs-practice-1?lang=kk")
    assert page.status_code == 403 and "Бұл сабақ басқа топтарға арналған." in page.text
    student, csrf = signed_in(app, people["student"])
    clock.at = START - timedelta(minutes=31)
    assert student.post(JOIN, headers=csrf).json["error"]["code"] == "not_open_yet"
    clock.at = START + timedelta(minutes=91)
    assert student.post(JOIN, headers=csrf).json["error"]["code"] == "class_over"
    assert student.post("/api/v1/schedules/fire-safety/fs-room/join", headers=csrf).status_code == 404
    assert student.post("/api/v1/schedules/fire-safety/nothing/join", headers=csrf).status_code == 404
    assert app.test_client().post(JOIN).status_code == 401


def test_teacher_confirms_and_corrects(
    app: Flask, people: dict[str, User], clock: Clock, recorded: list[events.AttendanceRecorded]
) -> None:
    student, csrf = signed_in(app, people["student"])
    student.post(JOIN, headers=csrf)
    teacher, tcsrf = signed_in(app, people["teacher"])
    classmate = people["classmate"].id
    url = f"{LIST}/{classmate}"
    no_reason = teacher.put(url, json={"status": "excused"}, headers=tcsrf)
    assert no_reason.status_code == 422 and no_reason.json["error"]["code"] == "reason_required"
    excused = teacher.put(
        url, json={"status": "excused", "reason": "Медициналық анықтама № 17"}, headers=tcsrf
    )
    assert excused.status_code == 200
    assert excused.json["status"] == "excused" and excused.json["reason"] == "Медициналық анықтама № 17"
    late = teacher.put(f"{LIST}/{people['student'].id}", json={"status": "late"}, headers=tcsrf)
    assert late.json["status"] == "late" and late.json["joined_at"] is not None  # the join time stays
    assert (
        teacher.put(f"{LIST}/{people['outsider'].id}", json={"status": "absent"}, headers=tcsrf).status_code
        == 404
    )
    assert [(e.status, e.by) for e in recorded][1:] == [
        ("excused", people["teacher"].id),
        ("late", people["teacher"].id),
    ]
    # the page shows it, and its form corrects it again
    page = teacher.get("/teach/schedules/fire-safety/fs-practice-1/attendance?lang=kk")
    assert page.status_code == 200 and "Медициналық анықтама № 17" in page.text and "кешікті" in page.text
    form = {"csrf_token": csrf_from_form(page.text), "user_id": str(classmate), "status": "absent"}
    saved = teacher.post("/teach/schedules/fire-safety/fs-practice-1/attendance", data=form)
    assert saved.status_code == 303
    rows = {row["user_id"]: row for row in teacher.get(LIST).json["students"]}
    assert rows[classmate]["status"] == "absent" and rows[classmate]["reason"] is None


def test_only_the_class_teachers_see_the_list(app: Flask, people: dict[str, User], clock: Clock) -> None:
    student, csrf = signed_in(app, people["student"])
    assert student.get(LIST).status_code == 403
    assert (
        student.put(f"{LIST}/{people['student'].id}", json={"status": "present"}, headers=csrf).status_code
        == 403
    )
    other, _ = signed_in(app, people["other_teacher"])
    assert other.get(LIST).status_code == 403
    assert other.get("/teach/schedules/fire-safety/fs-practice-1/attendance").status_code == 403
    teacher, _ = signed_in(app, people["teacher"])
    joined = teacher.post(JOIN, headers={"X-CSRF-Token": teacher.get("/api/v1/me").json["csrf_token"]})
    assert joined.json == {
        "join_url": MEETING,
        "status": None,
        "joined_at": None,
    }  # the host: nothing recorded


def test_private_calendar_feed_and_its_revocation(app: Flask, people: dict[str, User], clock: Clock) -> None:
    browser, csrf = signed_in(app, people["student"])
    made = browser.post("/api/v1/schedules/calendar", headers=csrf)
    assert made.status_code == 201
    url = made.json["url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    anonymous = app.test_client()
    feed = anonymous.get(f"/{path}?lang=ru")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(feed.data)
    events_in = {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    assert set(events_in) == {"fire-safety.fs-practice-1", "fire-safety.fs-room"}
    practice = events_in["fire-safety.fs-practice-1"]
    assert str(practice["SUMMARY"]) == "Пожарная опасность веществ"
    assert practice.decoded("DTSTART") == START
    assert str(practice["URL"]).endswith("/schedules/join/fire-safety/fs-practice-1")
    assert MEETING.encode() not in feed.data
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Asia/Almaty"
    newer = browser.post("/api/v1/schedules/calendar", headers=csrf).json["url"]
    assert anonymous.get(f"/{path}").status_code == 404  # the new link replaced it
    newer_path = newer.split("://", 1)[1].split("/", 1)[1]
    assert anonymous.get(f"/{newer_path}").status_code == 200
    assert browser.post("/api/v1/schedules/calendar/revoke", headers=csrf).status_code == 204
    assert anonymous.get(f"/{newer_path}").status_code == 404


def test_teacher_feed_and_my_schedule_page(app: Flask, people: dict[str, User], clock: Clock) -> None:
    teacher, _ = signed_in(app, people["teacher"])
    page = teacher.get("/schedules/?lang=kk")
    assert page.status_code == 200 and "Заттардың өрт қауіптілігі" in page.text
    assert "/teach/schedules/fire-safety/fs-practice-1/attendance" in page.text
    made = teacher.post("/schedules/calendar", data={"csrf_token": csrf_from_form(page.text), "lang": "kk"})
    assert made.status_code == 200 and "/schedules/calendar/" in made.text
    student, _ = signed_in(app, people["outsider"])
    assert "Заттардың өрт қауіптілігі" not in student.get("/schedules/?lang=kk").text


def test_parallel_joins_make_one_record(
    app: Flask, people: dict[str, User], clock: Clock, recorded: list[events.AttendanceRecorded]
) -> None:
    """Eight sessions of one student press "Join" at once: one record, one event, every answer the same."""
    browsers = [signed_in(app, people["student"]) for _ in range(8)]
    barrier = threading.Barrier(len(browsers))
    answers: list[tuple[int, Any]] = []

    def press(browser: FlaskClient, csrf: dict[str, str]) -> None:
        barrier.wait()
        response = browser.post(JOIN, headers=csrf)
        answers.append((response.status_code, response.json))

    threads = [threading.Thread(target=press, args=pair) for pair in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {status for status, _ in answers} == {200}
    assert len({json.dumps(body, sort_keys=True) for _, body in answers}) == 1
    assert len(recorded) == 1
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Attendance)) == 1


def test_staff_training_attendance(
    app: Flask, people: dict[str, User], clock: Clock, make_user: Callable[..., User]
) -> None:
    """R7.1: the teachers attend the staff training; its leader takes the list; students may not join."""
    methodist = make_user(email="methodist@oqu.example.kz", role=Role.TEACHER, group=None, password=PASSWORD)
    clock.at = datetime(2026, 12, 17, 10, 5, tzinfo=UTC)  # 15:05 in Almaty
    join = "/api/v1/schedules/staff-training/st-webinars/join"
    teacher, csrf = signed_in(app, people["teacher"])
    joined = teacher.post(join, headers=csrf)
    assert joined.status_code == 200 and joined.json["status"] == "present"
    student, scsrf = signed_in(app, people["student"])
    assert student.post(join, headers=scsrf).status_code == 403
    leader, _ = signed_in(app, methodist)
    rows = {
        r["email"]: r
        for r in leader.get("/api/v1/schedules/staff-training/st-webinars/attendance").json["students"]
    }
    assert rows["teacher@oqu.example.kz"]["status"] == "present"
    assert rows["other.teacher@oqu.example.kz"]["status"] is None
    assert (
        "cadet@oqu.example.kz" not in rows and "methodist@oqu.example.kz" not in rows
    )  # the leader hosts it
    assert teacher.get("/api/v1/schedules/staff-training/st-webinars/attendance").status_code == 403
