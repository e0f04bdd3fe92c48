"""The proctored fire-safety midterm in Chromium with a fake camera: the student is sent to the
checks, gives consent, takes the ID and live photos and records the room (Chromium's fake camera
plays a clip made here with ffmpeg from a drawn picture of TWO faces), starts the exam, the watcher
sends snapshots and the page's events; a real `oqu worker` analyses the snapshots; the teacher
(the course's proctor) sees the incidents on the review page, confirms, and the result is no
longer withheld. Screenshots of the pages go to docs/screenshots/ when SCREENSHOTS_PROCTORING is set."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import pytest
import site_server
from playwright.sync_api import Browser, Page, expect
from site_server import OQU, add_accounts, oqu_serving

from builder.pipeline import build_site

sys.path.insert(0, str(Path(__file__).parents[1]))
from proctoring_faces import make

MIDTERM = "content/courses/fire-safety/quizzes/midterm.yml"
LESSON = "/kk/courses/fire-safety/extinguishing/first-actions/"
EMAIL = "aruzhan@oqu.example.kz"
PASSWORD = "прокторинг-2026-құпия"
TEACHER = "a.zhumabayeva@academy.example.kz"  # a teacher of fire-safety in its course.yml
SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def proctored_served(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("proctored") / "site"
    shutil.copytree(example_site, root, symlinks=True, ignore=shutil.ignore_patterns("var"))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    midterm = root / MIDTERM
    text = midterm.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^opens: .*$", f"opens: {(now - dt.timedelta(hours=1)).isoformat()}", text)
    text = re.sub(r"(?m)^closes: .*$", f"closes: {(now + dt.timedelta(days=1)).isoformat()}", text)
    # snapshots every 5 s, an incident after 2 frames over 4 s: the test waits seconds, not minutes
    text = re.sub(r"(?m)^  snapshot_every: .*$", "  snapshot_every: 5", text)
    text = re.sub(r"(?m)^  sustained: .*$", "  sustained: {seconds: 4, frames: 2}", text)
    midterm.write_text(text, encoding="utf-8")
    build_site(root, root / "build", paper=False)  # PDFs and offline copies: tests/paper/
    env = {**os.environ, "OQU_VAR_DIR": str(root / "var"), "OQU_PROCTORING_ROOM_SCAN_SECONDS": "2"}
    add_accounts(
        root, env, PASSWORD, {EMAIL: "Аружан Серікқызы"}, "ӨҚ-33", teachers={TEACHER: "Айгерім Жұмабаева"}
    )
    worker = subprocess.Popen(
        [*OQU, "worker", "--threads", "1"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with oqu_serving(root, env) as base:
            yield base
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.fixture(scope="module")
def fake_camera(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-second Y4M clip of a drawn picture with two faces, for --use-file-for-fake-video-capture."""
    folder = tmp_path_factory.mktemp("camera")
    picture = folder / "two.png"
    cv2.imwrite(str(picture), make("two", 0).picture)
    clip = folder / "two.y4m"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-loop", "1", "-i", str(picture), "-t", "2", "-r", "10",
         "-pix_fmt", "yuv420p", str(clip)],
        check=True,
    )  # fmt: skip
    return clip


@pytest.fixture(scope="module")
def camera_browser(browser: Browser, fake_camera: Path) -> Iterator[Browser]:
    chromium = browser.browser_type.launch(
        executable_path="/usr/bin/chromium",
        headless=True,
        args=[
            "--no-sandbox",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={fake_camera}",
        ],
    )
    yield chromium
    chromium.close()


