"""Consultations on SQLite and PostgreSQL, in process: slots, windows and deadlines on the injected
clock, the waitlist's order, offers and their hold, idempotent requests, object access (T03)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from consult_fixtures import (
    LIVE_CLASS,
    NOW,
    START,
    People,
    book,
    consult_config,
    iso,
    publish,
    publish_slot,
    slot_rows,
)
from flask import Flask
from flask.testing import FlaskClient
from quiz_bundle import ServerClock
from sqlalchemy import select

from quiz_service.core import db
from quiz_service.core.jobs.models import Job
from quiz_service.core.mail.models import MailMessage

pytest_plugins = ["consult_fixtures"]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return consult_config(app_config)


def error_code(answer: Any) -> str:
    return str(answer.json["error"]["code"])


def mails(app: Flask) -> list[tuple[str, str]]:
    """(recipient, key) of every queued message, in order."""
    with app.app_context():
        rows = (
            db.session()
            .execute(select(MailMessage.recipient, MailMessage.key).order_by(MailMessage.id))
            .all()
        )
        return [(r, k) for r, k in rows]


# -- slots --------------------------------------------------------------------------------


def test_a_weekly_series_is_published_in_one_step_and_overlaps_are_refused(
    client: FlaskClient, people: People
) -> None:
    answer = publish(client, people.teacher.headers, weeks=3, seats=4, title="Сынаққа дайындық")
    assert answer.status_code == 201
    slots = answer.json["slots"]
    assert [s["starts_at"] for s in slots] == [
        iso(START + timedelta(weeks=n)).replace("+00:00", "Z") for n in range(3)
    ]
    assert len({s["series"] for s in slots}) == 1 and slots[0]["kind"] == "group"
    # The same teacher at an overlapping time, in any course: refused, nothing made.
    clash = publish(client, people.teacher.headers, starts_at=iso(START + timedelta(weeks=2, minutes=15)))
    assert clash.status_code == 409 and error_code(clash) == "slot_overlap"
    # A live class of the teacher's (the bundle's schedule): refused as well.
    live = publish(client, people.teacher.headers, starts_at=LIVE_CLASS, minutes=20)
    assert live.status_code == 409 and error_code(live) == "class_overlap"
    # A series whose last week clashes is refused whole.
    publish_slot(client, people.teacher.headers, starts_at=iso(START + timedelta(days=17)))
    series = publish(client, people.teacher.headers, starts_at=iso(START + timedelta(days=3)), weeks=3)
    assert series.status_code == 409
    listed = client.get("/api/v1/consultations/fire-safety/teach", headers=people.teacher.headers).json[
        "slots"
    ]
    assert len(listed) == 4


def test_what_cannot_be_a_slot_is_refused_with_its_reason(client: FlaskClient, people: People) -> None:
    cases = {
        "slot_link": {"link": "javascript:alert(1)"},
        "slot_room": {"mode": "in_person", "link": None},
        "slot_window": {"closes_at": iso(START + timedelta(hours=1))},
        "slot_past": {"starts_at": iso(NOW - timedelta(hours=1))},
        "slot_seats": {"seats": 0},
    }
    for code, fields in cases.items():
        answer = publish(client, people.teacher.headers, **fields)
        assert (answer.status_code, error_code(answer)) == (422, code), fields
    assert (
        publish(client, people.teacher.headers, starts_at="2026-12-10T11:00:00").status_code == 422
    )  # no zone


def test_only_the_course_teachers_publish_and_see_the_bookings(client: FlaskClient, people: People) -> None:
    assert publish(client, people.other_teacher.headers).status_code == 403
    assert publish(client, people.student.headers).status_code == 403
    assert publish(client, people.teacher.headers, course="no-such-course").status_code == 404
    slot = publish_slot(client, people.teacher.headers)
    assert (
        client.get(
            f"/api/v1/consultations/slots/{slot['id']}/bookings", headers=people.other_teacher.headers
        ).status_code
        == 403
    )
    assert (
        client.get(
            f"/api/v1/consultations/slots/{slot['id']}/bookings", headers=people.admin.headers
        ).status_code
        == 200
    )
    # A student outside the course sees no slot of it and cannot book.
    assert (
        client.get("/api/v1/consultations/fire-safety/slots", headers=people.outsider.headers).status_code
        == 403
    )
    assert book(client, people.outsider, slot["id"]).status_code == 403


# -- booking, windows, deadlines ---------------------------------------------------------------


def test_the_link_is_shown_only_to_booked_students(client: FlaskClient, people: People) -> None:
    slot = publish_slot(client, people.teacher.headers, seats=1)
    listed = client.get("/api/v1/consultations/fire-safety/slots", headers=people.student.headers).json
    assert listed["slots"][0]["link"] is None and listed["zone"] == "Asia/Almaty"
    booked = book(client, people.student, slot["id"], topic="Өрт сөндіргіш түрлері")
    assert booked.status_code == 201 and booked.json["link"] == "https://meet.example.kz/ustaz"
    waiting = book(client, people.students[1], slot["id"])
    assert waiting.status_code == 202 and waiting.json["state"] == "waiting" and waiting.json["link"] is None
    mine = client.get("/api/v1/consultations/fire-safety/slots", headers=people.student.headers).json[
        "slots"
    ][0]
    assert (mine["my_state"], mine["link"], mine["free"], mine["waiting"]) == ("booked", slot["link"], 0, 1)


def test_the_booking_window_and_the_cancellation_deadline_hold_to_the_second(
    client: FlaskClient, people: People, clock: ServerClock
) -> None:
    opens, closes = NOW + timedelta(hours=1), START - timedelta(hours=2)
    cancel_until = START - timedelta(hours=24)
    fields = {"opens_at": iso(opens), "closes_at": iso(closes), "cancel_until": iso(cancel_until), "seats": 3}
    slot = publish_slot(client, people.teacher.headers, **fields)
    clock.now = opens - timedelta(seconds=1)
    assert error_code(book(client, people.student, slot["id"])) == "booking_not_open"
    clock.now = opens
    first = book(client, people.student, slot["id"])
    assert first.status_code == 201
    clock.now = cancel_until - timedelta(seconds=1)
    second = book(client, people.students[1], slot["id"]).json
    cancelled = client.post(
        f"/api/v1/consultations/bookings/{second['id']}/cancel", headers=people.students[1].headers
    )
    assert cancelled.status_code == 200 and cancelled.json["state"] == "cancelled"
    clock.now = cancel_until
    late = client.post(
        f"/api/v1/consultations/bookings/{first.json['id']}/cancel", headers=people.student.headers
    )
    assert (late.status_code, error_code(late)) == (409, "cancel_closed")
    # The teacher still can; and a cancelled booking never blocks booking again.
    by_teacher = client.post(
        f"/api/v1/consultations/bookings/{first.json['id']}/cancel", headers=people.teacher.headers
    )
    assert by_teacher.status_code == 200
    clock.now = closes - timedelta(seconds=1)
    again = book(client, people.student, slot["id"])
    assert again.status_code == 201 and again.json["id"] != first.json["id"]
    clock.now = closes
    assert error_code(book(client, people.students[2], slot["id"])) == "booking_closed"
    # Staff book a student in after the window closes, never beyond the seats.
    staff = book(client, people.teacher, slot["id"], student=people.students[2].user.email)
    assert staff.status_code == 201
    assert slot_rows(client.application, slot["id"]) == (2, {"booked": 2, "cancelled": 2})


def test_no_two_overlapping_bookings_and_the_course_limit(client: FlaskClient, people: People) -> None:
    first = publish_slot(client, people.teacher.headers, minutes=60)
    overlapping = publish_slot(client, people.admin.headers, starts_at=iso(START + timedelta(minutes=30)))
    assert book(client, people.student, first["id"]).status_code == 201
    clash = book(client, people.student, overlapping["id"])
    assert (clash.status_code, error_code(clash)) == (409, "booking_overlap")
    assert error_code(book(client, people.student, first["id"])) == "already_booked"
    later = [
        publish_slot(client, people.teacher.headers, starts_at=iso(START + timedelta(days=d)))
        for d in (1, 2, 3)
    ]
    assert [book(client, people.student, s["id"]).status_code for s in later] == [201, 201, 409]
    assert error_code(book(client, people.student, later[2]["id"])) == "course_limit"


def test_a_retried_request_is_the_same_booking_and_a_used_key_stays_its_own(
    client: FlaskClient, people: People
) -> None:
    slot = publish_slot(client, people.teacher.headers, seats=2)
    key = {"Idempotency-Key": "b1c7-жазылу"}
    headers = people.student.headers | key
    first = client.post(f"/api/v1/consultations/slots/{slot['id']}/bookings", json={}, headers=headers)
    again = client.post(f"/api/v1/consultations/slots/{slot['id']}/bookings", json={}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    client.post(f"/api/v1/consultations/bookings/{first.json['id']}/cancel", headers=people.student.headers)
    # The retried request of the cancelled booking still answers it; a new request books anew.
    replay = client.post(f"/api/v1/consultations/slots/{slot['id']}/bookings", json={}, headers=headers)
    assert replay.json["id"] == first.json["id"] and replay.json["state"] == "cancelled"
    fresh = book(client, people.student, slot["id"], request_key="екінші")
    assert fresh.status_code == 201 and fresh.json["id"] != first.json["id"]
    other = publish_slot(client, people.teacher.headers, starts_at=iso(START + timedelta(days=1)))
    reused = client.post(f"/api/v1/consultations/slots/{other['id']}/bookings", json={}, headers=headers)
    assert (reused.status_code, error_code(reused)) == (409, "request_key_reused")


# -- the waitlist -------------------------------------------------------------------------


def test_a_freed_seat_is_offered_in_order_with_a_hold_that_passes_on(
    app: Flask, client: FlaskClient, people: People, clock: ServerClock
) -> None:
    from quiz_service.consultations import jobs as consultation_jobs
    from quiz_service.core.jobs import JobRun

    slot = publish_slot(client, people.teacher.headers, seats=1)
    holder, first, second, third = people.students
    seat = book(client, holder, slot["id"]).json
    waits = [book(client, p, slot["id"]).json for p in (first, second, third)]
    assert [w["position"] for w in waits] == [1, 2, 3]
    full = book(client, people.admin, slot["id"], student=people.outsider.user.email)
    assert full.status_code == 422  # not enrolled: staff book enrolled students only
    client.post(f"/api/v1/consultations/bookings/{seat['id']}/cancel", headers=holder.headers)
    mine = client.get("/api/v1/consultations/bookings", headers=first.headers).json["bookings"][0]
    assert mine["state"] == "offered" and mine["hold_until"].startswith("2026-12-07T06:00")
    assert slot_rows(app, slot["id"]) == (1, {"cancelled": 1, "offered": 1, "waiting": 2})
    # Nobody else takes the held seat meanwhile, not even a newcomer or staff.
    assert book(client, people.students[0], slot["id"]).status_code == 202
    # The hold runs out: the periodic job passes the seat to the second in line.
    clock.move(hours=2)
    with app.app_context():
        consultation_jobs.expire_offers(JobRun(1, "consultations.expire_offers", {}, 1, None))
    states = {b["student"]: b["state"] for b in client.get(
        f"/api/v1/consultations/slots/{slot['id']}/bookings", headers=people.teacher.headers).json["bookings"]}  # fmt: skip
    assert states[first.user.email] == "lapsed" and states[second.user.email] == "offered"
    late = client.post(f"/api/v1/consultations/bookings/{waits[0]['id']}/accept", headers=first.headers)
    assert (late.status_code, error_code(late)) == (409, "not_offered")
    taken = client.post(f"/api/v1/consultations/bookings/{waits[1]['id']}/accept", headers=second.headers)
    assert taken.status_code == 200 and taken.json["state"] == "booked" and taken.json["link"]
    assert slot_rows(app, slot["id"])[0] == 1
    sent = [key.split(":")[-1] for to, key in mails(app) if to == second.user.email]
    assert sent == ["waiting", "offered", "booked"]


def test_more_seats_go_to_the_waitlist_first_and_never_below_those_taken(
    client: FlaskClient, people: People
) -> None:
    slot = publish_slot(client, people.teacher.headers, seats=1)
    for person in people.students[:3]:
        book(client, person, slot["id"])
    more = client.post(
        f"/api/v1/consultations/slots/{slot['id']}/seats", json={"seats": 2}, headers=people.teacher.headers
    )
    assert more.status_code == 200 and (more.json["free"], more.json["waiting"]) == (0, 1)
    fewer = client.post(
        f"/api/v1/consultations/slots/{slot['id']}/seats", json={"seats": 1}, headers=people.teacher.headers
    )
    assert (fewer.status_code, error_code(fewer)) == (409, "seats_taken")


def test_a_cancelled_slot_tells_every_student_why(app: Flask, client: FlaskClient, people: People) -> None:
    slot = publish_slot(client, people.teacher.headers, seats=1)
    book(client, people.students[0], slot["id"])
    book(client, people.students[1], slot["id"])
    reason = "Оқытушы ауырып қалды <script>alert(1)</script>"
    cancelled = client.post(
        f"/api/v1/consultations/slots/{slot['id']}/cancel",
        json={"reason": reason},
        headers=people.teacher.headers,
    )
    assert cancelled.status_code == 200 and {b["state"] for b in cancelled.json["bookings"]} == {
        "slot_cancelled"
    }
    assert slot_rows(app, slot["id"]) == (0, {"slot_cancelled": 2})
    with app.app_context():
        bodies = [
            m.body
            for m in db.session().scalars(select(MailMessage).where(MailMessage.key.like("%slot_cancelled")))
        ]
    assert len(bodies) == 2 and all(reason in body for body in bodies)
    again = client.post(
        f"/api/v1/consultations/slots/{slot['id']}/cancel",
        json={"reason": "x"},
        headers=people.teacher.headers,
    )
    assert again.status_code == 409
    assert book(client, people.students[2], slot["id"]).status_code == 409


# -- object access (T03), attendance, notes ---------------------------------------------------------


def test_a_booking_is_its_students_and_its_teachers_only(client: FlaskClient, people: People) -> None:
    slot = publish_slot(client, people.teacher.headers, seats=2)
    mine = book(client, people.student, slot["id"]).json
    url = f"/api/v1/consultations/bookings/{mine['id']}"
    assert client.post(f"{url}/cancel", headers=people.students[1].headers).status_code == 404
    assert client.post(f"{url}/cancel", headers=people.other_teacher.headers).status_code == 404
    assert (
        client.post(f"{url}/attendance", json={"attended": True}, headers=people.student.headers).status_code
        == 404
    )
    notes = {"attended": True, "private_note": "Дайындығы әлсіз", "shared_note": "Екінші тарауды қайталаңыз"}
    marked = client.post(f"{url}/attendance", json=notes, headers=people.teacher.headers)
    assert marked.status_code == 200 and marked.json["private_note"] == "Дайындығы әлсіз"
    own = client.get("/api/v1/consultations/bookings", headers=people.student.headers).json["bookings"][0]
    assert (
        own["shared_note"] == "Екінші тарауды қайталаңыз"
        and own["private_note"] is None
        and own["attended"] is True
    )
    assert (
        client.get("/api/v1/consultations/bookings", headers=people.students[1].headers).json["bookings"]
        == []
    )


def test_reminders_are_queued_once_and_not_for_those_who_turned_them_off(
    app: Flask, client: FlaskClient, people: People, clock: ServerClock
) -> None:
    from quiz_service.consultations import service

    slot = publish_slot(client, people.teacher.headers, seats=3)
    for person in people.students[:2]:
        book(client, person, slot["id"])
    off = client.put(
        "/api/v1/consultations/preferences", json={"reminders": False}, headers=people.students[1].headers
    )
    assert off.json == {"reminders": False, "lang": None}
    clock.now = START - timedelta(hours=23)
    for _ in range(2):  # a second sweep (another worker, a rerun) adds nothing
        with app.app_context(), db.write_transaction() as writer:
            service.remind(writer, clock.now, timedelta(hours=24))
    reminders = [to for to, key in mails(app) if key.endswith(":reminder")]
    assert reminders == [people.students[0].user.email]
    with app.app_context():
        jobs = db.session().scalars(select(Job.key).where(Job.name == "mail.send")).all()
    assert len(jobs) == len(mails(app))


# -- a term's slots from a file -------------------------------------------------------------------


def test_a_terms_slots_are_imported_from_a_file_once(
    app: Flask, people: People, run_oqu: Any, database_url: str, tmp_path: Any
) -> None:
    from consult_fixtures import TEACHER

    plan = tmp_path / "term.yml"
    plan.write_text(
        f"""course: fire-safety
