"""A student opens the built site in Chromium, switches language, searches and opens a lesson."""

from __future__ import annotations

import re

import pytest
from auth_helpers import EXAMPLE_TEACHER, PASSWORD
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

COURSE = "/courses/dl-orientation/"


def search(page: Page, query: str) -> None:
    box = page.locator("input.md-search__input")
    box.fill(query)
    box.press("End")  # Material reads the query on key events; fill() types none
    expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=10_000)


def test_catalogue_language_switch_search_and_lesson(page: Page, served: str) -> None:
    page.goto(served + "/")
    expect(page).to_have_url(re.compile(r"/kk/$"))
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator("input.md-search__input")).to_have_attribute("placeholder", "Іздеу")
    expect(page.locator(".md-banner")).to_contain_text("Қашықтан оқыту режимі")

    page.get_by_role("link", name="Курстар каталогы").first.click()
    expect(page.locator("h1")).to_contain_text("Курстар каталогы")
    page.locator("article[data-course='dl-orientation'] h3 a").click()
    expect(page).to_have_url(re.compile(r"/kk/courses/dl-orientation/$"))
    expect(page.locator("h2", has_text="Оқу нәтижелері")).to_be_visible()

    page.locator(".md-content a[href$='basics/what-is-dl/']").first.click()
    expect(page.locator("h1")).to_contain_text("Қашықтан оқыту дегеніміз не")
    expect(page.locator(".md-footer__link--next")).to_be_visible()

    page.locator(".md-header .md-select").hover()
    page.locator("a[hreflang='ru']").click()
    expect(page).to_have_url(re.compile(r"/ru/courses/dl-orientation/basics/what-is-dl/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("input.md-search__input")).to_have_attribute("placeholder", "Поиск")

    search(page, "консультац")  # a prefix: Material's client-side search matches word beginnings
    results = page.locator(".md-search-result__item a")
    expect(results.first).to_have_attribute("href", re.compile(r"consultations"))
    # the lesson on consultation formats, beside the course's own consultations page (booking)
    page.locator(".md-search-result__item a[href*='formats/consultations']").first.click()
    expect(page).to_have_url(re.compile(r"/ru/courses/dl-orientation/formats/consultations/"))
    expect(page.locator("h1")).to_contain_text("консультации")


def test_kazakh_search_finds_cyrillic_words(page: Page, served: str) -> None:
    page.goto(served + "/kk" + COURSE)
    search(page, "прокторинг")
    hrefs = page.locator(".md-search-result__item a").evaluate_all("links => links.map(a => a.href)")
    assert any("proctored-attestation" in href for href in hrefs), hrefs


def sign_in_as_teacher(page: Page, served: str, next_path: str) -> None:
    page.goto(f"{served}/auth/login?next={next_path}")
    page.locator("#email").fill(EXAMPLE_TEACHER)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/auth/login'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def test_formula_and_image_render(page: Page, served: str) -> None:
    sign_in_as_teacher(page, served, "/kk/courses/fire-safety/combustion/hazard-properties/")
    formula = page.locator("math").first
    expect(formula).to_be_visible()
    assert formula.bounding_box()["width"] > 10  # type: ignore[index]
    page.goto(served + "/kk/courses/fire-safety/combustion/fire-triangle/")
    image = page.locator("article img").first
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 0
