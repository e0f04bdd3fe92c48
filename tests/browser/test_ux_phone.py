"""Issue 12, items 14–17 in Chromium at a phone's size (390×844) and on the built example site:
the DL banner folds and stays as the reader left it, the courses are on the home page's first
screen, the schedule is cards (nothing cut off at the right), the course menu leads back to the
portal, the home page's header search looks through every course, an anonymous visitor is told
that signing in searches more, and quiz.js / model-viewer.js load only where they are used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import site_server
from playwright.sync_api import Browser, Page, expect
from site_server import add_accounts, oqu_serving
from test_quiz_accessibility import violations

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


EMAIL = "nurlan@oqu.example.kz"
PASSWORD = "құпия-сөз-2026"


@pytest.fixture(scope="module")
def served(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {**os.environ, "OQU_VAR_DIR": str(tmp_path_factory.mktemp("ux-phone-var"))}
    add_accounts(example_site, env, PASSWORD, {EMAIL: "Нұрлан Әбенов"}, "ӨҚ-33")
    with oqu_serving(example_site, env) as base:
        yield base


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="kk-KZ", viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def scripts_of(page_html: Path) -> list[str]:
    text = page_html.read_text(encoding="utf-8")
    return [name for name in ("quiz.js", "model-viewer.js", "shell.js") if f"assets/oqu/{name}" in text]


def test_quiz_and_model_scripts_only_where_used(example_site: Path) -> None:
    site = example_site / "build" / "site"
    quiz_page = site / "kk/courses/fire-safety/combustion/hazard-properties/index.html"
    assert scripts_of(quiz_page) == ["quiz.js", "shell.js"]
    with_model = [p for p in site.rglob("index.html") if "data-oqu-model=" in p.read_text(encoding="utf-8")]
    assert all("model-viewer.js" in scripts_of(p) for p in with_model)  # the example may have none
    every = [p for p in site.rglob("index.html") if "assets/oqu/shell.js" in p.read_text(encoding="utf-8")]
    assert len(every) > 20
    for page in every:
        text = page.read_text(encoding="utf-8")
        assert ("assets/oqu/quiz.js" in text) == ('class="oqu-quiz"' in text), page
        assert ("assets/oqu/model-viewer.js" in text) == ("data-oqu-model=" in text), page


def test_home_on_a_phone_banner_folds_and_courses_come_first(phone: Page, served: str) -> None:
    phone.goto(f"{served}/kk/")
    banner = phone.locator(".oqu-dl-banner")
    expect(banner.locator("summary")).to_contain_text("Қашықтан оқыту режимі")
    assert banner.evaluate("b => b.open") is False  # folded on a phone's first visit
    first_course = phone.locator(".oqu-catalogue--home .oqu-card").first
    expect(first_course).to_be_visible()
    box = first_course.bounding_box()
    assert box is not None and box["y"] + 40 < PHONE["height"], box  # its title on the first screen
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    found = violations(phone, "html")
    assert found == [], json.dumps(found, ensure_ascii=False, indent=1)

    banner.locator("summary").click()
    expect(banner.locator("p")).to_be_visible()
    phone.reload()
    assert phone.locator(".oqu-dl-banner").evaluate("b => b.open") is True  # as the reader left it
    phone.locator(".oqu-dl-banner summary").click()
    phone.reload()
    assert phone.locator(".oqu-dl-banner").evaluate("b => b.open") is False


def test_schedule_is_cards_on_a_phone(phone: Page, served: str) -> None:
    schedule = "/kk/courses/fire-safety/schedule/"
    site_server.sign_in(phone, served, EMAIL, PASSWORD, schedule)
    rows = phone.locator(".oqu-schedule tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.first.evaluate("r => getComputedStyle(r).display") == "block"
    assert phone.locator(".oqu-schedule thead").evaluate("h => getComputedStyle(h).display") == "none"
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    for row in rows.all():
        box = row.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    found = violations(phone, "html")
    assert found == [], json.dumps(found, ensure_ascii=False, indent=1)


def test_the_course_menu_leads_back_to_the_portal(phone: Page, served: str) -> None:
    phone.goto(f"{served}/kk/courses/dl-orientation/")
    phone.locator("label.md-header__button[for='__drawer']").click()
    home = phone.locator(".md-nav--primary a", has_text="Портал басты беті")
    expect(home).to_be_visible()
    expect(phone.locator(".md-nav--primary a", has_text="Курстар каталогы")).to_be_visible()
    home.click()
    expect(phone).to_have_url(f"{served}/kk/")


def test_home_header_search_looks_through_every_course(page: Page, served: str) -> None:
    page.goto(f"{served}/kk/")
    search = page.locator(".md-search__input")
    search.click()
    search.fill("консультация")
    expect(page.locator(".oqu-site-search")).to_have_text("Бүкіл сайт бойынша іздеу: «консультация» →")
    search.press("Enter")
    expect(page).to_have_url(
        f"{served}/kk/find/?query=%D0%BA%D0%BE%D0%BD%D1%81%D1%83%D0%BB%D1%8C%D1%82%D0%B0%D1%86%D0%B8%D1%8F"
    )
    expect(page.locator(".oqu-find__hit").first).to_be_visible()
    expect(page.locator(".oqu-find__hit").first).to_contain_text(
        "Жеке және топтық консультациялар"
    )  # the lesson
    more = page.locator(".oqu-find__more")
    expect(more).to_have_text("Жүйеге кірсеңіз, өзіңіз жазылған курстардан да іздейсіз. Кіру")
    expect(more.get_by_role("link", name="Кіру")).to_have_attribute(
        "href",
        "/auth/login?lang=kk&next=%2Fkk%2Ffind%2F%3Fquery%3D%25D0%25BA%25D0%25BE%25D0%25BD%25D1%2581%25D1%2583%25D0%25BB%25D1%258C%25D1%2582%25D0%25B0%25D1%2586%25D0%25B8%25D1%258F",
    )
