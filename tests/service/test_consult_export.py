"""A slot's attendance as CSV: its teachers only, the caller's language, formulas neutralised."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from consult_fixtures import People, book, consult_config, publish_slot
from flask import Flask
from flask.testing import FlaskClient

from auth.models import User
from quiz_service.core import db

pytest_plugins = ["consult_fixtures"]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return consult_config(app_config)


def rows_of(answer: Any) -> list[list[str]]:
    text = answer.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads Cyrillic right
    return list(csv.reader(io.StringIO(text[1:])))


def test_attendance_csv_lists_every_booking_with_marks_and_neutralised_text(
    app: Flask, client: FlaskClient, people: People
) -> None:
    slot = publish_slot(client, people.teacher.headers, seats=1)
    first, second = people.students[:2]
    with app.app_context(), db.write_transaction() as writer:
        writer.get_one(User, first.user.id).full_name = '=HYPERLINK("http://evil")'
    seat = book(client, first, slot["id"], topic="+1 сұрақ").json
    book(client, second, slot["id"])  # waitlisted
    marked = client.post(
        f"/api/v1/consultations/bookings/{seat['id']}/attendance",
        json={"attended": True, "shared_note": "Жақсы", "private_note": "-2"},
        headers=people.teacher.headers,
    )
    assert marked.status_code == 200, marked.json
    answer = client.get(
        f"/api/v1/consultations/slots/{slot['id']}/attendance.csv?lang=ru", headers=people.teacher.headers
    )
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attendance.csv" in answer.headers["Content-Disposition"]
    header, booked, waiting = rows_of(answer)
    assert header == [
        "Студент",
        "Электронная почта",
        "Группа",
        "Состояние",
        "Тема",
        "Посещаемость",
        "Заметка для студента",
        "Закрытая заметка (только преподавателям)",
    ]
    assert booked[0] == '\'=HYPERLINK("http://evil")' and booked[1] == first.user.email
    assert booked[4] == "'+1 сұрақ" and booked[6] == "Жақсы" and booked[7] == "'-2"
    assert waiting[1] == second.user.email and waiting[5] == ""


def test_attendance_csv_is_for_the_course_teachers_only(client: FlaskClient, people: People) -> None:
    slot = publish_slot(client, people.teacher.headers)
    path = f"/api/v1/consultations/slots/{slot['id']}/attendance.csv"
    assert client.get(path, headers=people.other_teacher.headers).status_code == 403
    assert client.get(path, headers=people.student.headers).status_code == 403
    assert client.get(path, headers=people.admin.headers).status_code == 200
