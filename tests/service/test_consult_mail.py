"""E-mail through the core's outbox and `oqu worker`, read back from a real SMTP server (aiosmtpd):
kk/ru/en by the student's language, each message once; a worker killed mid-send (T41 for mail)."""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from consult_fixtures import People, book, consult_config, publish_slot
from flask import Flask
from flask.testing import FlaskClient
from smtp_server import Inbox, body_of, decoded, smtp_server
from sqlalchemy import select
from test_jobs import wait_for, workers

from auth import enrolment
from auth import service as accounts
from auth.models import Role
from quiz_service.consultations import service
from quiz_service.core import db
from quiz_service.core.jobs.models import Job
from quiz_service.core.jobs.worker import Worker
from quiz_service.core.mail.models import MailMessage


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp: tuple[Inbox, int]) -> dict[str, Any]:
    return consult_config(app_config) | {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp[1],
        "SMTP_FROM": "oqu <noreply@oqu.example.kz>",
    }


pytest_plugins = ["consult_fixtures"]


def run_jobs(app: Flask) -> None:
    """Run every due job in this process, as one `oqu worker` would."""
    worker = Worker(app)
    with app.app_context():
        while worker.run_one():
            pass


def test_booking_mails_arrive_once_in_the_students_language(
    app: Flask, client: FlaskClient, people: People, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    slot = publish_slot(client, people.teacher.headers, seats=1, title="Сынаққа дайындық")
    client.put("/api/v1/consultations/preferences", json={"lang": "ru"}, headers=people.students[1].headers)
    book(client, people.students[0], slot["id"])
    book(client, people.students[1], slot["id"])
    run_jobs(app)
    first, second = inbox.wait_for(2)
    assert decoded(first["Subject"]) == "Сіз консультацияға жазылдыңыз: 10.12.2026 11:00 (Asia/Almaty)"
    assert "https://meet.example.kz/ustaz" in body_of(first) and first["Content-Language"] == "kk"
    assert first["To"] == people.students[0].user.email
    assert decoded(second["Subject"]) == "Вы в листе ожидания: 10.12.2026 11:00 (Asia/Almaty)"
    assert "meet.example.kz" not in body_of(second)
    # A rerun of the same jobs (a worker's retry) sends nothing again.
    with app.app_context(), db.write_transaction() as writer:
        writer.execute(Job.__table__.update().values(state="pending"))  # type: ignore[attr-defined]
    run_jobs(app)
    assert len(inbox.received) == 2
    # The holder cancels: the first waiting student is offered the seat, with the hold's end, in Russian.
    mine = client.get("/api/v1/consultations/bookings", headers=people.students[0].headers).json["bookings"][
        0
    ]
    client.post(f"/api/v1/consultations/bookings/{mine['id']}/cancel", headers=people.students[0].headers)
    run_jobs(app)
    subjects = inbox.subjects()[2:]
    assert sorted(subjects) == sorted([
        "Жазылудан бас тартылды: 10.12.2026 11:00 (Asia/Almaty)",
        "Вам предложено место: 10.12.2026 11:00 (Asia/Almaty)",
    ])  # fmt: skip
    offer = next(m for m in inbox.received if decoded(m["Subject"]).startswith("Вам"))
    assert "до 07.12.2026 11:00 (Asia/Almaty)" in body_of(offer)  # 2 hours after 09:00 Almaty
    assert len({m["Message-ID"] for m in inbox.received}) == 4


def test_the_outbox_settings_come_from_the_environment(app: Flask) -> None:
    from quiz_service.core.config import SettingsError
    from quiz_service.core.mail import settings

    for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY"):
        app.config.pop(key)
    settings.configure(
        app, {"OQU_SMTP_HOST": "mail.oqu.kz", "OQU_SMTP_PORT": "587", "OQU_SMTP_SECURITY": "starttls"}
    )
    assert (app.config["SMTP_HOST"], app.config["SMTP_PORT"], app.config["SMTP_SECURITY"]) == (
        "mail.oqu.kz",
        587,
        "starttls",
    )
    app.config.pop("SMTP_SECURITY")
    with pytest.raises(SettingsError, match="OQU_SMTP_SECURITY"):
        settings.configure(app, {"OQU_SMTP_SECURITY": "tls-please"})


def test_a_reminder_is_sent_once_by_two_workers_when_the_sending_one_is_killed(
    app: Flask, database_url: str, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    """The worker holding the reminder is killed while the SMTP server holds its message (no reply
    yet, so nothing was delivered); the other worker sends it after the claim runs out: one copy."""
    inbox, port = smtp
    inbox.hold_subjects.add("Еске салу")
    now = db.utcnow()
    with app.app_context(), db.write_transaction() as writer:
        teacher = accounts.create_user(writer, "ustaz@oqu.example.kz", Role.TEACHER, full_name="Ерлан")
        student = accounts.create_user(writer, "aigerim@oqu.example.kz", Role.STUDENT, group="ӨҚ-21")
        enrolment.enrol(writer, "fire-safety", group="ӨҚ-21")
        spec = service.SlotSpec(course="fire-safety", starts_at=now + timedelta(hours=3), minutes=30,
                                link="https://meet.example.kz/ustaz")  # fmt: skip
        slot = service.create_slots(writer, spec, teacher, now)[0]
        policy = service.Policy(hold=timedelta(hours=2), course_limit=3)
        service.book(writer, service.BookingRequest(slot.id, student), policy, now)
        assert service.remind(writer, now, timedelta(hours=24)) == 1
    mail_env = {"OQU_SMTP_HOST": "127.0.0.1", "OQU_SMTP_PORT": str(port), "OQU_SMTP_CLAIM_SECONDS": "1",
                "OQU_SERVICE_DIR": str(app.config["SERVICE_DIR"])}  # fmt: skip
    with workers(database_url, tmp_path, count=2, **mail_env) as pair:
        wait_for(inbox.held.is_set, "the reminder to reach the SMTP server", timeout=60)
        sender = reminder_row(app).sending_by
        assert sender is not None
        holder = next(p for p in pair if f":{p.pid}:" in sender)
        other = next(p for p in pair if p is not holder)
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        wait_for(inbox.held_client_gone, "the server to see the killed client's connection close")
        inbox.released.set()
        wait_for(lambda: reminder_row(app).sent_at is not None, "the other worker to send it", timeout=60)
        wait_for(lambda: all(j.state == "done" for j in mail_jobs(app)), "every mail job to finish")
        assert other.poll() is None
    subjects = Counter(s.split(":")[0] for s in inbox.subjects())
    assert subjects == {"Сіз консультацияға жазылдыңыз": 1, "Еске салу": 1}
    assert inbox.dropped == 1
    row = reminder_row(app)
    assert row.sends == 2 and row.sending_by is None


def reminder_row(app: Flask) -> MailMessage:
    with app.app_context():
        return db.session().scalars(select(MailMessage).where(MailMessage.key.like("%:reminder"))).one()


def mail_jobs(app: Flask) -> list[Job]:
    with app.app_context():
        return list(db.session().scalars(select(Job).where(Job.name == "mail.send")))
