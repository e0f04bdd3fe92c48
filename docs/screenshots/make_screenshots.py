"""Screenshots of the example site at a desktop's and a phone's width, for docs/screenshots/.

    python docs/screenshots/make_screenshots.py [--out docs/screenshots] [--only NAME ...]

Builds the example site (site_config.yml, content/) into a temporary folder, serves it with
`oqu serve` and a student account, and saves NAME-1280.png and NAME-390.png for each page below
with Debian's Chromium (Playwright). Remake them after changing a page, and look at them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parents[2]
OQU = [sys.executable, "-c", "from quiz_service.cli import main; main()"]
EMAIL = "student-{width}@oqu.example.kz"  # one per width: each takes the quiz once (its delay)
PASSWORD = "скриншот-2026"
WIDTHS = {1280: 900, 390: 844}
QUIZ_LESSON = "/kk/courses/fire-safety/combustion/hazard-properties/"


def to_top(page: Page, selector: str) -> None:
    """Scroll `selector` to just below the sticky header."""
    page.locator(selector).first.wait_for()
    page.evaluate(
        "s => window.scrollTo(0, document.querySelector(s).getBoundingClientRect().top + window.scrollY - 60)",
        selector,
    )


def start_attempt(page: Page) -> None:
    page.get_by_role("button", name="Талпынысты бастау").click()
    page.get_by_role("button", name="Тапсыру").wait_for()
    short = page.locator(".oqu-quiz input[type=text]").first
    short.fill("Д")
    short.press("Tab")
    page.locator(".oqu-quiz__status", has_text="Жауап сақталды").wait_for()
    page.locator(".oqu-quiz input[type=text]").nth(1).focus()  # its focus ring in the picture
    to_top(page, ".oqu-quiz fieldset:nth-of-type(4)")


def ask_to_submit(page: Page) -> None:
    page.get_by_role("button", name="Тапсыру").click()
    page.get_by_role("alertdialog").wait_for()
    page.evaluate(
        "window.scrollTo(0, document.querySelector('.oqu-quiz__confirm').getBoundingClientRect().top + window.scrollY - 300)"
    )


def review(page: Page) -> None:
    page.get_by_role("button", name="Тапсыру").click()
    page.get_by_role("button", name="Бәрібір тапсыру").click()
    page.locator(".oqu-quiz__reviewed").first.wait_for()
    page.locator(".oqu-quiz__refused").wait_for()
    to_top(page, ".oqu-quiz")


def found(page: Page) -> None:
    page.locator(".oqu-find__hit").first.wait_for()
    page.locator(".oqu-find__more:not([hidden])").wait_for()


def search_from_home(page: Page) -> None:
    opener = page.locator("label.md-header__button[for='__search']")
    if opener.is_visible():
        opener.click()
    page.locator(".md-search__input").fill("консультация")
    page.locator(".oqu-site-search:not([hidden])").wait_for()
    page.wait_for_timeout(600)  # Material's search overlay slides in (a picture, not a test)


def show_quiz(page: Page) -> None:
    page.locator(".oqu-quiz__rules").wait_for()
    to_top(page, ".oqu-quiz")


# name: (path, signed in, what to do on the page before the picture, full page)
PAGES: dict[str, tuple[str, bool, Callable[[Page], None] | None, bool]] = {
    "home-kk": ("/kk/", False, None, False),
    "catalogue-kk": ("/kk/courses/", False, None, True),
    "course-home-kk": ("/kk/courses/fire-safety/", True, None, False),
    "schedule-kk": ("/kk/courses/fire-safety/schedule/", True, None, True),
    "find-kk": ("/kk/find/?query=консультация", False, found, False),
    "home-search-kk": ("/kk/", False, search_from_home, False),
    "quiz-signed-out-kk": ("/kk/courses/dl-orientation/basics/what-is-dl/", False, show_quiz, False),
    "quiz-rules-kk": (QUIZ_LESSON, True, show_quiz, False),
    "quiz-attempt-kk": (QUIZ_LESSON, True, start_attempt, False),
    "quiz-confirm-kk": (QUIZ_LESSON, True, ask_to_submit, False),
    "quiz-review-kk": (QUIZ_LESSON, True, review, False),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_oqu(site: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run([*OQU, *args], cwd=site, env=env, input=stdin, text=True, check=True, capture_output=True)


@contextmanager
def serving(site: Path, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([*OQU, "serve", "--port", str(port)], cwd=site, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=1).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def build_example(root: Path) -> Path:
    from builder.pipeline import build_site

    shutil.copy(REPO / "site_config.yml", root / "site_config.yml")  # rebuilt incrementally if kept
    shutil.copytree(REPO / "content", root / "content")
    build_site(root, root / "build", paper=False)
    return root


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login?lang=kk&next=/kk/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/kk/")


def take(base: str, out: Path, names: list[str]) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for width, height in WIDTHS.items():
            for signed_in in (False, True):
                context = browser.new_context(viewport={"width": width, "height": height}, locale="kk-KZ")
                page = context.new_page()
                if signed_in:
                    sign_in(page, base, EMAIL.format(width=width))
                for name in names:
                    path, wants_sign_in, prepare, full = PAGES[name]
                    if wants_sign_in != signed_in:
                        continue
                    page.goto(base + path, wait_until="load")
                    page.evaluate("document.fonts.ready.then(() => true)")
                    if prepare:
                        prepare(page)
                    page.screenshot(path=out / f"{name}-{width}.png", full_page=full)
                    print(out / f"{name}-{width}.png")
                context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--only", nargs="*", choices=sorted(PAGES), default=sorted(PAGES))
    parser.add_argument(
        "--site", type=Path, help="build the example here and keep it (default: a temporary folder)"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="oqu-screens-") as folder:
        site = args.site or Path(folder)
        site.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(site / "var", ignore_errors=True)
        shutil.rmtree(site / "content", ignore_errors=True)
        build_example(site)
        env = {**os.environ, "OQU_VAR_DIR": str(site / "var")}
        for width in WIDTHS:
            run_oqu(site, env, "users", "add", EMAIL.format(width=width), "--role", "student",
                    "--name", "Айгерім Сапарова", "--group", "ӨҚ-32", "--password-stdin",
                    stdin=f"{PASSWORD}\n")  # fmt: skip
        run_oqu(site, env, "enrol", "add", "fire-safety", "--group", "ӨҚ-32")
        with serving(site, env) as base:
            take(base, args.out, args.only)


if __name__ == "__main__":
    main()
