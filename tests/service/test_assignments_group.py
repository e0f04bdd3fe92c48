"""Group assignments (`group: true`) on SQLite and PostgreSQL: one submission per team (the study
group): any member drafts, uploads and hands in, every member sees the team's versions and files
and gets the grade; another team has its own; a student in no study group is refused."""
# ruff: noqa: F811

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from assignment_fixtures import (  # noqa: F401 (fixtures, imported by name)
    EVACUATION,
    MANIFEST,
    REPORT,
    Clock,
    People,
    clock,
    pdf_bytes,
    people,
    publish,
)
from flask import Flask
from flask.testing import FlaskClient

from auth import enrolment
from auth.models import User
from quiz_service.core import db

TEAM_WORK: dict[str, Any] = {
    "title": {"kk": "Топтық жоба: эвакуация жаттығуы", "ru": "Групповой проект: учения по эвакуации"},
    "instructions": {"kk": "Топпен жоспар жасаңыз."},
    "due": "2026-12-18 18:00",
    "resubmit": True,
    "online_text": True,
    "files": {"types": ["pdf"], "max_files": 2},
    "grading": {"points": 20},
    "group": True,
}
BASE = "/api/v1/assignments/fire-safety/team-work"
TEACH = "/api/v1/teach/assignments/fire-safety/team-work"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")
    publish(service_dir, {"evacuation-plan": EVACUATION, "report": REPORT, "team-work": TEAM_WORK})
    return app_config


@pytest.fixture
def others(
    app: Flask, make_user: Callable[..., User], make_token: Callable[..., str], people: People
) -> dict[str, dict[str, str]]:
    """A student of another team (ӨҚ-22) and one in no study group, both enrolled."""
    found = {}
    for name, group in (("rival", "ӨҚ-22"), ("loner", None)):
        user = make_user(email=f"{name}@oqu.example.kz", full_name=name, group=group)
        with app.app_context(), db.write_transaction() as writer:
            enrolment.enrol(writer, "fire-safety", user=writer.get_one(User, user.id))
        found[name] = {"Authorization": f"Bearer {make_token(user)}"}
    return found


def test_one_submission_per_team_and_every_member_gets_the_grade(
    client: FlaskClient, people: People, others: dict[str, dict[str, str]], clock: Clock
) -> None:
    saved = client.put(f"{BASE}/draft", json={"text": "Жоспардың бірінші нұсқасы."}, headers=people.student)
    assert saved.status_code == 200
    upload = client.post(
        f"{BASE}/draft/files",
        data={"file": (io.BytesIO(pdf_bytes()), "жоспар.pdf")},
        headers=people.student,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201
    # The classmate (same study group) sees the team's draft and its file, and hands it in.
    team_draft = client.get(BASE, headers=people.classmate).json["versions"]
    assert [(v["state"], v["text"]) for v in team_draft] == [("draft", "Жоспардың бірінші нұсқасы.")]
    assert client.get(upload.json["url"], headers=people.classmate).status_code == 200
    assert client.get(upload.json["url"], headers=others["rival"]).status_code == 404  # another team
    handed = client.post(f"{BASE}/submit", headers=people.classmate)
    assert handed.status_code == 200 and handed.json["versions"][-1]["state"] == "submitted"
    mine = client.get(BASE, headers=people.student).json["versions"]
    assert [(v["number"], v["state"]) for v in mine] == [(1, "submitted")]
    # Another team has its own; a student in no study group cannot hand in group work.
    assert client.get(BASE, headers=others["rival"]).json["versions"] == []
    client.put(f"{BASE}/draft", json={"text": "Біздің жоспар."}, headers=others["rival"])
    assert client.post(f"{BASE}/submit", headers=others["rival"]).status_code == 200
    refused = client.put(f"{BASE}/draft", json={"text": "Жалғыз."}, headers=others["loner"])
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "no_team")

    # A new version by the other member: the queue has one row per team, the latest version.
    client.put(f"{BASE}/draft", json={"text": "Жоспардың екінші нұсқасы."}, headers=people.student)
    assert client.post(f"{BASE}/submit", headers=people.student).status_code == 200
    rows = client.get(f"{TEACH}/queue", headers=people.teacher).json["rows"]
    assert sorted((r["group"], r["number"], r["student"]) for r in rows) == [
        ("ӨҚ-21", 2, "aigerim@oqu.example.kz"),
        ("ӨҚ-22", 1, "rival@oqu.example.kz"),
    ]
    ours = next(r for r in rows if r["group"] == "ӨҚ-21")
    graded = client.put(
        f"{TEACH}/submissions/{ours['submission_id']}/grade",
        json={"points": 15, "feedback": "Жақсы топтық жұмыс."},
        headers=people.teacher,
    )
    assert graded.status_code == 200 and graded.json["points"] == 15
    assert client.post(f"{TEACH}/release", json={}, headers=people.teacher).json == {"released": 2}
    for member in (people.student, people.classmate):
        grade = client.get(BASE, headers=member).json["grade"]
        assert (grade["points"], grade["number"], grade["feedback"]) == (15, 2, "Жақсы топтық жұмыс.")
    assert client.get(BASE, headers=others["rival"]).json["grade"] is None  # not graded yet
    book = client.get("/api/v1/grades/fire-safety", headers=people.classmate)
    assert book.status_code == 200


