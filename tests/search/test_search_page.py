"""The search page in Chromium: a caption hit opens the lecture at its second; offline, the per-course search."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served_lecture(lecture_site: Path) -> Iterator[str]:
    """`oqu serve` in the lecture site's folder, on a free loopback port."""
    port = _free_port()
    env = {**os.environ, "OQU_VAR_DIR": str(lecture_site / "var")}
    command = [sys.executable, "-c", "from builder.cli import main; main()", "serve", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=lecture_site, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/v1/health", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"oqu serve did not start: {process.stderr.read().decode() if process.stderr else ''}"
                    )
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


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
