"""Screenshots of the service's pages at desktop (1280 px) and phone (390 px) width.

Run against a running demo (`make demo`, or `oqu serve` after `make demo-data`), with the demo
sign-ins that `oqu users demo` prints:

    python docs/screenshots/service_pages.py http://127.0.0.1:8000 STUDENT_EMAIL STUDENT_PASSWORD \
        TEACHER_EMAIL TEACHER_PASSWORD

Writes docs/screenshots/service-<page>-<desktop|phone>.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

HERE = Path(__file__).parent
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
SIGNED_OUT = {"sign-in": "/auth/login?lang=kk&next=/kk/courses/fire-safety/combustion/"}
STUDENT = {"my-studies": "/my/?lang=kk", "profile": "/auth/profile?lang=kk"}
TEACHER = {"teacher-tools": "/teach/?lang=kk", "my-studies-teacher": "/my/?lang=ru"}


def shoot(browser: Browser, base: str, pages: dict[str, str], account: tuple[str, str] | None) -> None:
    for size, (width, height) in SIZES.items():
        context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
        page = context.new_page()
        if account:
            page.goto(f"{base}/auth/login?lang=kk")
            page.fill("#email", account[0])
            page.fill("#password", account[1])
            page.click("form[action='/auth/login'] button[type=submit]")
            page.wait_for_load_state()
        for name, path in pages.items():
            page.goto(base + path)
            page.screenshot(path=str(HERE / f"service-{name}-{size}.png"), full_page=True)
        context.close()


def main(base: str, student: str, student_password: str, teacher: str, teacher_password: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        shoot(browser, base, SIGNED_OUT, None)
        shoot(browser, base, STUDENT, (student, student_password))
        shoot(browser, base, TEACHER, (teacher, teacher_password))
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:6])