def api(page: Page, base: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    headers = {"X-CSRF-Token": page.request.get(f"{base}/api/v1/me").json()["csrf_token"]}
    return page.request.fetch(f"{base}/api/v1/{path}", method=method, headers=headers, data=body)


def until(check: Any, what: str, seconds: float = 60) -> Any:
    """Wait for a state the service reaches by itself (uploads, the worker's jobs), polling it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"never: {what}")


def shoot(page: Page, name: str) -> None:
    if not os.environ.get("SCREENSHOTS_PROCTORING"):
        return
    for size, width in (("desktop", 1280), ("phone", 390)):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"proctoring-{name}-{size}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_proctored_midterm_end_to_end(camera_browser: Browser, proctored_served: str) -> None:
    base = proctored_served
    context = camera_browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
    context.grant_permissions(["camera", "microphone"], origin=base)
    page = context.new_page()
    site_server.sign_in(page, base, EMAIL, PASSWORD, LESSON)
    page.get_by_role("button", name="Талпынысты бастау").click()
    page.wait_for_url(re.compile(r"/proctoring/fire-safety/midterm/check"))
    expect(page.locator("h1")).to_have_text("Аттестаттау алдындағы тексеру")
    shoot(page, "check")
    page.locator("#consent").check()
    expect(page.locator("#step-consent")).to_have_class("pr-done")
    page.locator("#camera-on").click()
    expect(page.locator("#take-id")).to_be_enabled()
    # the on-device model loads in its worker and answers one frame while the checks go on
    expect(page.locator("#device")).to_have_class("pr-done", timeout=120_000)
    expect(page.locator("#device")).to_contain_text("WebGL")
    shoot(page, "check-device")
    page.locator("#take-id").click()
    expect(page.locator("#step-id_photo")).to_have_class("pr-done")
    page.locator("#take-live").click()
    expect(page.locator("#step-live_photo")).to_have_class("pr-done")
    page.locator("#record-room").click()
    expect(page.locator("#step-room_scan")).to_have_class("pr-done", timeout=30_000)
    expect(page.locator("#ready")).to_be_visible()
    page.locator("#back").click()
    page.wait_for_url(f"{base}{LESSON}")
    page.get_by_role("button", name="Талпынысты бастау").click()
    quiz = page.locator(".oqu-quiz")
    expect(quiz.locator("fieldset[data-question]")).to_have_count(1)
    summary = api(page, base, "GET", "quizzes/fire-safety/midterm").json()
    attempt_id = summary["open_attempt"]
    session_id = int(page.evaluate("() => localStorage.getItem('oqu-proctoring-fire-safety/midterm')"))

    def snapshots() -> int:
        media = api(page, base, "GET", f"proctoring/sessions/{session_id}").json()["media"]
        return sum(m["kind"] == "snapshot" for m in media)

    until(lambda: snapshots() >= 3, "three snapshots from the fake camera", 60)
    for _ in range(3):  # three pastes within the window: a sustained action
        page.evaluate("() => document.dispatchEvent(new Event('paste'))")
    # the pastes go with the watcher's next batch (every 10 s); the proctor's view below waits for them

    # answer and submit through the API as the page would (the exam flow is test_exam.py's)
    attempt = api(page, base, "GET", f"attempts/{attempt_id}").json()
    for position in range(attempt["question_count"]):
        question = attempt["questions"][position]
        response = any_response(question)  # as test_exam.py answers (a true-false has no options)
        body = {"response": response, "sequence": position + 1, "client_id": f"p-{position}"}
        assert api(page, base, "PUT", f"attempts/{attempt_id}/answers/{question['id']}", body).status == 200
        if position + 1 < attempt["question_count"]:
            attempt = api(page, base, "POST", f"attempts/{attempt_id}/next", {"position": position}).json()
    finished = api(page, base, "POST", f"attempts/{attempt_id}/submit").json()
    assert finished["state"] == "finished" and finished["result_withheld"] is True

    proctor_context = camera_browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
    proctor = proctor_context.new_page()
    site_server.sign_in(proctor, base, TEACHER, PASSWORD, "/proctoring/review?lang=kk")
    until(lambda: _server_incident(proctor, base, session_id), "the worker's 'faces' incident", 90)
    # the on-device model saw the two faces too, flagged with the same window, as the device's
    until(lambda: _device_incident(proctor, base, session_id), "the device model's 'faces' incident", 120)
    proctor.goto(f"{base}/proctoring/review?lang=kk")
    shoot(proctor, "review-list")
    proctor.get_by_role("link", name="Аружан Серікқызы").click()
    timeline = proctor.locator("table").last
    expect(proctor.locator(".pr-note")).to_contain_text("дәлел емес")
    expect(timeline).to_contain_text("Кадрда бірнеше адам")
    expect(timeline).to_contain_text("құрылғы")
    expect(proctor.locator("#device")).to_contain_text("WebGL")
    expect(timeline).to_contain_text("Қою")
    expect(proctor.locator(".pr-pair img")).to_have_count(2)
    expect(proctor.locator(".pr-pair video")).to_have_count(1)
    # the room scan decoded: about 2 s as asked (OQU_PROCTORING_ROOM_SCAN_SECONDS), and the fake
    # camera shows a still picture: "the camera hardly moved" (or, on a machine so loaded that
    # the recorder started late, "shorter than asked"), never "turned around the room"
    scan = proctor.locator(".pr-scan")
    expect(scan).to_have_attribute("data-finding", re.compile(r"^(little_movement|too_short)$"))
    expect(scan).to_contain_text(re.compile(r"\([0-2](,\d+)? с, \d+ кадр, камера 0 кадр"))
    shoot(proctor, "review")
    proctor.locator("#identity").check()
    proctor.get_by_role("button", name="Тұлға мен нәтижені растау").click()
    expect(proctor.locator("#decision")).to_have_text("Тұлға мен нәтиже расталды")

    shown = api(page, base, "GET", f"attempts/{attempt_id}").json()
    assert shown["result_withheld"] is False  # the midterm shows its score after close, as before
    page.goto(f"{base}/proctoring/sessions/{session_id}?lang=kk")
    expect(page.locator("#decision")).to_contain_text("Тұлға мен нәтиже расталды")
    shoot(page, "decision")
    context.close()
    proctor_context.close()


def any_response(question: dict[str, Any]) -> Any:
    if question["type"] == "essay":
        return "Дабыл қағамын."
    if question["type"] == "true-false":
        return True
    if question["type"] == "multiple":
        return [question["options"][0]["id"]]
    return question["options"][0]["id"] if question.get("options") else "1"


def _server_incident(proctor: Page, base: str, session_id: int) -> bool:
    seen = proctor.request.get(f"{base}/api/v1/proctoring/sessions/{session_id}").json()
    kinds = {(i["kind"], i["flagged"]) for i in seen.get("incidents") or []}
    return ("faces", True) in kinds and ("paste", True) in kinds


def _device_incident(proctor: Page, base: str, session_id: int) -> bool:
    seen = proctor.request.get(f"{base}/api/v1/proctoring/sessions/{session_id}").json()
    return any(
        (i["kind"], i["source"], i["flagged"]) == ("faces", "device", True)
        for i in seen.get("incidents") or []
    )
