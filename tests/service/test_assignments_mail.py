"""The assignments' e-mail through the core's outbox, read back from a real SMTP server (aiosmtpd):
due-date reminders (lead time at its edges with the service's clock, extensions, opt-out, once
per student / assignment / due date, kk/ru/en) and released grades; SQLite and PostgreSQL."""
# ruff: noqa: F811

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from assignment_fixtures import (  # noqa: F401 (fixtures, imported by name)
    DUE,
    EVACUATION,
    MANIFEST,
    REPORT,
    Clock,
    People,
    clock,
    people,
    publish,
)
from flask import Flask
from flask.testing import FlaskClient
from smtp_server import Inbox, body_of, decoded, smtp_server
from sqlalchemy import func, select

from quiz_service.assignments import jobs as assignment_jobs
from quiz_service.assignments import notify
from quiz_service.core import db
from quiz_service.core.db import utcnow
from quiz_service.core.jobs.worker import Worker
from quiz_service.core.mail.models import MailMessage

BASE = "/api/v1/assignments/fire-safety/evacuation-plan"
TEACH = "/api/v1/teach/assignments/fire-safety/evacuation-plan"
PREFERENCES = "/api/v1/assignments/mail-preferences"
LEAD = timedelta(hours=48)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp: tuple[Inbox, int]) -> dict[str, Any]:
    """The course of assignment_fixtures; the report has no reminder (`remind_before_hours: 0`)."""
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")
    publish(service_dir, {"evacuation-plan": EVACUATION, "report": REPORT | {"remind_before_hours": 0}})
    return app_config | {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp[1],
        "SMTP_FROM": "oqu <noreply@oqu.example.kz>",
    }


def run_jobs(app: Flask, *, periodic: bool = False) -> None:
    """Run every due job in this process, as one `oqu worker` would (its periodic ones first;
    `oqu worker` imports every feature's jobs module, as this module imports the assignments')."""
    assert assignment_jobs.remind is not None
    worker = Worker(app)
    with app.app_context():
        if periodic:
            worker.enqueue_periodic_jobs(utcnow())
        while worker.run_one():
            pass


def remind(app: Flask, clock: Clock) -> int:
    with app.app_context(), db.write_transaction() as writer:
        return notify.remind(writer, Path(app.config["SERVICE_DIR"]), clock.now, LEAD)


def messages(app: Flask) -> list[MailMessage]:
    with app.app_context():
        return list(db.session().scalars(select(MailMessage).order_by(MailMessage.id)))


def hand_in(client: FlaskClient, headers: dict[str, str], text: str = "Жоспар талданды.") -> None:
    assert client.put(f"{BASE}/draft", json={"text": text}, headers=headers).status_code == 200
    assert client.post(f"{BASE}/submit", headers=headers).status_code == 200


