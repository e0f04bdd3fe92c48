"""The example site (`example_site`, tests/conftest.py) served by the real `oqu serve`; a page of Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from auth_helpers import EXAMPLE_TEACHER, PASSWORD
from site_server import oqu_serving, run_oqu_here

REPO = Path(__file__).parents[2]


@pytest.fixture(scope="session")
def served(example_site: Path) -> Iterator[str]:
    """`oqu serve` on a free loopback port, in the example site's folder, with a teacher account."""
    env = {**os.environ, "OQU_VAR_DIR": str(example_site / "var")}
    teacher = [
        "users",
        "add",
        EXAMPLE_TEACHER,
        "--role",
        "teacher",
        "--name",
        "Айгерім Жұмабаева",
        "--password-stdin",
    ]
    run_oqu_here(example_site, env, [(["db", "upgrade"], None), (teacher, f"{PASSWORD}\n")])
    with oqu_serving(example_site, env) as base:
        yield base


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="kk-KZ")  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def contexts_closed_after_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each browser context a test opened (a teacher's, a second student's) is closed after it: a
    page left open keeps its scripts' timers running (reading tracking, the exam clock, retries
    to a server already stopped) in Chromium for the rest of the session."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    before = set(browser.contexts)
    yield
    for context in browser.contexts:
        if context not in before:
            context.close()
