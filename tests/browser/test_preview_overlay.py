"""`oqu preview` in Chromium: a saved error shows over the last good page; the fix reloads it."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from site_server import OQU, free_port, wait_for

pytestmark = pytest.mark.browser

LESSON = "content/courses/first-aid/01-basics/01-assessment.kk.md"


@pytest.fixture
def previewing(minimal_site: Path) -> Iterator[str]:
    course = minimal_site / "content/courses/first-aid/course.yml"
    course.write_text(course.read_text(encoding="utf-8").replace("access: enrolled", "access: open"))
    port = free_port()
    env = {**os.environ, "OQU_VAR_DIR": str(minimal_site / "var")}
    process = subprocess.Popen(
        [*OQU, "preview", "--port", str(port)],
        cwd=minimal_site,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/__oqu_preview__/events?since=-1", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_error_overlay_then_reload_on_fix(previewing: str, page: object, minimal_site: Path) -> None:
    lesson = minimal_site / LESSON
    good = lesson.read_text(encoding="utf-8")
    with page.expect_response(lambda r: "events?since=-1" in r.url):  # type: ignore[attr-defined]
        page.goto(f"{previewing}/kk/courses/first-aid/basics/assessment/")  # type: ignore[attr-defined]
    heading = page.locator("article h1")  # type: ignore[attr-defined]
    assert heading.inner_text().rstrip("¶") == "Жағдайды бағалау"

    lesson.write_text(good.replace("duration: 45", "duraton: 45"), encoding="utf-8")
    overlay = page.locator("#oqu-preview-errors")  # type: ignore[attr-defined]
    overlay.wait_for(state="visible", timeout=15_000)
    assert overlay.locator("h2").inner_text() == "Сақталған файлда қате бар"
    assert overlay.locator("li").all_inner_texts() == [
        f"{LESSON}:2: missing required key 'duration'",
        f"{LESSON}:4: unknown key 'duraton' (did you mean 'duration'?)",
    ]
    assert heading.inner_text().rstrip("¶") == "Жағдайды бағалау"  # the last good page is still under it

    saved = time.perf_counter()
    lesson.write_text(good + "\nЖаңа абзац қосылды.\n", encoding="utf-8")
    page.get_by_text("Жаңа абзац қосылды.").wait_for(timeout=15_000)  # type: ignore[attr-defined]
    print(f"save to reload: {time.perf_counter() - saved:.2f} s")
    assert overlay.count() == 0