def test_a_team_that_handed_in_is_not_reminded(
    app: Flask, client: FlaskClient, people: People, others: dict[str, dict[str, str]], clock: Clock
) -> None:
    from datetime import timedelta

    from assignment_fixtures import DUE

    from quiz_service.assignments import notify
    from quiz_service.core.mail.models import MailMessage

    client.put(f"{BASE}/draft", json={"text": "Жоспар."}, headers=people.classmate)
    assert client.post(f"{BASE}/submit", headers=people.classmate).status_code == 200
    clock.now = DUE - timedelta(hours=1)
    with app.app_context(), db.write_transaction() as writer:
        notify.remind(writer, Path(app.config["SERVICE_DIR"]), clock.now, timedelta(hours=48))
    with app.app_context():
        keys = [m.key for m in db.session().query(MailMessage).all()]
    reminded = {key.split(":")[4] for key in keys if key.startswith("assign:remind:")}
    # the team ӨҚ-21 handed team-work in: only the rival (team ӨҚ-22) is reminded of it (the
    # loner is in no team); everyone of evacuation-plan and report (nobody handed those in)
    assert [k.split(":")[2] for k in keys if ":team-work:" in k] == [
        str(i) for i in people_ids_named(app, ["rival@oqu.example.kz"])
    ]
    assert reminded == {"evacuation-plan", "report", "team-work"}


def people_ids_named(app: Flask, emails: list[str]) -> list[int]:
    from auth import service as accounts

    with app.app_context():
        found = [accounts.find_user(db.session(), email) for email in emails]
    return [user.id for user in found if user is not None]


def test_the_page_says_it_is_group_work(app: Flask, people: People, clock: Clock) -> None:
    from auth_helpers import PASSWORD, csrf_from_form

    from auth import service as accounts

    with app.app_context(), db.write_transaction() as writer:
        user = accounts.find_user(writer, "daniyar@oqu.example.kz")
        assert user is not None
        accounts.replace_password(writer, user, PASSWORD)
    browser = app.test_client()
    login = {"email": "daniyar@oqu.example.kz", "password": PASSWORD}
    login["csrf_token"] = csrf_from_form(browser.get("/auth/login").text)
    assert browser.post("/auth/login", data=login).status_code == 303
    page = browser.get("/assignments/fire-safety/team-work?lang=ru").text
    assert "Групповая работа: ваша группа (ӨҚ-21) сдаёт одну работу." in page
