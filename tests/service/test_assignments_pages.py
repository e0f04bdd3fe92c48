"""The pages of assignments through their forms: CSRF on every change (T15), text from people and
content escaped (T16), the cycle from the draft to the grade sheet, in kk and ru."""
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
    TEACHER,
    Clock,
    clock,
    pdf_bytes,
    publish,
)
from auth_helpers import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient

from auth import enrolment
from auth.models import Role, User
from quiz_service.core import db

PAGE = "/assignments/fire-safety/evacuation-plan"
SCRIPT = "<script>alert('x')</script>"
# Forms, escaping and CSRF do not depend on the database; SQLite keeps these quick (the API's own
# tests run on both).
pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")
    hostile = EVACUATION | {"instructions": {"kk": f"Жоспарды талдаңыз. {SCRIPT}", "ru": "План."}}
    publish(app_config["SERVICE_DIR"], {"evacuation-plan": hostile, "report": REPORT})
    return app_config


def signed_in(app: Flask, email: str) -> FlaskClient:
    browser = app.test_client()
    page = browser.get("/auth/login")
    form = {"email": email, "password": PASSWORD, "csrf_token": csrf_from_form(page.text)}
    assert browser.post("/auth/login", data=form).status_code == 303
    return browser


@pytest.fixture
def browsers(app: Flask, make_user: Callable[..., User], clock: Clock) -> dict[str, FlaskClient]:
    student = make_user(
        email="aigerim@oqu.example.kz", full_name=f"Айгерім {SCRIPT}", group="ӨҚ-21", password=PASSWORD
    )
    make_user(
        email=TEACHER, role=Role.TEACHER, full_name="Нұрлан Әбдірахманов", group=None, password=PASSWORD
    )
    with app.app_context(), db.write_transaction() as writer:
        enrolment.enrol(writer, "fire-safety", user=writer.get_one(User, student.id))
    return {"student": signed_in(app, student.email), "teacher": signed_in(app, TEACHER)}


def token(browser: FlaskClient, url: str) -> str:
    return csrf_from_form(browser.get(url).text)


