"""The site and the quiz on it pass axe-core's WCAG 2.1 A/AA rules in Chromium.

axe-core (the engine behind Lighthouse's accessibility audit, shipped as axe.min.js by the
axe-playwright-python package) runs inside Debian's Chromium: on every kind of page of the
example site, and on the quiz signed out, during an attempt with every question type of the
fire-safety quiz, and on its review. It found, and these tests keep fixed: Material's deep
orange below AA contrast, links told apart by colour only, a sideways-scrolling formula that a
keyboard could not reach, the media player's chapter buttons below AA contrast.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest
import site_server
from playwright.sync_api import Page, expect
from site_server import add_accounts, oqu_serving

EMAIL = "dauren@oqu.example.kz"
PASSWORD = "құпия-сөз-2026"
GROUP = "ӨҚ-32"
AXE = Path(axe_playwright_python.__file__).parent / "axe.min.js"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {**os.environ, "OQU_VAR_DIR": str(tmp_path_factory.mktemp("a11y-var"))}
    add_accounts(example_site, env, PASSWORD, {EMAIL: "Дәурен Асқарұлы"}, GROUP)
    with oqu_serving(example_site, env) as base:
        yield base


AXE_SOURCE = AXE.read_text(encoding="utf-8") + "\n;0"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    # Every rule runs as before; only the passes, incomplete and inapplicable results are not
    # processed to the end (a CSS selector for each of the page's passing nodes, sent back whole).
    "resultTypes": ["violations"],
}
RUN_AXE = """([selector, options]) => axe.run(document.querySelector(selector), options).then(
  (result) => result.violations.map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.html)})))"""


def violations(page: Page, selector: str = ".oqu-quiz") -> list[dict[str, Any]]:
    """axe-core's violations (WCAG 2.1 A and AA rules) inside `selector`."""
    # Evaluated as DevTools would: the site's CSP lets no injected <script> tag run. Once per
    # document: a second check of the same page (another width, after a click) finds it there.
    if not page.evaluate("typeof axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    found = page.evaluate(RUN_AXE, [selector, AXE_OPTIONS])
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [html[:160] for html in v["nodes"]]} for v in found
    ]


def sign_in(page: Page, base: str, lesson: str) -> None:
    site_server.sign_in(page, base, EMAIL, PASSWORD, lesson)


PAGES = [
    "/kk/",
    "/ru/courses/",
    "/kk/courses/fire-safety/",
    "/kk/courses/fire-safety/schedule/",
    "/kk/courses/fire-safety/combustion/fire-triangle/",  # video player, chapters, formulas
    "/ru/courses/fire-safety/combustion/hazard-properties/",
    "/kk/find/",
    "/kk/library/",
    "/auth/login",
    "/auth/profile",
]


def test_the_quiz_of_an_open_course_signed_out(page: Page, served: str) -> None:
    page.goto(f"{served}/kk/courses/dl-orientation/basics/what-is-dl/")
    expect(page.locator(".oqu-quiz fieldset").first).to_be_visible()
    found = violations(page)
    assert found == [], json.dumps(found, ensure_ascii=False, indent=1)


def test_every_question_type_during_an_attempt_and_the_review(page: Page, served: str) -> None:
    lesson = "/kk/courses/fire-safety/combustion/hazard-properties/"
    sign_in(page, served, lesson)
    page.get_by_role("button", name="Талпынысты бастау").click()
    expect(page.locator(".oqu-quiz fieldset[data-question]").first).to_be_visible()
    found = violations(page)
    assert found == [], json.dumps(found, ensure_ascii=False, indent=1)

    # Keyboard only: focus the first choice, pick it with the space bar; the save is announced.
    first = page.locator(".oqu-quiz fieldset[data-question] input[type=radio]").first
    first.focus()
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    status = page.locator(".oqu-quiz__status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_text("Жауап сақталды")

    page.get_by_role("button", name="Тапсыру").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Бәрібір тапсыру").click()
    expect(page.locator(".oqu-quiz__result")).to_be_visible()
    found = violations(page)
    assert found == [], json.dumps(found, ensure_ascii=False, indent=1)


# Every kind of page a student meets, static and the service's, at a desktop's and a phone's
# width (issue 12: no serious or critical axe violation on any page kind at either size).
PAGE_KINDS = [
    *PAGES,
    "/kk/staff-training/schedule/",
    "/kk/courses/fire-safety/assignments/",
    "/kk/nope/",  # the 404 page of the Kazakh folder
    "/my/?lang=kk",
    "/schedules/?lang=kk",
    "/consultations/fire-safety?lang=kk",
    "/assignments/fire-safety/evacuation-plan?lang=kk",
    "/footprint/?lang=kk",
    "/progress/fire-safety/?lang=kk",
    "/grades/fire-safety?lang=kk",
]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
# After a resize: two frames (style, layout and the page's resize handlers done), then the CSS
# transitions it started (Material's search field fades its colours in: axe would read them halfway).
SETTLED = """async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const fading = document.getAnimations().filter((a) => a instanceof CSSTransition);
  await Promise.all(fading.map((a) => a.finished.catch(() => null)));
}"""


def test_every_page_kind_at_desktop_and_phone_size(browser: Any, served: str) -> None:
    """No serious or critical violation on any page kind at either size; on the desktop, none at
    all on PAGES. Each page is loaded once, at the phone's size, and checked there, then at the
    desktop's (the window widened, as a reader widens it, and laid out again)."""
    context = browser.new_context(locale="kk-KZ", viewport=SIZES["phone"])
    page = context.new_page()
    sign_in(page, served, "/kk/")
    found, every = {}, {}
    for path in PAGE_KINDS:
        page.set_viewport_size(SIZES["phone"])
        response = page.goto(f"{served}{path}")
        assert response is not None and response.status in (200, 404), (path, response and response.status)
        if path in PAGES:
            assert response.status == 200, path
        for size, viewport in SIZES.items():
            if size != "phone":
                page.set_viewport_size(viewport)
                page.evaluate(SETTLED)
            violated = violations(page, "html")
            if size == "desktop" and path in PAGES:
                every[path] = violated
            serious = [v for v in violated if v["impact"] in ("serious", "critical")]
            if serious:
                found[f"{path} at {size}"] = serious
    context.close()
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)
    assert every == {path: [] for path in PAGES}, json.dumps(every, ensure_ascii=False, indent=1)
