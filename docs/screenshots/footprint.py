"""Screenshots of the student's footprint page at 1280 px and 390 px (docs/images/footprint-*.png).

PYTHONPATH=. .venv/bin/python docs/screenshots/footprint.py
"""

from __future__ import annotations

import tempfile
import threading
import uuid
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from auth import service as accounts
from auth.models import Role
from quiz_service import create_app
from quiz_service.core import db, migrations
from quiz_service.footprint import jobs
from quiz_service.footprint.service import Sender, record

IMAGES = Path(__file__).resolve().parents[1] / "images"
SITE = "https://oqu.academy.example.kz/"
PASSWORD = "құпия-сөз-2026"
LESSONS = ["Кіріспе", "Жану үшбұрышы", "Өрт сыныптары", "Өрт сөндіргіштер"]


def example(n: int) -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/" + ("experienced" if n % 2 == 0 else "completed")},
        "object": {
            "id": f"{SITE}kk/courses/fire-safety/{n}/",
            "definition": {"name": {"kk": LESSONS[n // 2 % 4]}},
        },
        "timestamp": f"2026-12-07T0{3 + n // 3}:{10 + n * 4}:00Z",
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = {"DATABASE_URL": f"sqlite:///{root / 'oqu.sqlite3'}", "SECRET_KEY": "shots", "SITE_DIR": root,
                  "VAR_DIR": root / "var", "REDIS_URL": None, "FOOTPRINT_SITE_URL": SITE}  # fmt: skip
        app = create_app(config)
        with app.app_context():
            migrations.upgrade(db.engine())
            with db.write_transaction() as writer:
                user = accounts.create_user(
                    writer, "dana@oqu.example.kz", Role.STUDENT, full_name="Дана Бекова", password=PASSWORD
                )
            with db.write_connection() as connection:
                record(
                    connection,
                    [example(n) for n in range(8)],
                    Sender(user.id, user.email),
                    db.utcnow(),
                    SITE,
                    100,
                )
            jobs.checkpoint_now()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for width, name in ((1280, "desktop"), (390, "phone")):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(f"{base}/auth/login?lang=kk&next=/footprint/")
                page.fill("input[name=email]", "dana@oqu.example.kz")
                page.fill("input[name=password]", PASSWORD)
                page.locator("form button[type=submit]").first.click()
                page.wait_for_url(f"{base}/footprint/")
                page.screenshot(path=str(IMAGES / f"footprint-{name}.png"), full_page=True)
                page.close()
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
