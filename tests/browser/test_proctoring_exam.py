"""The proctored fire-safety midterm in Chromium with a fake camera: the student is sent to the
checks, gives consent, takes the ID and live photos and records the room (Chromium's fake camera
plays a clip made here with ffmpeg from a drawn picture of TWO faces), starts the exam, the watcher
sends snapshots and the page's events, the on-device model counts the faces (on WebAssembly:
headless Chromium's WebGL is SwiftShader, a software renderer); a real `oqu worker` analyses the
snapshots; the teacher (the course's proctor) sees the incidents on the review page, confirms, and
the result is no longer withheld. Screenshots of the pages go to docs/screenshots/ when SCREENSHOTS_PROCTORING is set."""

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
from playwright.sync_api import Browser, BrowserContext, Page, expect
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
    """A 2-second Y4M clip of a drawn picture with two faces, for --use-file-for-fake-video-capture:
    320 x 240 at 5 frames a second, as small as the on-device model's frames (320 wide) and still
    two faces to the server's cascades, so Chromium captures, shows, snapshots and records a quarter
    of the pixels of a 640 x 480 camera at half its rate."""
    folder = tmp_path_factory.mktemp("camera")
    picture = folder / "two.png"
    cv2.imwrite(str(picture), cv2.resize(make("two", 0).picture, (320, 240), interpolation=cv2.INTER_AREA))
    clip = folder / "two.y4m"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-loop", "1", "-i", str(picture), "-t", "2", "-r", "5",
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


def api(
    context: BrowserContext, base: str, method: str, path: str, body: dict[str, Any] | None = None
) -> Any:
    """The JSON API as the student's signed-in browser (its cookies), whether or not a page is open;
    a write carries the CSRF token as the page's script sends it."""
    headers: dict[str, str] = {}
    if method != "GET":
        headers["X-CSRF-Token"] = context.request.get(f"{base}/api/v1/me").json()["csrf_token"]
    return context.request.fetch(f"{base}/api/v1/{path}", method=method, headers=headers, data=body)


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
    # the on-device model loads in its worker and answers one frame while the checks go on: the
    # student takes the photos and records the room meanwhile (the device check never blocks)
    page.wait_for_function("() => document.getElementById('camera').readyState >= 2")  # a picture
    page.locator("#take-id").click()
    expect(page.locator("#step-id_photo")).to_have_class("pr-done", timeout=30_000)
    page.locator("#take-live").click()
    expect(page.locator("#step-live_photo")).to_have_class("pr-done", timeout=30_000)
    page.locator("#record-room").click()
    expect(page.locator("#step-room_scan")).to_have_class("pr-done", timeout=30_000)
    expect(page.locator("#device")).to_have_class("pr-done", timeout=120_000)
    # headless Chromium has no GPU (its WebGL is SwiftShader): the model runs on WebAssembly
    expect(page.locator("#device")).to_contain_text("WebAssembly (процессорда)")
    shoot(page, "check-device")
    expect(page.locator("#ready")).to_be_visible()
    page.locator("#back").click()
    page.wait_for_url(f"{base}{LESSON}")
    page.get_by_role("button", name="Талпынысты бастау").click()
    quiz = page.locator(".oqu-quiz")
    expect(quiz.locator("fieldset[data-question]")).to_have_count(1)
    summary = api(context, base, "GET", "quizzes/fire-safety/midterm").json()
    attempt_id = summary["open_attempt"]
    session_id = int(page.evaluate("() => localStorage.getItem('oqu-proctoring-fire-safety/midterm')"))

    # the proctor signs in while the student's page loads its model and takes the first snapshots
    proctor_context = camera_browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
    proctor = proctor_context.new_page()
    site_server.sign_in(proctor, base, TEACHER, PASSWORD, "/proctoring/review?lang=kk")

    def snapshots() -> int:
        media = api(context, base, "GET", f"proctoring/sessions/{session_id}").json()["media"]
        return sum(m["kind"] == "snapshot" for m in media)

    until(lambda: snapshots() >= 3, "three snapshots from the fake camera", 60)
    for _ in range(3):  # three pastes within the window: a sustained action
        page.evaluate("() => document.dispatchEvent(new Event('paste'))")
    # the pastes go with the watcher's next batch (every 10 s), awaited below

    # answer and submit through the API as the page would (the exam flow is test_exam.py's)
    attempt = api(context, base, "GET", f"attempts/{attempt_id}").json()
    for position in range(attempt["question_count"]):
        question = attempt["questions"][position]
        response = any_response(question)  # as test_exam.py answers (a true-false has no options)
        body = {"response": response, "sequence": position + 1, "client_id": f"p-{position}"}
        assert (
            api(context, base, "PUT", f"attempts/{attempt_id}/answers/{question['id']}", body).status == 200
        )
        if position + 1 < attempt["question_count"]:
            attempt = api(context, base, "POST", f"attempts/{attempt_id}/next", {"position": position}).json()
    finished = api(context, base, "POST", f"attempts/{attempt_id}/submit").json()
    assert finished["state"] == "finished" and finished["result_withheld"] is True

    # the on-device model saw the two faces, flagged with the same window as the server's, as the
    # device's; the pastes are flagged as the browser's. The student's page has then sent all the
    # test needs of it: closed, so that its model stops running while the rest is waited for.
    # (180 s: only a failure waits that long; the model loads again here, on WebAssembly a few
    # seconds, on SwiftShader's WebGL it was 30-60 s at load 17-30)
    until(lambda: _incident(proctor, base, session_id, "faces", "device"), "the device model's 'faces'", 180)
    until(lambda: _incident(proctor, base, session_id, "paste", "browser"), "the pastes' incident", 60)
    page.close()
    # the worker's own analysis of the snapshots (OpenCV) comes to the same 'faces'
    until(
        lambda: _incident(proctor, base, session_id, "faces", "server"), "the worker's 'faces' incident", 90
    )
    proctor.goto(f"{base}/proctoring/review?lang=kk")
    shoot(proctor, "review-list")
    proctor.get_by_role("link", name="Аружан Серікқызы").click()
    timeline = proctor.locator("table").last
    expect(proctor.locator(".pr-note")).to_contain_text("дәлел емес")
    expect(timeline).to_contain_text("Кадрда бірнеше адам")
    expect(timeline).to_contain_text("құрылғы")
    expect(proctor.locator("#device")).to_contain_text("WebAssembly (процессорда)")
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

    shown = api(context, base, "GET", f"attempts/{attempt_id}").json()
    assert shown["result_withheld"] is False  # the midterm shows its score after close, as before
    student = context.new_page()
    student.goto(f"{base}/proctoring/sessions/{session_id}?lang=kk")
    expect(student.locator("#decision")).to_contain_text("Тұлға мен нәтиже расталды")
    shoot(student, "decision")
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


def _incident(proctor: Page, base: str, session_id: int, kind: str, source: str) -> bool:
    """Whether the session has a flagged incident of `kind` from `source` (device, server, browser)."""
    seen = proctor.request.get(f"{base}/api/v1/proctoring/sessions/{session_id}").json()
    return any(
        (i["kind"], i["source"], i["flagged"]) == (kind, source, True) for i in seen.get("incidents") or []
    )