teacher: {TEACHER}
slots:
  - start: 2027-02-03T15:00
    minutes: 30
    link: https://meet.example.kz/ustaz
    weeks: 3
    title: Сынақ алдындағы кеңес
  - start: 2027-02-04T10:00+05:00
    mode: in_person
    room: "204"
    seats: 6
""",
        encoding="utf-8",
    )
    first = run_oqu("consultations", "import", str(plan), database_url=database_url)
    assert first.exit_code == 0, first.output
    assert first.output == "4 slot(s) published, 0 updated, 0 already there.\n"
    again = run_oqu("consultations", "import", str(plan), database_url=database_url)
    assert again.output == "0 slot(s) published, 0 updated, 4 already there.\n"
    # An edited room reaches the published slot (the start names an entry of an imported file).
    plan.write_text(plan.read_text(encoding="utf-8").replace('room: "204"', 'room: "205"'), encoding="utf-8")
    edited = run_oqu("consultations", "import", str(plan), database_url=database_url)
    assert edited.output == "0 slot(s) published, 1 updated, 3 already there.\n"
    clash = tmp_path / "clash.yml"
    clash.write_text(
        f"course: fire-safety\nteacher: {TEACHER}\nslots:\n  - start: 2027-03-01T09:00\n    room: A\n    mode: in_person\n"
        "  - start: 2027-02-10T15:15\n    link: https://meet.example.kz/x\n",
        encoding="utf-8",
    )
    refused = run_oqu("consultations", "import", str(clash), database_url=database_url)
    assert refused.exit_code == 1 and "nothing imported" in refused.output
    with app.app_context():
        from quiz_service.consultations.models import Slot

        starts = sorted(s.isoformat() for s in db.session().scalars(select(Slot.starts_at)))
    assert starts == [
        "2027-02-03T10:00:00+00:00", "2027-02-04T05:00:00+00:00", "2027-02-10T10:00:00+00:00", "2027-02-17T10:00:00+00:00",
    ]  # fmt: skip


def test_booked_consultations_come_as_an_icalendar_file(client: FlaskClient, people: People) -> None:
    from icalendar import Calendar

    slot = publish_slot(client, people.teacher.headers, seats=1, title="Кеңес")
    book(client, people.student, slot["id"])
    book(client, people.students[1], slot["id"])  # waiting: not in the file
    answer = client.get("/api/v1/consultations/bookings.ics", headers=people.student.headers)
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    events = Calendar.from_ical(answer.data).walk("VEVENT")
    assert [(str(e["summary"]), e["dtstart"].dt.isoformat(), str(e["url"])) for e in events] == [
        ("Консультация: Кеңес", "2026-12-10T06:00:00+00:00", "https://meet.example.kz/ustaz")
    ]
    waiting = client.get("/api/v1/consultations/bookings.ics", headers=people.students[1].headers)
    assert Calendar.from_ical(waiting.data).walk("VEVENT") == []
    taught = client.get("/api/v1/consultations/bookings.ics", headers=people.teacher.headers)
    assert len(Calendar.from_ical(taught.data).walk("VEVENT")) == 1


# -- questions to teachers (R7.5) ---------------------------------------------------------------


def test_a_question_is_answered_mailed_and_published_without_the_name(
    app: Flask, client: FlaskClient, people: People, clock: ServerClock
) -> None:
    asked = client.post(
        "/api/v1/consultations/fire-safety/questions",
        json={"lesson": "combustion/fire-triangle", "text": "Айгерім: оттегі неге қажет?"},
        headers=people.student.headers,
    )
    assert asked.status_code == 201
    question = asked.json["id"]
    clock.move(hours=5)
    queue = client.get("/api/v1/consultations/fire-safety/questions", headers=people.teacher.headers).json
    assert [(q["id"], q["age_hours"], q["student"]) for q in queue["questions"]] == [
        (question, 5.0, people.student.user.email)
    ]
    assert (
        client.get(
            "/api/v1/consultations/fire-safety/questions", headers=people.other_teacher.headers
        ).status_code
        == 403
    )
    url = f"/api/v1/consultations/questions/{question}"
    assert (
        client.post(f"{url}/answer", json={"answer": "x"}, headers=people.students[1].headers).status_code
        == 403
    )
    assert client.post(f"{url}/publish", json={}, headers=people.teacher.headers).status_code == 409
    answered = client.post(
        f"{url}/answer", json={"answer": "Жану үшін оттегі керек."}, headers=people.teacher.headers
    )
    assert answered.status_code == 200
    client.post(
        f"{url}/answer", json={"answer": "Жану үшін оттегі керек (21 %)."}, headers=people.teacher.headers
    )
    assert [key for _, key in mails(app)] == [
        f"question:{question}:answered"
    ]  # one e-mail, at the first answer
    assert (
        client.get("/api/v1/consultations/fire-safety/faq", headers=people.students[1].headers).json["items"]
        == []
    )
    published = client.post(
        f"{url}/publish", json={"faq_text": "Оттегі неге қажет?"}, headers=people.teacher.headers
    )
    assert published.json["published"] is True
    faq = client.get("/api/v1/consultations/fire-safety/faq", headers=people.students[1].headers).json[
        "items"
    ]
    assert faq == [
        {
            "lesson": "combustion/fire-triangle",
            "question": "Оттегі неге қажет?",
            "answer": "Жану үшін оттегі керек (21 %).",
        }
    ]
    assert "Айгерім" not in str(faq)
    own = client.get("/api/v1/consultations/questions", headers=people.student.headers).json["questions"]
    assert own[0]["answer"] == "Жану үшін оттегі керек (21 %)." and own[0]["student"] is None
    assert (
        client.get("/api/v1/consultations/questions", headers=people.students[1].headers).json["questions"]
        == []
    )
