"""Screenshots of the progress page (student) and the monitoring page (teacher) at 1280 px and 390 px
(docs/images/progress-*.png, monitoring-*.png).

PYTHONPATH=. .venv/bin/python docs/screenshots/progress.py
"""

from __future__ import annotations

import json
import tempfile
import threading
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from auth import service as accounts
from auth.enrolment import enrol
from auth.models import DLCategory, Role
from quiz_service import create_app
from quiz_service.core import db, events, migrations
from quiz_service.footprint import store
from quiz_service.footprint.store import Entry

IMAGES = Path(__file__).resolve().parents[1] / "images"
SITE = "https://oqu.academy.example.kz/"
PASSWORD = "құпия-сөз-2026"
TEACHER = "n.abdrakhmanov@academy.example.kz"
ADL = "http://adlnet.gov/expapi/verbs/"
VIDEO = "https://w3id.org/xapi/video"
LESSONS = [("combustion", "fire-triangle", "Жану үшбұрышы", True, ["combustion"], "2026-12-01"),
           ("combustion", "fire-classes", "Өрт сыныптары", False, ["fire-classes"], "2026-12-04"),
           ("combustion", "hazard-properties", "Заттардың өрт қауіптілігі", False, ["hazard-properties"], None),
           ("extinguishing", "extinguishers", "Алғашқы өрт сөндіру құралдары", False, ["extinguishers"], "2026-12-20"),
           ("extinguishing", "evacuation", "Эвакуациялау", False, ["evacuation"], None)]  # fmt: skip
COURSE = {
    "id": "fire-safety", "access": "enrolled", "languages": ["kk", "ru"], "teachers": [TEACHER],
    "title": {"kk": "Өрт қауіпсіздігінің негіздері", "ru": "Основы пожарной безопасности"},
    "modules": [{"id": "combustion", "title": {"kk": "Жану"}}, {"id": "extinguishing", "title": {"kk": "Өрт сөндіру"}}],
    "outcomes": [{"id": o, "text": {"kk": o}} for _, _, _, _, (o,), _ in LESSONS],
    "completion": {"lesson": ["read", "video", "quiz"], "video_percent": 90, "quiz_percent": 50, "attendance_percent": 80},
    "lessons": [{"id": lesson, "module": module, "title": {"kk": title}, "video": video, "outcomes": outcomes,
                 "due": due, "quizzes": ["combustion-check"] if lesson == "fire-classes" else []}
                for module, lesson, title, video, outcomes, due in LESSONS],
}  # fmt: skip
STUDENTS = [("Дана Бекова", "ӨҚ-41", 5), ("Аружан Темірова", "ӨҚ-41", 3), ("Ерлан Сейітов", "ӨҚ-41", 1),
            ("Мадина Нұрланқызы", "ӨҚ-42", 4), ("Тимур Ахметов", "ӨҚ-42", 0)]  # fmt: skip


def statement(verb: str, target: str, moment: Any, **result: Any) -> dict[str, Any]:
    value: dict[str, Any] = {"id": str(uuid.uuid4()), "verb": {"id": verb}, "object": {"id": target},
                             "timestamp": store.xapi_time(moment)}  # fmt: skip
    if result:
        value["result"] = result
    return value


