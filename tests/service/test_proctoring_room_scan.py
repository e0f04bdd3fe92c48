"""The room scan decoded (OpenCV VideoCapture): its length, readable frames and the camera's
movement, reported to the proctor as a finding, never a decision. The clips are made here with
ffmpeg from a drawn panorama: the camera panning across it (a scan), held still (not a scan),
too short, and bytes that only look like a WebM."""
# ruff: noqa: F811

from __future__ import annotations

import functools
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from test_proctoring import SESSION_URL, proctored, run_jobs, signed_in_browser, upload, webm  # noqa: F401
from test_quiz_teaching import (  # noqa: F401 (fixtures)
    TEACHER,
    Clock,
    People,
    app_config,
    clock,
    people,
    publish,
)

from quiz_service.proctoring.room_scan import examine

sys.path.insert(0, str(Path(__file__).parents[1]))
from proctoring_faces import jpeg, make

WIDTH, HEIGHT, FPS = 320, 240, 10


def panorama() -> np.ndarray:
    """A wide grey room (blobs of light and shade, 8 frames wide) the camera can pan across."""
    rng = np.random.default_rng(19)
    coarse = (rng.random((HEIGHT // 8, WIDTH)) * 255).astype(np.uint8)
    return cv2.resize(coarse, (WIDTH * 8, HEIGHT), interpolation=cv2.INTER_CUBIC)


def clip(folder: Path, name: str, seconds: float, widths: float) -> Path:
    """A WebM (VP8, as Chromium's MediaRecorder makes) panning `widths` frame widths."""
    out = folder / f"{name}.webm"
    out.write_bytes(encoded_clip(seconds, widths))
    return out


@functools.cache
def encoded_clip(seconds: float, widths: float) -> bytes:
    """The clip's bytes, encoded once per process (the still clip serves three tests); VP8 at
    the real-time deadline, as MediaRecorder encodes (half the CPU of libvpx's default)."""
    room = panorama()
    with tempfile.TemporaryDirectory(prefix="oqu-room-scan-") as folder:
        frames = Path(folder)
        count = int(seconds * FPS)
        for index in range(count):
            x = int(index * widths * WIDTH / max(count - 1, 1))
            cv2.imwrite(str(frames / f"{index:03d}.png"), room[:, x : x + WIDTH])
        out = frames / "clip.webm"
        subprocess.run(
            ["ffmpeg", "-y", "-loglevel", "error", "-framerate", str(FPS), "-i", str(frames / "%03d.png"),
             "-c:v", "libvpx", "-b:v", "400k", "-deadline", "realtime", "-cpu-used", "8", str(out)],
            check=True,
        )  # fmt: skip
        return out.read_bytes()


def test_a_panning_clip_is_a_scan_a_still_short_or_broken_one_is_said_so(tmp_path: Path) -> None:
    scan = examine(clip(tmp_path, "pan", 6, 6), min_seconds=4)
    assert scan.finding == "ok" and scan.frames == 60 and scan.seconds == pytest.approx(6.0, abs=0.05)
    assert 4.5 <= scan.panned_widths <= 7.5 and scan.moving_share > 0.9
    still = examine(clip(tmp_path, "still", 6, 0), min_seconds=4)
    assert (still.finding, still.panned_widths, still.moving_share) == ("little_movement", 0.0, 0.0)
    assert still.frames == 60
    assert examine(clip(tmp_path, "short", 2, 2), min_seconds=4).finding == "too_short"
    broken = tmp_path / "broken.webm"
    broken.write_bytes(webm())
    assert examine(broken, min_seconds=4).finding == "unreadable"


def test_the_proctor_sees_the_room_scans_finding_never_a_decision(
    app: Flask, client: FlaskClient, people: People, proctored: str, clock: Clock, tmp_path: Path
) -> None:
    app.config["PROCTORING_ROOM_SCAN_SECONDS"] = 5  # the check page asks for 5 s: 4 s at least
    sid = client.post(SESSION_URL, headers=people.student).json["id"]
    assert (
        client.post(f"/api/v1/proctoring/sessions/{sid}/consent", headers=people.student).status_code == 200
    )
    face = jpeg(make("one", 1).picture)
    assert upload(client, people.student, sid, "id_photo", face).json["media_id"]
    assert upload(client, people.student, sid, "live_photo", face).json["media_id"]
    still = clip(tmp_path, "still", 6, 0).read_bytes()
    assert upload(client, people.student, sid, "room_scan", still).json["media_id"]
    run_jobs(app)
    seen = client.get(f"/api/v1/proctoring/sessions/{sid}", headers=people.teacher).json
    assert seen["state"] == "ready"  # a finding never holds the student back
    scan = next(m for m in seen["media"] if m["kind"] == "room_scan")
    assert scan["analysis"]["finding"] == "little_movement" and scan["analysis"]["frames"] == 60
    mine = client.get(f"/api/v1/proctoring/sessions/{sid}", headers=people.student).json
    assert next(m for m in mine["media"] if m["kind"] == "room_scan")["analysis"] is None  # the proctor's
    teacher = signed_in_browser(app, TEACHER)
    page = teacher.get(f"/proctoring/review/{sid}?lang=kk").text
    assert 'data-finding="little_movement"' in page
    assert "Тексеру нәтижесі (шешім емес)" in page and "камера іс жүзінде қозғалмады" in page
    assert "(6 с, 60 кадр" in page  # the last frame starts at 5.9 s and lasts 0.1 s