def test_a_reminder_goes_once_to_who_has_not_handed_in_at_the_lead_times_edge(
    app: Flask, client: FlaskClient, people: People, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    answer = client.put(PREFERENCES, json={"lang": "ru"}, headers=people.student)
    assert answer.status_code == 200 and answer.json == {"reminders": True, "grade_mail": True, "lang": "ru"}
    hand_in(client, people.classmate)  # the classmate has handed in: no reminder
    clock.now = DUE - LEAD - timedelta(seconds=1)
    assert remind(app, clock) == 0
    clock.now = DUE - LEAD  # exactly 48 hours before: the reminder is due
    assert remind(app, clock) == 1
    assert remind(app, clock) == 0  # a rerun (the next period, another worker) adds nothing
    clock.move(hours=1)
    run_jobs(app, periodic=True)  # the periodic job on the service's clock queues nothing more
    (message,) = inbox.wait_for(1)
    assert decoded(message["Subject"]) == (
        "Напоминание: срок задания «Анализ плана эвакуации» — 18.12.2026 18:00 (UTC+5)"
    )
    assert message["To"] == "aigerim@oqu.example.kz" and message["Content-Language"] == "ru"
    assert "Айгерім Сапарова, здравствуйте!" in body_of(message)
    assert "курса «Өрт қауіпсіздігі»" in body_of(message)
    keys = [m.key for m in messages(app)]
    assert keys == [f"assign:remind:{people.ids['student']}:fire-safety:evacuation-plan:20261218T130000Z"]
    clock.now = DUE + timedelta(seconds=1)  # past the due date: late, but no reminder any more
    assert remind(app, clock) == 0


def test_the_periodic_job_sends_the_reminder_in_the_students_last_language(
    app: Flask, client: FlaskClient, people: People, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    """No choice made: the language of the student's last assignment page (here en), else kk."""
    inbox, _ = smtp
    assert (
        client.put(f"{BASE}/draft?lang=en", json={"text": "draft"}, headers=people.student).status_code == 200
    )
    clock.now = DUE - timedelta(hours=5)
    run_jobs(app, periodic=True)
    run_jobs(app)  # the mail jobs the reminder job queued
    received = inbox.wait_for(2)
    by_recipient = {m["To"]: m for m in received}
    assert decoded(by_recipient["aigerim@oqu.example.kz"]["Subject"]) == (
        "Reminder: «Эвакуациялау жоспарын талдау» is due 2026-12-18 18:00 (UTC+5)"
    )  # the assignment has no English title: its first (kk)
    assert decoded(by_recipient["daniyar@oqu.example.kz"]["Subject"]).startswith("Еске салу: «Эвакуациялау")
    assert "outsider@oqu.example.kz" not in by_recipient  # not enrolled in the course
    assert len(received) == 2  # the report (`remind_before_hours: 0`) sends none


def test_an_extension_moves_the_reminder_and_a_new_due_date_is_a_new_reminder(
    app: Flask, client: FlaskClient, people: People, clock: Clock
) -> None:
    extended = DUE + timedelta(days=3)
    body = {"student": "aigerim@oqu.example.kz", "due": extended.isoformat()}
    assert client.put(f"{TEACH}/extensions", json=body, headers=people.teacher).status_code == 200
    clock.now = DUE - timedelta(hours=1)
    assert remind(app, clock) == 1  # the classmate only: the student's own date is 3 days later
    clock.now = extended - timedelta(hours=47)
    assert remind(app, clock) == 1  # now the student, for her own date
    body["due"] = (extended + timedelta(days=1)).isoformat()  # extended again: a new due date
    assert client.put(f"{TEACH}/extensions", json=body, headers=people.teacher).status_code == 200
    clock.now = extended + timedelta(hours=1)
    assert remind(app, clock) == 1
    assert remind(app, clock) == 0
    student = people.ids["student"]
    assert sorted(m.key for m in messages(app) if f":{student}:" in m.key) == [
        f"assign:remind:{student}:fire-safety:evacuation-plan:20261221T130000Z",
        f"assign:remind:{student}:fire-safety:evacuation-plan:20261222T130000Z",
    ]


def test_a_student_who_turned_reminders_off_gets_none(
    app: Flask, client: FlaskClient, people: People, clock: Clock
) -> None:
    client.put(PREFERENCES, json={"reminders": False}, headers=people.student)
    assert client.get(PREFERENCES, headers=people.student).json["reminders"] is False
    assert client.get(PREFERENCES, headers=people.classmate).json == {
        "reminders": True,
        "grade_mail": True,
        "lang": "kk",
    }
    clock.now = DUE - timedelta(hours=2)
    assert remind(app, clock) == 1
    assert [m.recipient for m in messages(app)] == ["daniyar@oqu.example.kz"]
    assert client.put(PREFERENCES, json={"lang": "de"}, headers=people.student).status_code == 422


def test_two_workers_sweeping_at_once_queue_each_reminder_once(
    app: Flask, people: People, clock: Clock
) -> None:
    clock.now = DUE - timedelta(hours=3)
    start = threading.Barrier(2)
    counts: list[int] = []

    def sweep() -> None:
        start.wait(timeout=10)
        counts.append(remind(app, clock))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(counts) in ([0, 2], [1, 1])
    with app.app_context():
        assert db.session().scalar(select(func.count(MailMessage.id))) == 2


def grade(client: FlaskClient, people: People, who: str, levels: dict[str, int]) -> None:
    queue = client.get(f"{TEACH}/queue", headers=people.teacher).json["rows"]
    row = next(r for r in queue if r["student"] == who)
    body = {"levels": levels, "feedback": "Жақсы."}
    answer = client.put(
        f"{TEACH}/submissions/{row['submission_id']}/grade", json=body, headers=people.teacher
    )
    assert answer.status_code == 200, answer.json


def test_a_released_grade_is_told_once_by_e_mail(
    app: Flask, client: FlaskClient, people: People, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    client.put(PREFERENCES, json={"lang": "en"}, headers=people.student)
    hand_in(client, people.student)
    hand_in(client, people.classmate)
    grade(client, people, "aigerim@oqu.example.kz", {"routes": 2, "proposals": 2})
    assert messages(app) == []  # graded, not released: nothing told
    release = {"student": "aigerim@oqu.example.kz"}
    assert client.post(f"{TEACH}/release", json=release, headers=people.teacher).json == {"released": 1}
    grade(client, people, "aigerim@oqu.example.kz", {"routes": 1, "proposals": 2})  # changed after
    client.post(f"{TEACH}/release", json={}, headers=people.teacher)  # the whole assignment
    assert len(messages(app)) == 1  # the classmate is not graded yet
    grade(client, people, "daniyar@oqu.example.kz", {"routes": 2, "proposals": 1})  # shown at once
    run_jobs(app)
    received = {m["To"]: m for m in inbox.wait_for(2)}
    mine = received["aigerim@oqu.example.kz"]
    assert decoded(mine["Subject"]) == "Your grade is released: «Эвакуациялау жоспарын талдау»"
    assert "100 / 100 points" in body_of(mine)  # the grade as released then
    classmate = received["daniyar@oqu.example.kz"]
    assert "бағаңыз: 50 / 100 балл" in body_of(classmate)
    assert len(messages(app)) == 2


def test_a_student_who_turned_grade_mail_off_is_not_told(
    app: Flask, client: FlaskClient, people: People, clock: Clock
) -> None:
    client.put(PREFERENCES, json={"grade_mail": False}, headers=people.student)
    hand_in(client, people.student)
    grade(client, people, "aigerim@oqu.example.kz", {"routes": 2, "proposals": 2})
    client.post(f"{TEACH}/release", json={}, headers=people.teacher)
    assert messages(app) == []