def test_the_cycle_through_the_pages(browsers: dict[str, FlaskClient], app: Flask) -> None:
    student, teacher = browsers["student"], browsers["teacher"]
    shown = student.get(f"{PAGE}?lang=kk")
    assert shown.status_code == 200
    assert SCRIPT not in shown.text and "&lt;script&gt;" in shown.text  # the teacher's Markdown, HTML as text
    assert "18.12.2026 18:00 (UTC+5)" in shown.text and "Asia/Almaty" not in shown.text
    refused = student.post(f"{PAGE}/draft", data={"text": "жоба"})
    assert refused.status_code == 400  # no CSRF token
    csrf = token(student, PAGE)
    saved = student.post(f"{PAGE}/draft", data={"text": "Талдау мәтіні", "csrf_token": csrf})
    assert saved.status_code == 303 and "notice=saved" in saved.headers["Location"]
    sent = student.post(
        f"{PAGE}/files",
        data={"csrf_token": csrf, "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "plan.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 422 and "Файлдың мазмұны рұқсат етілген түрлердің" in sent.text
    sent = student.post(
        f"{PAGE}/files",
        data={"csrf_token": csrf, "file": (io.BytesIO(pdf_bytes()), "жоспар.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    assert student.post(f"{PAGE}/submit", data={"csrf_token": csrf}).status_code == 303
    page = student.get(f"{PAGE}?lang=ru").text
    assert "сдано вовремя" in page and "жоспар.pdf" in page

    queue = teacher.get("/teach/assignments/fire-safety/evacuation-plan?lang=kk")
    assert queue.status_code == 200 and "&lt;script&gt;" in queue.text and SCRIPT not in queue.text
    assert "max-width: 60rem; margin" in queue.text  # the page's width, not a form inside the CSS
    assert queue.text.count('name="due"') == 1  # the extension form once
    submission = json.loads(teacher.get("/api/v1/teach/assignments/fire-safety/evacuation-plan/queue").data)[
        "rows"
    ][0]["submission_id"]
    grade_url = f"/teach/assignments/fire-safety/evacuation-plan/submissions/{submission}"
    csrf = token(teacher, grade_url)
    incomplete = teacher.post(grade_url + "/grade", data={"csrf_token": csrf, "level-routes": "2"})
    assert incomplete.status_code == 422 and "Әр критерий бойынша деңгейді таңдаңыз." in incomplete.text
    graded = teacher.post(
        grade_url + "/grade",
        data={
            "csrf_token": csrf,
            "level-routes": "2",
            "level-proposals": "1",
            "feedback": SCRIPT,
            "feedback_file": (io.BytesIO(pdf_bytes("белгілер")), "белгіленген.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert graded.status_code == 303
    feedback_file = json.loads(
        teacher.get(f"/api/v1/teach/assignments/fire-safety/evacuation-plan/submissions/{submission}").data
    )["grade"]["feedback_file"]
    assert feedback_file["name"] == "белгіленген.pdf"
    assert student.get(feedback_file["url"]).status_code == 404  # not released yet
    assert teacher.get(feedback_file["url"]).data == pdf_bytes("белгілер")
    assert "білім алушыдан жасырын" in teacher.get(grade_url).text
    assert "Сіздің бағаңыз" not in student.get(PAGE).text
    released = teacher.post(
        "/teach/assignments/fire-safety/evacuation-plan/release",
        data={"csrf_token": csrf, "student": "aigerim@oqu.example.kz", "submission": str(submission)},
    )
    assert released.status_code == 303
    page = student.get(f"{PAGE}?lang=kk").text
    assert (
        "50 / 100" in page
        and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
        and SCRIPT not in page
    )
    assert "Эвакуациялау жолдары" in page  # the criterion's title, not its id
    assert "белгіленген.pdf" in page and student.get(feedback_file["url"]).status_code == 200

    book = teacher.get("/teach/gradebook/fire-safety?lang=kk")
    assert book.status_code == 200 and SCRIPT not in book.text
    override = teacher.post(
        "/teach/gradebook/fire-safety/overrides",
        data={"csrf_token": csrf, "student": "aigerim@oqu.example.kz", "item": "total", "percent": "abc"},
    )
    assert override.status_code == 422
    sheet = teacher.get("/teach/gradebook/fire-safety/sheet?lang=ru&group=ӨҚ-21")
    assert sheet.status_code == 200 and "Ведомость" in sheet.text and "Өрт қауіпсіздігі" in sheet.text
    mine = student.get("/grades/fire-safety?lang=ru")
    assert mine.status_code == 200 and "Итоговый балл появится" in mine.text
    assert student.get("/teach/gradebook/fire-safety").status_code == 403


def test_uploads_stay_outside_the_site(app: Flask) -> None:
    upload_dir = Path(app.config["UPLOAD_DIR"])
    assert Path(app.config["SITE_DIR"]).resolve() not in upload_dir.parents


def test_an_upload_folder_inside_the_site_is_refused(app_config: dict[str, Any]) -> None:
    from quiz_service import create_app
    from quiz_service.core.config import SettingsError

    with pytest.raises(SettingsError, match="OQU_UPLOAD_DIR"):
        create_app(app_config | {"UPLOAD_DIR": Path(app_config["SITE_DIR"]) / "uploads"})


def test_an_extension_through_the_queue_page(browsers: dict[str, FlaskClient]) -> None:
    teacher = browsers["teacher"]
    queue = "/teach/assignments/fire-safety/report"
    csrf = token(teacher, queue)
    wrong = teacher.post(f"{queue}/extensions", data={"csrf_token": csrf, "who": "ӨҚ-21", "due": "ертең"})
    assert (
        wrong.status_code == 422
        and "Укажите даты верно"
        in teacher.post(
            f"{queue}/extensions?lang=ru",
            data={"csrf_token": csrf, "who": "ӨҚ-21", "due": "ертең", "lang": "ru"},
        ).text
    )
    saved = teacher.post(
        f"{queue}/extensions",
        data={"csrf_token": csrf, "who": "aigerim@oqu.example.kz", "due": "2026-12-25T18:00"},
    )
    assert saved.status_code == 303 and "notice=extension_saved" in saved.headers["Location"]
    page = teacher.get(f"{queue}?lang=kk").text
    assert "aigerim@oqu.example.kz" in page and "25.12.2026 18:00 (UTC+5)" in page
    mine = browsers["student"].get("/api/v1/assignments/fire-safety/report").json
    assert mine["due"] == "2026-12-25T13:00:00Z"


def test_my_studies_lists_the_assignments_with_their_state(
    browsers: dict[str, FlaskClient], clock: Clock
) -> None:
    student = browsers["student"]
    page = student.get("/my/?lang=kk").text
    assert "Эвакуациялау жоспарын талдау" in page and "тапсыру мерзімі: 18.12.2026 18:00 (UTC+5)" in page
    assert "мерзімі өтті" not in page
    csrf = token(student, PAGE)
    student.post(f"{PAGE}/draft", data={"text": "Талдау мәтіні", "csrf_token": csrf})
    assert student.post(f"{PAGE}/submit", data={"csrf_token": csrf}).status_code == 303
    assert "тапсырылды" in student.get("/my/?lang=kk").text
    clock.now = clock.now.replace(year=2027)  # every other assignment's date is long past
    assert "мерзімі өтті" in student.get("/my/?lang=kk").text


def test_the_assignment_page_turns_e_mail_reminders_off(browsers: dict[str, FlaskClient]) -> None:
    student = browsers["student"]
    html = student.get(f"{PAGE}?lang=kk").text
    assert "Тапсыру мерзімі жақындағанда еске салу" in html and 'name="reminders" checked' in html
    assert "max-width: 48rem; margin" in html  # the page's width, not the form pasted into the CSS
    assert html.count('name="reminders"') == 1  # the e-mail form once, below the work
    form = {"csrf_token": csrf_from_form(html), "lang": "ru", "grade_mail": "on"}
    answer = student.post(f"{PAGE}/mail", data=form)
    assert answer.status_code == 303 and "notice=mail_saved" in answer.location
    assert student.get("/api/v1/assignments/mail-preferences").json == {
        "reminders": False,
        "grade_mail": True,
        "lang": "ru",
    }
    again = student.get(answer.location).text
    assert "Настройки писем сохранены." in again and 'name="reminders" checked' not in again
    assert student.post(f"{PAGE}/mail", data={"reminders": "on"}).status_code == 400  # no CSRF token


def test_the_student_page_may_run_its_own_draft_script_only(browsers: dict[str, FlaskClient]) -> None:
    student, teacher = browsers["student"], browsers["teacher"]
    page = student.get(f"{PAGE}?lang=kk")
    policy = page.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert '<script src="/assignment-assets/draft.js" defer></script>' in page.text
    assert 'data-key="oqu-assignment-draft-' in page.text and "&#34;saved&#34;" in page.text  # the words
    script = student.get("/assignment-assets/draft.js")
    assert script.status_code == 200 and "localStorage" in script.text
    queue = teacher.get("/teach/assignments/fire-safety/evacuation-plan?lang=kk")
    assert "script-src" not in queue.headers["Content-Security-Policy"]  # the teachers' pages: none
