"""The academic office's pages for individual plans (R5) and health accommodations (R9): forms
with CSRF that add, end and correct an accommodation and set or withdraw a plan decision, each
change kept in the history with who, when (Kazakhstan time, the zone named) and why."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import test_sched_plans
from auth_helpers import csrf_from_form
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from auth.models import User
from quiz_service.core import db, events
from quiz_service.core.service_bundle import Manifest
from quiz_service.schedules.classes import all_classes
from quiz_service.schedules.models import Accommodation, PlanChange
from quiz_service.schedules.plan_views import PlannedClass

# The plans' bundle (a curriculum for ПБ-21), its first class with a lesson whose video is the
# class's recording (as `oqu build` says in the manifest).
MANIFEST: dict[str, Any] = copy.deepcopy(test_sched_plans.MANIFEST)
MANIFEST["courses"][0]["lessons"] = [
    {
        "id": "hazard-properties",
        "title": {"kk": "Заттардың өрт қауіптілігі", "ru": "Пожарная опасность веществ"},
        "urls": {
            "kk": "kk/courses/fire-safety/01-combustion/hazard-properties/",
            "ru": "ru/courses/fire-safety/01-combustion/hazard-properties/",
        },
        "video": True,
    }
]
MANIFEST["courses"][0]["schedule"][0] |= {"lesson": "hazard-properties", "recording": True}


LIVE = all_classes(Manifest.model_validate(MANIFEST))[0]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")
    return app_config


people = test_sched_plans.people  # a student and a classmate of ПБ-21, a teacher, the office (admin)
signed_in = test_sched_plans.signed_in
CERTIFICATE = "ВКК анықтамасы № 17, 2026-12-01"


@pytest.fixture
def seen() -> Iterator[list[events.DomainEvent]]:
    found: list[events.DomainEvent] = []

    def keep(_: Any, event: events.DomainEvent) -> None:
        found.append(event)

    kinds = (
        events.AccommodationSet,
        events.AccommodationChanged,
        events.PlanDecisionSet,
        events.PlanDecisionCleared,
    )
    stops = [events.subscribe(kind, keep) for kind in kinds]
    yield found
    for stop in stops:
        stop()


def office_form(app: Flask, people: dict[str, User], lang: str = "kk") -> tuple[FlaskClient, str, str]:
    office, _ = signed_in(app, people["admin"])
    page = office.get(f"/schedules/office/{people['student'].id}?lang={lang}")
    assert page.status_code == 200
    return office, csrf_from_form(page.text), f"/schedules/office/{people['student'].id}"


def body(response: Any) -> Any:
    return response.json


def my_plan(student: FlaskClient) -> Any:
    return student.get("/api/v1/schedules/plan").json


def changes(app: Flask, user: User) -> list[PlanChange]:
    with app.app_context():
        query = select(PlanChange).where(PlanChange.user_id == user.id).order_by(PlanChange.id)
        return list(db.session().scalars(query))


def accommodations(app: Flask, user: User) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session().scalars(select(Accommodation).where(Accommodation.user_id == user.id))
        return [(r.document_ref, r.starts.isoformat(), r.ends.isoformat()) for r in rows]


def test_the_office_grants_asynchronous_study_and_the_plan_follows(
    app: Flask, people: dict[str, User], seen: list[events.DomainEvent]
) -> None:
    office, csrf, url = office_form(app, people)
    form = {"csrf_token": csrf, "lang": "kk", "document_ref": CERTIFICATE, "starts": "2026-12-01"}
    made = office.post(f"{url}/accommodations", data=form | {"ends": "2026-12-20"})
    assert made.status_code == 303 and "done=accommodation_added" in made.location
    shown = office.get(made.location).text
    assert "Асинхронды оқу белгіленді." in shown and CERTIFICATE in shown
    assert "Астана уақыты (UTC+5)" in shown  # the history's times name the zone
    assert "09.12.2026 14:02 (UTC+5)" in shown  # NOW (09:02 UTC) in Kazakhstan time
    [change] = changes(app, people["student"])
    assert (change.kind, change.before, change.after, change.changed_by) == (
        "accommodation_added",
        None,
        {"document_ref": CERTIFICATE, "starts": "2026-12-01", "ends": "2026-12-20"},
        people["admin"].id,
    )
    [event] = seen
    assert isinstance(event, events.AccommodationSet) and event.document_ref == CERTIFICATE
    student, _ = signed_in(app, people["student"])
    plan = my_plan(student)
    assert plan["terms"][0]["courses"][0]["asynchronous"] is True


def test_end_and_correct_keep_the_history(
    app: Flask, people: dict[str, User], seen: list[events.DomainEvent]
) -> None:
    office, csrf, url = office_form(app, people, "ru")
    base = {"csrf_token": csrf, "lang": "ru"}
    office.post(
        f"{url}/accommodations",
        data=base | {"document_ref": "№ 17", "starts": "2026-12-01", "ends": "2026-12-31"},
    )
    with app.app_context():
        [row_id] = db.session().scalars(select(Accommodation.id))
    early = office.post(f"{url}/accommodations/{row_id}/end", data=base | {"on": "2026-11-20"})
    assert early.status_code == 422 and "Период не может закончиться до начала" in early.text
    ended = office.post(
        f"{url}/accommodations/{row_id}/end", data=base | {"on": "2026-12-15", "reason": "Выписан"}
    )
    assert ended.status_code == 303
    assert accommodations(app, people["student"]) == [("№ 17", "2026-12-01", "2026-12-15")]
    fix = base | {"document_ref": "№ 71", "starts": "2026-12-02", "ends": "2026-12-15"}
    no_reason = office.post(f"{url}/accommodations/{row_id}/correct", data=fix)
    assert no_reason.status_code == 422 and "Укажите причину исправления." in no_reason.text
    assert (
        office.post(f"{url}/accommodations/{row_id}/correct", data=fix | {"reason": "Опечатка"}).status_code
        == 303
    )
    assert accommodations(app, people["student"]) == [("№ 71", "2026-12-02", "2026-12-15")]
    kinds = [(c.kind, c.reason) for c in changes(app, people["student"])]
    assert kinds == [
        ("accommodation_added", None),
        ("accommodation_ended", "Выписан"),
        ("accommodation_corrected", "Опечатка"),
    ]
    corrected = changes(app, people["student"])[-1]
    assert corrected.before == {"document_ref": "№ 17", "starts": "2026-12-01", "ends": "2026-12-15"}
    page = office.get(f"{url}?lang=ru").text
    assert "Запись об асинхронном обучении исправлена" in page and "Причина: Опечатка" in page
    assert [type(e).__name__ for e in seen] == [
        "AccommodationSet",
        "AccommodationChanged",
        "AccommodationChanged",
    ]
    last = seen[-1]
    assert isinstance(last, events.AccommodationChanged) and (last.change, last.document_ref) == (
        "corrected",
        "№ 71",
    )


def test_decisions_are_set_and_withdrawn_through_the_forms(
    app: Flask, people: dict[str, User], seen: list[events.DomainEvent]
) -> None:
    office, csrf, url = office_form(app, people, "en")
    base = {"csrf_token": csrf, "lang": "en"}
    empty = office.post(f"{url}/decisions", data=base | {"target": "fire-safety"})
    assert empty.status_code == 422 and "Give an exemption, an individual start" in empty.text
    unknown = office.post(f"{url}/decisions", data=base | {"target": "not-in-plan", "exempt": "on"})
    assert unknown.status_code == 422 and "Choose a course or module" in unknown.text
    wrong = office.post(f"{url}/decisions", data=base | {"target": "fire-safety", "due": "2027-01-10"})
    assert wrong.status_code == 422 and "a module a deadline" in wrong.text
    deadline = base | {"target": "fire-safety/combustion", "due": "2027-01-10", "note": "Order No. 5"}
    assert office.post(f"{url}/decisions", data=deadline).status_code == 303
    student, _ = signed_in(app, people["student"])
    due = my_plan(student)["terms"][0]["courses"][0]["deadlines"][0]
    assert (due["due"], due["individual"]) == ("2027-01-10", True)
    page = office.get(f"{url}?lang=en").text
    assert "Individual deadline: 2027-01-10; Order No. 5" in page
    cleared = office.post(f"{url}/decisions/clear", data=base | {"target": "fire-safety/combustion"})
    assert cleared.status_code == 303
    due = my_plan(student)["terms"][0]["courses"][0]["deadlines"][0]
    assert (due["due"], due["individual"]) == ("2026-12-11", False)
    again = office.post(f"{url}/decisions/clear", data=base | {"target": "fire-safety/combustion"})
    assert again.status_code == 404 and "There is no such decision." in again.text
    assert [c.kind for c in changes(app, people["student"])] == ["decision_set", "decision_cleared"]
    assert [type(e).__name__ for e in seen] == ["PlanDecisionSet", "PlanDecisionCleared"]


def test_the_api_writes_the_history_too(app: Flask, people: dict[str, User]) -> None:
    office, csrf = signed_in(app, people["admin"])
    url = f"/api/v1/schedules/plans/{people['student'].id}"
    office.put(f"{url}/decisions", json={"course": "other-course", "exempt": True}, headers=csrf)
    office.put(f"{url}/decisions", json={"course": "other-course", "starts": "2027-02-01"}, headers=csrf)
    [first, second] = changes(app, people["student"])
    assert first.before is None and first.after == {"exempt": True, "starts": None, "due": None, "note": None}
    assert second.before == first.after and second.after == {
        "exempt": False,
        "starts": "2027-02-01",
        "due": None,
        "note": None,
    }


def test_forms_need_the_csrf_token(app: Flask, people: dict[str, User]) -> None:
    office, _, url = office_form(app, people)
    form = {"document_ref": "№ 1", "starts": "2026-12-01", "ends": "2026-12-02"}
    assert office.post(f"{url}/accommodations", data=form).status_code == 400
    assert changes(app, people["student"]) == []


def test_only_the_office_sees_and_changes(app: Flask, people: dict[str, User]) -> None:
    student_id = people["student"].id
    for who in ("teacher", "classmate"):
        browser, _ = signed_in(app, people[who])
        assert browser.get("/schedules/office/").status_code == 403
        assert browser.get(f"/schedules/office/{student_id}").status_code == 403
        page = browser.get("/schedules/?lang=kk").text
        assert "/schedules/office/" not in page  # no menu link
        csrf = csrf_from_form(page) if 'name="csrf_token"' in page else ""
        form = {"csrf_token": csrf, "document_ref": "№ 1", "starts": "2026-12-01", "ends": "2026-12-02"}
        assert browser.post(f"/schedules/office/{student_id}/accommodations", data=form).status_code in (
            400,
            403,
        )
    office, _ = signed_in(app, people["admin"])
    assert office.get(f"/schedules/office/{people['teacher'].id}").status_code == 404  # not a student
    assert office.get("/schedules/office/999999").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get("/schedules/office/").status_code == 302


def test_the_group_list_the_menu_and_the_plans_link(app: Flask, people: dict[str, User]) -> None:
    office, csrf, url = office_form(app, people)
    office.post(
        f"{url}/accommodations",
        data={"csrf_token": csrf, "document_ref": CERTIFICATE, "starts": "2026-12-01", "ends": "2026-12-20"},
    )
    page = office.get("/schedules/office/?group=ПБ-21&lang=kk").text
    assert "ПБ-21 тобының білім алушылары" in page
    assert "Арман Қасымов" in page and "classmate@oqu.example.kz" in page
    assert 'href="/schedules/office/?lang=kk"' in page  # the header's menu, for the office
    student_row = page.split(f'id="student-{people["student"].id}"')[1].split("</tr>")[0]
    assert "қазір" in student_row and "2026-12-01 – 2026-12-20" in student_row
    assert "Асинхронды оқу белгіленді (R9)" in page  # the group's recent changes
    plan = office.get(f"/schedules/plan/{people['student'].id}?lang=kk").text
    assert f'href="/schedules/office/{people["student"].id}?lang=kk"' in plan
    student, _ = signed_in(app, people["student"])
    assert "/schedules/office/" not in student.get("/schedules/plan?lang=kk").text


def test_an_accommodated_students_plan_points_to_the_recordings(app: Flask, people: dict[str, User]) -> None:
    student, _ = signed_in(app, people["student"])
    before = student.get("/schedules/plan?lang=kk").text
    practice = before.split('id="class-fire-safety-fs-practice-1"')[1].split("</tr>")[0]
    assert 'data-asynchronous="no"' in practice and "Онлайн" in practice and "Бейнежазба" not in practice
    office, csrf, url = office_form(app, people)
    form = {"csrf_token": csrf, "document_ref": CERTIFICATE, "starts": "2026-12-01", "ends": "2026-12-20"}
    assert office.post(f"{url}/accommodations", data=form).status_code == 303
    after = student.get("/schedules/plan?lang=kk").text
    practice = after.split('id="class-fire-safety-fs-practice-1"')[1].split("</tr>")[0]
    assert 'data-asynchronous="yes"' in practice
    assert (
        '<a href="/kk/courses/fire-safety/01-combustion/hazard-properties/">'
        "Бейнежазба: «Заттардың өрт қауіптілігі» сабағында</a>"
    ) in practice
    room = after.split('id="class-fire-safety-fs-room"')[1].split("</tr>")[0]
    assert "Асинхронды: өзіндік жұмыс" in room and "305 аудитория" not in room  # no lesson named
    assert "синхронды сабақтарға қатысу талап етілмейді" in after
    ru = student.get("/schedules/plan?lang=ru").text
    assert "Видеозапись: в занятии «Пожарная опасность веществ»" in ru


@pytest.mark.parametrize(
    ("lesson", "recording", "video", "words"),
    [
        (None, False, False, "plan_self_study"),
        ("hazard-properties", True, True, "plan_recording"),  # the recording is the lesson's video
        ("hazard-properties", False, True, "plan_video_lecture"),
        ("hazard-properties", False, False, "plan_recording_later"),
    ],
)
def test_what_replaces_a_live_class(lesson: str | None, recording: bool, video: bool, words: str) -> None:
    live = replace(LIVE, lesson=lesson, recording=recording)
    assert PlannedClass(live, True, "", None, video).substitute == words


def test_the_api_ends_corrects_withdraws_and_tells_the_history(
    app: Flask, people: dict[str, User], seen: list[events.DomainEvent]
) -> None:
    office, csrf = signed_in(app, people["admin"])
    url = f"/api/v1/schedules/plans/{people['student'].id}"
    made = office.post(
        f"{url}/accommodations",
        json={"document_ref": "№ 17", "starts": "2026-12-01", "ends": "2026-12-31"},
        headers=csrf,
    )
    [accommodation] = body(made)["accommodations"]
    item = f"{url}/accommodations/{accommodation['id']}"
    late = office.post(f"{item}/end", json={"on": "2027-01-05"}, headers=csrf)
    assert late.status_code == 422 and body(late)["error"]["code"] == "accommodation_end_late"
    ended = office.post(f"{item}/end", json={"on": "2026-12-15", "reason": "Сауықты"}, headers=csrf)
    assert ended.status_code == 200 and body(ended)["accommodations"][0]["ends"] == "2026-12-15"
    fix = {"document_ref": "№ 71", "starts": "2026-12-02", "ends": "2026-12-15"}
    assert office.put(item, json=fix, headers=csrf).status_code == 422  # no reason
    corrected = office.put(item, json=fix | {"reason": "Қате нөмір"}, headers=csrf)
    assert body(corrected)["accommodations"][0]["document_ref"] == "№ 71"
    office.put(f"{url}/decisions", json={"course": "other-course", "exempt": True}, headers=csrf)
    cleared = office.post(f"{url}/decisions/clear", json={"course": "other-course"}, headers=csrf)
    assert body(cleared)["terms"][1]["courses"][0]["exempt"] is False
    missing = office.post(f"{url}/decisions/clear", json={"course": "other-course"}, headers=csrf)
    assert missing.status_code == 404 and body(missing)["error"]["code"] == "no_decision"
    history = body(office.get(f"{url}/history"))["changes"]
    assert [c["kind"] for c in history] == [
        "decision_cleared",
        "decision_set",
        "accommodation_corrected",
        "accommodation_ended",
        "accommodation_added",
    ]
    assert history[2]["before"]["document_ref"] == "№ 17" and history[2]["reason"] == "Қате нөмір"
    classmate = people["classmate"].id
    other = f"/api/v1/schedules/plans/{classmate}/accommodations/{accommodation['id']}/end"
    assert office.post(other, json={"on": "2026-12-10"}, headers=csrf).status_code == 404  # not theirs
    student, student_csrf = signed_in(app, people["student"])
    assert student.get(f"{url}/history").status_code == 403
    refused = student.post(f"{item}/end", json={"on": "2026-12-10"}, headers=student_csrf)
    assert refused.status_code == 403
