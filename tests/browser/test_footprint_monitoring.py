"""A student reads a lesson and watches part of the example lecture in Chromium (tracking.js sends
the statements); the course page marks their progress from the API; the teacher's monitoring
page shows it (issue 13 §5–6)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import site_server
from playwright.sync_api import Page
from site_server import add_accounts, oqu_serving

STUDENT = "aruzhan@oqu.example.kz"
TEACHER = "n.abdrakhmanov@academy.example.kz"  # a teacher of fire-safety in course.yml
PASSWORD = "құпия-сөз-2026"
LESSON = "/kk/courses/fire-safety/combustion/fire-triangle/"
COURSE = "/kk/courses/fire-safety/"
QUEUE_EMPTY = "() => (localStorage.getItem('oqu-statements-queue') || '[]') === '[]'"
# Polls the progress API until it reports the lesson's video watched past 2 %. Run with
# `page.evaluate`, which awaits the promise: `wait_for_function` does not (a promise is truthy, so
# an async predicate returned at once and the progress page could be read before the pause's
# statement was stored: "(0%)" on a loaded machine).
VIDEO_RECORDED = """async () => {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const answer = await fetch("/api/v1/me/progress?course=fire-safety", {credentials: "same-origin"});
    if (answer.ok) {
      const lesson = (await answer.json()).courses["fire-safety"].lessons["fire-triangle"];
      if (lesson && lesson.video > 0.02) return true;
    }
    await new Promise((next) => setTimeout(next, 200));
  }
  return false;
}"""
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def monitored(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {**os.environ, "OQU_VAR_DIR": str(tmp_path_factory.mktemp("monitoring-var"))}
    add_accounts(example_site, env, PASSWORD, {STUDENT: "Аружан Темірова"}, "ӨҚ-42",
                 teachers={TEACHER: "Нұрлан Әбдірахманов"})  # fmt: skip
    with oqu_serving(example_site, env) as base:
        yield base


def test_the_teacher_sees_what_the_student_read_and_watched(page: Page, monitored: str) -> None:
    site_server.sign_in(page, monitored, STUDENT, PASSWORD, LESSON)
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime >= 4", timeout=30_000)
    page.evaluate("() => document.querySelector('video').pause()")
    page.wait_for_function(QUEUE_EMPTY, timeout=30_000)
    # The pause's statement is sent when the player reports the pause (after the call above):
    # wait until the service has it, as the progress API shows, not until the queue looks empty.
    assert page.evaluate(VIDEO_RECORDED), "the progress API never reported the video watched"
    # the course page: the share of completed lessons, from the API, linking to the progress page
    page.goto(f"{monitored}{COURSE}")
    summary = page.locator(".oqu-progress-summary a")
    summary.wait_for()
    assert summary.inner_text().startswith("Менің үлгерімім:")
    summary.click()
    page.wait_for_url(re.compile(r".*/progress/fire-safety/.*"))
    watched = page.locator("text=бейнедәріс қаралды").first.inner_text()
    assert re.search(r"\((\d+)", watched) and "(0" not in watched, watched
    page.context.clear_cookies()
    site_server.sign_in(page, monitored, TEACHER, PASSWORD, "/monitoring/fire-safety/?lang=kk")
    row = page.locator("tr", has_text=STUDENT)
    lesson = row.locator("[data-lesson=fire-triangle]")
    assert "бейнедәріс қаралды" in lesson.inner_text()
    percent = int(re.search(r"(\d+)\s*%", lesson.inner_text().replace("\u00a0", " ")).group(1))  # type: ignore[union-attr]
    assert 3 <= percent <= 50, percent  # 4 s or a little more of the lecture, by merged segments
    assert row.locator("td").nth(3).inner_text() != "—"  # last activity
    assert page.locator("svg.chart").count() == 3
    # the vendored Chart.js (served by the service, allowed by its policy) draws them on the screen;
    # the server's SVG stays for print and for a browser without scripts
    page.wait_for_function("() => document.querySelectorAll('figure.has-canvas canvas').length === 3")
    assert not page.locator("svg.chart").first.is_visible()
