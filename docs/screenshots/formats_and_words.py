"""Screenshots of the pages that numbers, times, errors and words changed on (issue 12 #6, #10–#13).

Builds the example site in a temporary folder, serves it with `oqu serve`, lets a student take
the practice quiz and an admin open the teacher pages, and saves Chromium screenshots at 1280 px
and 390 px wide into docs/screenshots/ (`<page>-<width>.png`). Run from the repository:

    python docs/screenshots/formats_and_words.py

Needs Debian's Chromium (/usr/bin/chromium) and Playwright, as the browser tests do.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))  # the helpers that run `oqu` as a user would

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from site_server import add_accounts, oqu_serving, run_oqu, sign_in  # noqa: E402

from builder.pipeline import build_site  # noqa: E402

OUT = Path(__file__).resolve().parent
WIDTHS = (1280, 390)
PASSWORD = "құпия-сөз-2026"
STUDENT = "aruzhan@oqu.example.kz"
ADMIN = "admin@oqu.example.kz"
PRACTICE = "/kk/courses/dl-orientation/basics/what-is-dl/"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]


def shoot(page: Page, name: str, address: str | None = None) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        if address is not None:
            page.goto(address)
        page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=True)


def take_practice_quiz(page: Page, base: str) -> None:
    sign_in(page, base, STUDENT, PASSWORD, PRACTICE)
    page.get_by_role("button", name="Талпынысты бастау").click()
    first = page.locator("fieldset[data-question]").first
    first.locator("input").first.check()
    expect(page.locator(".oqu-quiz__status")).to_have_text("Жауап сақталды")
    page.get_by_role("button", name="Тапсыру").click()
    result = page.locator(".oqu-quiz__result")
    expect(result).to_contain_text("Балл:")
    result.scroll_into_view_if_needed()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        result.scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / f"quiz-result-kk-{width}.png"))


def teacher_pages(page: Page, base: str) -> None:
    sign_in(page, base, ADMIN, PASSWORD, "/auth/profile")
    shoot(page, "profile-history-kk", f"{base}/auth/profile?lang=kk")
    page.goto(f"{base}/teach/?lang=kk")
    quizzes = sorted(set(re.findall(r'href="(/teach/dl-orientation/[^/"]+/)\?lang=kk"', page.content())))
    quiz = next(q for q in quizzes if "regulation" in q) if quizzes else None
    if quiz:
        shoot(page, "teach-quiz-kk", f"{base}{quiz}?lang=kk")
        shoot(page, "teach-statistics-ru", f"{base}{quiz}statistics?lang=ru")
    shoot(page, "schedule-kk", f"{base}/kk/courses/fire-safety/schedule/")


def public_pages(page: Page, base: str) -> None:
    shoot(page, "not-found-course-kk", f"{base}/kk/courses/no-such-course/")
    shoot(page, "not-found-ru", f"{base}/ru/no-such-page/")
    too_long = "ө" * 201
    page.goto(f"{base}/kk/find/?query={too_long}")
    expect(page.locator("[data-oqu-find]")).to_have_attribute("data-state", "failed")
    shoot(page, "search-error-kk")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        shutil.copy(REPO / "site_config.yml", site / "site_config.yml")
        shutil.copytree(REPO / "content", site / "content")
        build_site(site, site / "build", paper=False)
        env = {**os.environ, "OQU_VAR_DIR": str(site / "var")}
        add_accounts(site, env, PASSWORD, {STUDENT: "Аружан Серікқызы"}, "ӨҚ-31", course="dl-orientation")
        run_oqu(site, env, "users", "add", ADMIN, "--role", "admin", "--name", "Сәуле Әдебиетова",
                "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
        with oqu_serving(site, env) as base, sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for act in (take_practice_quiz, teacher_pages, public_pages):
                context = chromium.new_context(locale="kk-KZ")
                act(context.new_page(), base)
                context.close()
            chromium.close()


if __name__ == "__main__":
    main()
