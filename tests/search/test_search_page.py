"""The search page in Chromium: a caption hit opens the lecture at its second; offline, the per-course search."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from site_server import oqu_serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served_lecture(lecture_site: Path) -> Iterator[str]:
    """`oqu serve` in the lecture site's folder, on a free loopback port."""
    env = {**os.environ, "OQU_VAR_DIR": str(lecture_site / "var")}
    with oqu_serving(lecture_site, env) as base:
        yield base


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh context of the session's Chromium (tests/conftest.py)."""
    context = browser.new_context(locale="kk-KZ")
    yield context.new_page()
    context.close()


def test_a_caption_hit_opens_the_lecture_at_its_second(served_lecture: str, page: Any) -> None:
    page.goto(f"{served_lecture}/kk/find/")
    page.fill("input[name=q]", "турникеттер")
    page.click(".oqu-find__form button")
    hit = page.locator(".oqu-find__hit--caption a").first
    hit.wait_for()
    assert hit.inner_text() == "Таңу техникасы — Бейнедәріс, 0:02"
    assert page.locator(".oqu-find__hit--caption mark").first.inner_text() == "Турникетті"
    assert "query=" in page.url
    hit.click()
    page.wait_for_url("**/kk/courses/first-aid/basics/lecture/#t=2")
    page.wait_for_function(
        "() => { const v = document.querySelector('article video'); return v && v.currentTime >= 1.9; }"
    )
    assert page.locator("article video").get_attribute("data-oqu-started-at") == "2"


def test_without_the_service_it_offers_each_courses_search(served_lecture: str, page: Any) -> None:
    page.route("**/api/v1/search*", lambda route: route.abort())
    page.goto(f"{served_lecture}/kk/find/?query=таңу")
    offline = page.locator(".oqu-find__offline")
    offline.wait_for(state="visible")
    link = offline.locator("a").first
    assert link.get_attribute("href") == "../courses/first-aid/?q=%D1%82%D0%B0%D2%A3%D1%83"
    link.click()
    page.wait_for_url("**/kk/courses/first-aid/?q=*")
    search_box = page.locator("input.md-search__input")
    search_box.wait_for()
    assert search_box.input_value() == "таңу"
