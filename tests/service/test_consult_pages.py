"""The consultations' pages in process (SQLite and PostgreSQL): a student books, the teacher
publishes in local time, marks attendance, cancels; CSRF (T15) and escaping (T16)."""

from __future__ import annotations

from typing import Any

import pytest
from auth_helpers import PASSWORD, csrf_from_form
from consult_fixtures import START, People, book, consult_config, publish_slot
from flask import Flask
from flask.testing import FlaskClient

pytest_plugins = ["consult_fixtures"]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return consult_config(app_config)


SCRIPT = "<script>alert('жазылу')</script>"


def signed_in(app: Flask, email: str) -> FlaskClient:
    browser = app.test_client()
    page = browser.get("/auth/login")
    form = {"email": email, "password": PASSWORD, "csrf_token": csrf_from_form(page.text)}
    assert browser.post("/auth/login", data=form).status_code == 303
    return browser


def post_form(browser: FlaskClient, page_url: str, action: str, **fields: Any) -> Any:
    token = csrf_from_form(browser.get(page_url).text)
    return browser.post(action, data={"csrf_token": token, **fields})


def test_a_student_books_and_cancels_on_the_page(app: Flask, client: FlaskClient, people: People) -> None:
    slot = publish_slot(client, people.teacher.headers, seats=1, title="Сынаққа дайындық")
    browser = signed_in(app, people.student.user.email)
    page = browser.get("/consultations/fire-safety")
    assert page.status_code == 200 and "Сынаққа дайындық" in page.text and "10.12.2026 11:00" in page.text
    assert "UTC+5" in page.text and "Asia/Almaty" not in page.text and "meet.example.kz" not in page.text
    booked = post_form(browser, "/consultations/fire-safety", f"/consultations/fire-safety/slots/{slot['id']}/book",
                       topic=SCRIPT, lang="ru")  # fmt: skip
    assert booked.status_code == 303 and "notice=booked" in booked.location
    page = browser.get(booked.location)
    assert "Вы записаны. Подтверждение придёт на почту." in page.text
    assert "https://meet.example.kz/ustaz" in page.text
    assert SCRIPT not in page.text and "&lt;script&gt;" in page.text
    # Without the CSRF token nothing changes (T15).
    mine = browser.get("/api/v1/consultations/bookings").json["bookings"][0]
    refused = browser.post(f"/consultations/fire-safety/bookings/{mine['id']}/cancel", data={})
    assert refused.status_code == 400
    cancelled = post_form(
        browser, "/consultations/fire-safety", f"/consultations/fire-safety/bookings/{mine['id']}/cancel"
    )
    assert cancelled.status_code == 303
    assert browser.get("/api/v1/consultations/bookings").json["bookings"][0]["state"] == "cancelled"


def test_a_refusal_shows_the_page_again_with_its_reason(
    app: Flask, client: FlaskClient, people: People
) -> None:
    slot = publish_slot(client, people.teacher.headers, seats=1)
    other = publish_slot(client, people.admin.headers, starts_at=(START.replace(minute=15)).isoformat())
    book(client, people.student, slot["id"])
    browser = signed_in(app, people.student.user.email)
    clash = post_form(
        browser, "/consultations/fire-safety", f"/consultations/fire-safety/slots/{other['id']}/book"
    )
    assert clash.status_code == 422 and "Бұл уақытта сізде басқа консультация бар." in clash.text
    outsider = signed_in(app, people.outsider.user.email)
    assert outsider.get("/consultations/fire-safety").status_code == 403
    assert app.test_client().get("/consultations/fire-safety").status_code == 302


def test_the_teacher_publishes_in_local_time_and_keeps_attendance(
    app: Flask, client: FlaskClient, people: People
) -> None:
    teacher = signed_in(app, people.teacher.user.email)
    page_url = "/teach/consultations/fire-safety"
    assert teacher.get(page_url).status_code == 200
    form = {"starts_at": "2026-12-10T11:00", "minutes": "45", "seats": "3", "mode": "in_person", "room": "204",
            "title": SCRIPT, "weeks": "2"}  # fmt: skip
    published = post_form(teacher, page_url, page_url, **form)
    assert published.status_code == 303
    slots = client.get("/api/v1/consultations/fire-safety/teach", headers=people.teacher.headers).json[
        "slots"
    ]
    assert [s["starts_at"] for s in slots] == ["2026-12-10T06:00:00Z", "2026-12-17T06:00:00Z"]
    listed = teacher.get(page_url)
    assert SCRIPT not in listed.text and "10.12.2026 11:00" in listed.text
    again = post_form(teacher, page_url, page_url, **form)
    assert again.status_code == 422 and "Бұл уақытта сізде басқа консультация бар." in again.text
    assert signed_in(app, people.other_teacher.user.email).get(page_url).status_code == 403
    booking = book(client, people.student, slots[0]["id"], topic="Өрт сөндіргіштер").json
    slot_url = f"/teach/consultations/slots/{slots[0]['id']}"
    slot_page = teacher.get(slot_url)
    assert "Айгерім Сапарова" in slot_page.text and "Өрт сөндіргіштер" in slot_page.text
    saved = post_form(teacher, slot_url, f"{slot_url}/bookings/{booking['id']}", attended="yes",
                      private_note="жабық", shared_note=SCRIPT)  # fmt: skip
    assert saved.status_code == 303
    mine = client.get("/api/v1/consultations/bookings", headers=people.student.headers).json["bookings"][0]
    assert mine["attended"] is True and mine["shared_note"] == SCRIPT and mine["private_note"] is None
    cancelled = post_form(teacher, slot_url, f"{slot_url}/cancel", reason="Ауырып қалдым")
    assert cancelled.status_code == 303
    assert "Ауырып қалдым" in teacher.get(slot_url).text


def test_the_teacher_answers_and_publishes_a_question_on_the_page(
    app: Flask, client: FlaskClient, people: People
) -> None:
    body = {"lesson": "combustion/fire-triangle", "text": SCRIPT}
    question = client.post(
        "/api/v1/consultations/fire-safety/questions", json=body, headers=people.student.headers
    ).json
    teacher = signed_in(app, people.teacher.user.email)
    page_url = "/teach/consultations/fire-safety"
    listed = teacher.get(page_url)
    assert (
        "combustion/fire-triangle" in listed.text
        and SCRIPT not in listed.text
        and "&lt;script&gt;" in listed.text
    )
    action = f"/teach/consultations/fire-safety/questions/{question['id']}"
    assert post_form(teacher, page_url, action, answer="Жану үшін оттегі керек.").status_code == 303
    assert (
        post_form(teacher, page_url, action, publish="yes", faq_text="Оттегі неге керек?").status_code == 303
    )
    faq = client.get("/api/v1/consultations/fire-safety/faq", headers=people.students[1].headers).json[
        "items"
    ]
    assert faq == [
        {
            "lesson": "combustion/fire-triangle",
            "question": "Оттегі неге керек?",
            "answer": "Жану үшін оттегі керек.",
        }
    ]
