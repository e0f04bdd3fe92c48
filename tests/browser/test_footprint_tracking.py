"""A student reads a lesson and watches parts of the example lecture in Chromium: tracking.js
records it (played segments merged, progress as their share), through the queue, into the footprint;
a signed-out reader sends nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import site_server
from playwright.sync_api import Page, Route
from site_server import add_accounts, oqu_serving

EMAIL = "dana@oqu.example.kz"
PASSWORD = "құпия-сөз-2026"
LESSON = "/kk/courses/fire-safety/combustion/fire-triangle/"
OTHER = "/kk/courses/fire-safety/"
VIDEO = "https://w3id.org/xapi/video"
EXT = f"{VIDEO}/extensions/"
QUEUE_EMPTY = "() => (localStorage.getItem('oqu-statements-queue') || '[]') === '[]'"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tracked(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {**os.environ, "OQU_VAR_DIR": str(tmp_path_factory.mktemp("tracking-var"))}
    add_accounts(example_site, env, PASSWORD, {EMAIL: "Дана Бекова"}, "ӨҚ-41")
    with oqu_serving(example_site, env) as base:
        yield base


def statements(page: Page, base: str) -> list[dict[str, Any]]:
    body: dict[str, Any] = page.request.get(f"{base}/api/v1/statements?limit=500").json()
    return body["statements"]


def watch(page: Page, start: float, until: float) -> None:
    page.evaluate(
        "at => { const v = document.querySelector('video'); v.muted = true; v.currentTime = at; }", start
    )
    page.wait_for_function(
        "at => { const v = document.querySelector('video'); return Math.abs(v.currentTime - at) < 0.5 && !v.seeking; }",
        arg=start,
    )
    page.evaluate("() => document.querySelector('video').play()")
    page.wait_for_function(
        "at => document.querySelector('video').currentTime >= at", arg=until, timeout=30_000
    )
    page.evaluate("() => document.querySelector('video').pause()")


def test_reading_and_watching_are_recorded_with_merged_segments(page: Page, tracked: str) -> None:
    site_server.sign_in(page, tracked, EMAIL, PASSWORD, LESSON)
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    watch(page, 0, 3)
    watch(page, 20, 22)
    watch(page, 1, 2.5)  # again over the first stretch: merged, not counted twice
    page.wait_for_function(QUEUE_EMPTY, timeout=30_000)
    signed_in, *recorded = statements(page, tracked)
    assert signed_in["verb"]["id"] == "https://w3id.org/xapi/adl/verbs/logged-in"  # the service's own
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in recorded]
    assert verbs[0] == "experienced" and recorded[0]["object"]["id"].endswith(LESSON)
    assert verbs.count("played") == 3 and verbs.count("paused") == 3 and verbs.count("seeked") >= 2
    last = [s for s in recorded if s["verb"]["id"] == f"{VIDEO}/verbs/paused"][-1]
    extensions = last["result"]["extensions"]
    segments = [
        [float(n) for n in part.split("[.]")] for part in extensions[EXT + "played-segments"].split("[,]")
    ]
    assert len(segments) == 2 and segments[0][0] < 0.5 and 20 <= segments[1][0] < 20.5, segments
    length = last["context"]["extensions"][EXT + "length"]
    merged = sum(end - start for start, end in segments)
    assert abs(extensions[EXT + "progress"] - round(merged / length, 3)) <= 0.001
    assert merged < 6  # 3 s + 2 s (+ the frames between checks), the replay of 1–2.5 s not added
    page.goto(f"{tracked}{OTHER}")  # page hide: the time on the page and the video's end go out
    page.wait_for_function(QUEUE_EMPTY, timeout=30_000)
    ends = {s["object"]["id"].split("#")[-1] for s in statements(page, tracked)
            if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/terminated"}  # fmt: skip
    assert any(end.endswith(LESSON) for end in ends) and "video-1" in ends, ends


def test_a_signed_out_reader_is_not_tracked(page: Page, tracked: str) -> None:
    sent: list[str] = []
    asked: list[int] = []  # the answers of GET /api/v1/me (account.js asks, and tracking.js)
    page.on(
        "request", lambda request: sent.append(request.url) if "/api/v1/statements" in request.url else None
    )
    page.on(
        "response",
        lambda response: asked.append(response.status) if response.url.endswith("/api/v1/me") else None,
    )
    for path in ("/kk/courses/dl-orientation/", "/kk/"):
        asked.clear()
        page.goto(f"{tracked}{path}")
        page.wait_for_function("() => document.querySelector('.oqu-account__sign-in') !== null")
        while len(asked) < 2:
            page.wait_for_event("response", timeout=10_000)
        assert asked == [401, 401]
    assert sent == []


def test_a_video_playing_before_the_tracking_starts_is_recorded(page: Page, tracked: str) -> None:
    """The tracking starts after the account check (a request): a reader who plays the lecture
    before that answers has the stretch from then on recorded, not lost."""
    site_server.sign_in(page, tracked, EMAIL, PASSWORD, OTHER)
    before = len(statements(page, tracked))
    held: list[Route] = []
    released: list[bool] = []

    def account_check(route: Route) -> None:  # held until the video plays, then let through
        route.continue_() if released else held.append(route)

    page.route("**/api/v1/me", account_check)
    page.goto(f"{tracked}{LESSON}")
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime >= 2", timeout=30_000)
    assert held, "the page asked for no account check"
    released.append(True)
    for route in held:
        route.continue_()
    page.wait_for_function("() => document.querySelector('video').currentTime >= 4", timeout=30_000)
    page.evaluate("() => document.querySelector('video').pause()")
    paused = f"{VIDEO}/verbs/paused"
    page.wait_for_function(QUEUE_EMPTY, timeout=30_000)
    for _ in range(100):  # the pause's statement follows the pause event: until the service has it
        recorded = statements(page, tracked)[before:]
        if any(s["verb"]["id"] == paused for s in recorded):
            break
        page.wait_for_timeout(100)
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in recorded]
    assert verbs.count("played") == 1 and verbs.count("paused") == 1, verbs
    played = next(s for s in recorded if s["verb"]["id"] == f"{VIDEO}/verbs/played")
    assert played["result"]["extensions"][EXT + "time"] >= 2  # from where the tracking began
    last = next(s for s in recorded if s["verb"]["id"] == paused)
    start, end = (float(n) for n in last["result"]["extensions"][EXT + "played-segments"].split("[.]"))
    assert 2 <= start < end and end >= 4, (start, end)
