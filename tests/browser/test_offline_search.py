"""With no service at all, a course's own search (lunr) finds a Kazakh lesson by an inflected form."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def static_site(example_site: Path) -> Iterator[str]:
    """build/site on a plain static web server: no `oqu serve`, no /api/v1."""
    handler = functools.partial(QuietHandler, directory=str(example_site / "build" / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def results_for(page: Page, query: str, lesson: str) -> list[str]:
    """The result links once `lesson` is among them (the previous query's results stay on the
    page until the worker answers: waiting for any result read those, once in a while)."""
    box = page.locator("input.md-search__input")
    box.fill(query)
    box.press("End")  # Material reads the query on key events; fill() types none
    found = page.locator(f".md-search-result__item a[href*='/{lesson}/']").first
    expect(found).to_be_visible(timeout=10_000)
    return page.locator(".md-search-result__item a").evaluate_all("links => links.map(a => a.href)")


def test_an_inflected_form_finds_the_lesson_offline(page: Page, static_site: str) -> None:
    page.goto(static_site + "/kk/courses/fire-safety/")
    assert page.request.get(static_site + "/api/v1/health").status == 404  # no service here
    # The lesson has only «аммиак»: no word of it starts with the query, as prefix matching needs.
    hrefs = results_for(page, "аммиактардың", "fire-classes")
    assert any("fire-classes" in href for href in hrefs), hrefs
    # A query in its bare form finds a lesson that has only inflected forms (өрт сөндіргіштің …).
    hrefs = results_for(page, "сөндіргіш", "extinguishers")
    assert any("extinguishers" in href for href in hrefs), hrefs
    # Prefix matching while typing goes on working.
    hrefs = results_for(page, "эвакуац", "evacuation")
    assert any("evacuation" in href for href in hrefs), hrefs
