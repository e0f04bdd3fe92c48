"""Individual study plans (R5) from the group's curriculum and the academic office's decisions, and
health accommodations (R9): asynchronous study replaces live attendance in the plan and the list."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from auth_helpers import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient
from test_sched_attendance import MANIFEST as LIVE_MANIFEST

from auth import enrolment
from auth.models import Role, User
from quiz_service.core import db, events

MANIFEST = copy.deepcopy(LIVE_MANIFEST)
MANIFEST["courses"][0]["modules"] = [
    {"id": "combustion", "title": {"kk": "Жану және заттардың өрт қауіптілігі"}},
    {"id": "extinguishing", "title": {"kk": "Алғашқы өрт сөндіру құралдары"}},
]
MANIFEST["curricula"] = [
    {
        "group": "ПБ-21",
        "programme": {"kk": "6В11201 — Өрт қауіпсіздігі", "ru": "6В11201 — Пожарная безопасность"},
        "terms": [
            {
                "term": 1,
                "starts": "2026-09-01",
                "ends": "2026-12-31",
                "courses": [
                    {
                        "course": "fire-safety",
                        "contact": 16,
                        "distance": 20,
                        "deadlines": [
                            {"module": "combustion", "due": "2026-12-11"},
                            {"module": "extinguishing", "due": "2026-12-22"},
                        ],
                    }
                ],
            },
            {
                "term": 2,
                "starts": "2027-01-15",
                "ends": "2027-05-31",
                "courses": [{"course": "other-course", "contact": 10, "distance": 10}],
            },
        ],
    }
]
NOW = datetime(2026, 12, 9, 9, 2, tzinfo=UTC)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")
    return app_config


@pytest.fixture
def people(app: Flask, make_user: Callable[..., User]) -> dict[str, User]:
    app.extensions["oqu_clock"] = lambda: NOW
    made = {
        "student": make_user(
            email="cadet@oqu.example.kz", full_name="Арман Қасымов", group="ПБ-21", password=PASSWORD
        ),
        "classmate": make_user(email="classmate@oqu.example.kz", group="ПБ-21", password=PASSWORD),
        "admin": make_user(email="office@oqu.example.kz", role=Role.ADMIN, group=None, password=PASSWORD),
        "teacher": make_user(
            email="teacher@oqu.example.kz", role=Role.TEACHER, group=None, password=PASSWORD
        ),
    }
    with app.app_context(), db.write_transaction() as writer:
        enrolment.enrol(writer, "fire-safety", group="ПБ-21")
    return made


@pytest.fixture
def published() -> Iterator[list[events.DomainEvent]]:
    seen: list[events.DomainEvent] = []

    def keep(_: Any, event: events.DomainEvent) -> None:
        seen.append(event)

    stops = [events.subscribe(kind, keep) for kind in (events.PlanDecisionSet, events.AccommodationSet)]
    yield seen
    for stop in stops:
        stop()


def signed_in(app: Flask, user: User) -> tuple[FlaskClient, dict[str, str]]:
    browser = app.test_client()
    form = {
        "email": user.email,
        "password": PASSWORD,
        "csrf_token": csrf_from_form(browser.get("/auth/login").text),
    }
    assert browser.post("/auth/login", data=form).status_code == 303
    return browser, {"X-CSRF-Token": browser.get("/api/v1/me").json["csrf_token"]}


def test_plan_is_derived_from_the_group_curriculum(app: Flask, people: dict[str, User]) -> None:
    student, _ = signed_in(app, people["student"])
    plan = student.get("/api/v1/schedules/plan").json
    assert plan["group"] == "ПБ-21" and plan["contact_hours"] == 26 and plan["distance_hours"] == 30
    [fire] = plan["terms"][0]["courses"]
    assert (fire["course"], fire["contact"], fire["distance"], fire["asynchronous"]) == (
        "fire-safety",
        16,
        20,
        False,
    )
    assert [(d["module"], d["due"], d["individual"]) for d in fire["deadlines"]] == [
        ("combustion", "2026-12-11", False),
        ("extinguishing", "2026-12-22", False),
    ]
    page = student.get("/schedules/plan?lang=kk")
    assert page.status_code == 200
    assert "Жеке оқу жоспары" in page.text and "Жану және заттардың өрт қауіптілігі: 2026-12-11" in page.text
    assert "Білім беру бағдарламасын меңгерудің жеке кестесі" in page.text
    assert "Заттардың өрт қауіптілігі" in page.text  # the student's live class, in the individual schedule
    assert "@media print" in page.text


def test_office_decisions_change_one_students_plan(
    app: Flask, people: dict[str, User], published: list[events.DomainEvent]
) -> None:
    office, csrf = signed_in(app, people["admin"])
    url = f"/api/v1/schedules/plans/{people['student'].id}/decisions"
    wrong = office.put(url, json={"course": "fire-safety", "due": "2027-01-10"}, headers=csrf)
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "decision_target"
    deadline = office.put(
        url, json={"course": "fire-safety", "module": "combustion", "due": "2027-01-10"}, headers=csrf
    )
    assert deadline.status_code == 200
    exempt = office.put(
        url, json={"course": "other-course", "exempt": True, "note": "Қайта есепке алу"}, headers=csrf
    )
    plan = exempt.json
    fire = plan["terms"][0]["courses"][0]
    assert fire["deadlines"][0] == {
        "module": "combustion",
        "title": {"kk": "Жану және заттардың өрт қауіптілігі"},
        "due": "2027-01-10",
        "individual": True,
    }
    assert plan["terms"][1]["courses"][0]["exempt"] is True
    assert plan["contact_hours"] == 16 and plan["distance_hours"] == 20  # the exempt course counts no hours
    assert [type(e).__name__ for e in published] == ["PlanDecisionSet", "PlanDecisionSet"]
    classmate, _ = signed_in(app, people["classmate"])
    theirs = classmate.get("/api/v1/schedules/plan").json
    assert theirs["terms"][0]["courses"][0]["deadlines"][0]["due"] == "2026-12-11"  # unchanged


def test_only_the_office_sets_plans_and_reads_anothers(app: Flask, people: dict[str, User]) -> None:
    student, csrf = signed_in(app, people["student"])
    other = people["classmate"].id
    assert student.get(f"/api/v1/schedules/plans/{other}").status_code == 403
    assert student.get(f"/schedules/plan/{other}").status_code == 403
    refused = student.put(
        f"/api/v1/schedules/plans/{other}/decisions", json={"course": "fire-safety"}, headers=csrf
    )
    assert refused.status_code == 403 and refused.json["error"]["code"] == "office_only"
    teacher, _ = signed_in(app, people["teacher"])
    assert teacher.get(f"/api/v1/schedules/plans/{other}").status_code == 403
    office, _ = signed_in(app, people["admin"])
    assert office.get(f"/api/v1/schedules/plans/{people['teacher'].id}").status_code == 404
    assert office.get(f"/schedules/plan/{other}?lang=ru").status_code == 200


def test_an_accommodated_students_plan_and_attendance(
    app: Flask, people: dict[str, User], published: list[events.DomainEvent]
) -> None:
    office, csrf = signed_in(app, people["admin"])
    url = f"/api/v1/schedules/plans/{people['student'].id}/accommodations"
    backwards = {"document_ref": "№ 17", "starts": "2026-12-20", "ends": "2026-12-01"}
    assert office.post(url, json=backwards, headers=csrf).json["error"]["code"] == "accommodation_period"
    made = office.post(
        url,
        json={
            "document_ref": "ВКК анықтамасы № 17, 2026-12-01",
            "starts": "2026-12-01",
            "ends": "2026-12-20",
        },
        headers=csrf,
    )
    assert made.status_code == 201
    plan = made.json
    fire = plan["terms"][0]["courses"][0]
    assert (fire["contact"], fire["distance"], fire["asynchronous"]) == (0, 36, True)  # contact → self-study
    later = plan["terms"][1]["courses"][0]
    assert (later["contact"], later["distance"], later["asynchronous"]) == (10, 10, False)  # term 2 untouched
    assert [{k: v for k, v in a.items() if k != "id"} for a in plan["accommodations"]] == [
        {"document_ref": "ВКК анықтамасы № 17, 2026-12-01", "starts": "2026-12-01", "ends": "2026-12-20"}
    ]
    [event] = published
    assert isinstance(event, events.AccommodationSet) and event.user_id == people["student"].id
    classmate, _ = signed_in(app, people["classmate"])
    assert classmate.get("/api/v1/schedules/plan").json["terms"][0]["courses"][0]["asynchronous"] is False
    teacher, _ = signed_in(app, people["teacher"])
    rows = {
        r["email"]: r
        for r in teacher.get("/api/v1/schedules/fire-safety/fs-practice-1/attendance").json["students"]
    }
    assert rows["cadet@oqu.example.kz"]["asynchronous"] is True  # 9 December: within the period
    assert rows["classmate@oqu.example.kz"]["asynchronous"] is False
    page = teacher.get("/teach/schedules/fire-safety/fs-practice-1/attendance?lang=kk")
    assert "асинхронды (R9)" in page.text
    student, _ = signed_in(app, people["student"])
    assert (
        "Асинхронды: жазылған дәрістер мен өзіндік жұмыс (R9)" in student.get("/schedules/plan?lang=kk").text
    )


def test_no_curriculum_for_the_group(
    app: Flask, people: dict[str, User], make_user: Callable[..., User]
) -> None:
    loner = make_user(email="loner@oqu.example.kz", group="ЖҚ-11", password=PASSWORD)
    browser, _ = signed_in(app, loner)
    assert browser.get("/api/v1/schedules/plan").json["error"]["code"] == "no_curriculum"
    page = browser.get("/schedules/plan?lang=kk")
    assert page.status_code == 404 and "Сіздің тобыңызға оқу жоспары әлі жоқ." in page.text