def activity(user_id: int, done: int, now: Any) -> list[dict[str, Any]]:
    out = []
    for day in range(done + 1):
        out.append(
            statement(
                "https://w3id.org/xapi/adl/verbs/logged-in", SITE, now - timedelta(days=day * 2, hours=3)
            )
        )
    for n, (module, lesson, *_rest) in enumerate(LESSONS[:done]):
        page = f"{SITE}kk/courses/fire-safety/{module}/{lesson}/"
        out.append(statement(f"{ADL}completed", page, now - timedelta(days=n)))
        if lesson == "fire-triangle":
            out.append(statement(f"{VIDEO}/verbs/paused", page + "#video-1", now - timedelta(days=n),
                                 extensions={f"{VIDEO}/extensions/progress": 0.95}))  # fmt: skip
    if done >= 2:
        out.append(statement(f"{ADL}scored", f"{SITE}courses/fire-safety/quizzes/combustion-check", now,
                             score={"scaled": 0.5 + user_id % 4 / 10, "raw": 5, "min": 0, "max": 10}))  # fmt: skip
    if done == 1:
        page = f"{SITE}kk/courses/fire-safety/combustion/fire-triangle/#video-1"
        out.append(
            statement(f"{VIDEO}/verbs/paused", page, now, extensions={f"{VIDEO}/extensions/progress": 0.4})
        )
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "service").mkdir()
        (root / "site").mkdir()
        start = db.utcnow().replace(hour=5, minute=0, second=0, microsecond=0)
        COURSE["schedule"] = [  # two webinars held, one to come: the attendance column
            {
                "id": f"w{n}",
                "start": (start + timedelta(days=days)).isoformat(),
                "duration": 90,
                "lesson": lesson,
            }
            for n, (days, lesson) in enumerate(
                ((-6, "fire-triangle"), (-3, "fire-classes"), (5, "extinguishers"))
            )
        ]
        (root / "service" / "manifest.json").write_text(
            json.dumps({"version": 1, "courses": [COURSE]}), encoding="utf-8"
        )
        config = {"DATABASE_URL": f"sqlite:///{root / 'oqu.sqlite3'}", "SECRET_KEY": "shots", "SITE_DIR": root / "site",
                  "SERVICE_DIR": root / "service", "VAR_DIR": root / "var", "REDIS_URL": None,
                  "FOOTPRINT_SITE_URL": SITE}  # fmt: skip
        app = create_app(config)
        with app.app_context():
            migrations.upgrade(db.engine())
            now = db.utcnow()
            with db.write_transaction() as writer:
                accounts.create_user(
                    writer, TEACHER, Role.TEACHER, full_name="Нұрлан Әбдірахманов", password=PASSWORD
                )
                users = []
                for n, (name, group, done) in enumerate(STUDENTS):
                    user = accounts.create_user(writer, f"s{n}@oqu.example.kz", Role.STUDENT, full_name=name,
                                                password=PASSWORD)  # fmt: skip
                    user.group = group
                    user.dl_category = DLCategory.SHORTENED_PROGRAMME if n % 2 else DLCategory.NONE
                    users.append((user, done))
                writer.flush()
                for group in ("ӨҚ-41", "ӨҚ-42"):
                    enrol(writer, "fire-safety", group=group)
                ids = [(user.id, done) for user, done in users]
            with db.database().writer_engine.begin() as connection:
                for user_id, done in ids:
                    for value in activity(user_id, done, now):
                        value["actor"] = store.user_agent(SITE, user_id)
                        store.append(connection, [Entry(value, user_id)], now, SITE)
                released = statement(
                    f"{SITE}xapi/verbs/released", f"{SITE}courses/fire-safety/quizzes/combustion-check", now
                )
                released["actor"] = store.service_agent(SITE)
                store.append(connection, [Entry(released, None)], now, SITE)
                for user_id, done in ids:  # attendance as the schedules feature publishes it
                    for n, status in enumerate(
                        ("present", "late" if done > 2 else "absent")[: 1 + (done > 0)]
                    ):
                        event = events.AttendanceRecorded(
                            "fire-safety", f"w{n}", user_id, status, now, None, None, now
                        )
                        events.publish(connection, event)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        shots = [("s1@oqu.example.kz", "/progress/fire-safety/?lang=kk", "progress"),
                 (TEACHER, "/monitoring/fire-safety/?lang=kk", "monitoring")]  # fmt: skip
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for email, target, name in shots:
                for width, kind in ((1280, "desktop"), (390, "phone")):
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    page.goto(f"{base}/auth/login?lang=kk&next={quote(target)}")
                    page.fill("input[name=email]", email)
                    page.fill("input[name=password]", PASSWORD)
                    page.locator("form[action='/auth/login'] button[type=submit]").click()
                    page.wait_for_url(lambda url: "/auth/login" not in url)
                    page.goto(f"{base}{target}")
                    if name == "monitoring":  # the vendored Chart.js has drawn the three charts
                        page.wait_for_function(
                            "document.querySelectorAll('figure.has-canvas canvas').length === 3"
                        )
                    page.screenshot(path=str(IMAGES / f"{name}-{kind}.png"), full_page=True)
                    page.close()
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
