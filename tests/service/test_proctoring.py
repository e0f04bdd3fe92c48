"""Proctored attestation on SQLite and PostgreSQL: the start gate and the checks, a proctor letting
a student start, uploads and their abuse (T30), object access (T03), sustained windows of browser
events, the server's analysis job flagging only lasting conditions, the withheld grade, decisions
and the one appeal, retention purge. The people and quiz are test_quiz_teaching's fixtures."""
# ruff: noqa: F811

from __future__ import annotations

import functools
import struct
import sys
import zlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from auth_helpers import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from test_quiz_teaching import (  # noqa: F401 (fixtures)
    FIXED_KEY,
    OTHER_TEACHER,
    START,
    TEACHER,
    Clock,
    People,
    app_config,
    clock,
    people,
    publish,
)

from builder.quizzes.model import ProctoringPolicy, ReviewPolicy
from quiz_service.core import db, events
from quiz_service.core.jobs.worker import Worker
from quiz_service.proctoring.models import ProctoringMedia, ProctoringSession

sys.path.insert(0, str(Path(__file__).parents[1]))
from proctoring_faces import jpeg, make

POLICY = ProctoringPolicy(
    required=True,
    signals=("faces", "presence", "head", "identity", "noise", "tab", "fullscreen", "clipboard", "screens"),
    snapshot_every=30,
    sustained_seconds=10,
    sustained_frames=3,
)
START_URL = "/api/v1/quizzes/fire-safety/exam/attempts"
SESSION_URL = "/api/v1/proctoring/fire-safety/exam/session"


@pytest.fixture
def proctored(publish: Callable[..., str]) -> str:
    return publish(
        FIXED_KEY, kind="intermediate", proctoring=POLICY, review=ReviewPolicy(score="immediately")
    )


def upload(
    client: FlaskClient,
    headers: dict[str, str],
    session_id: int,
    kind: str,
    data: bytes,
    chunk: int = 512 * 1024,
) -> Any:
    begun = client.post(
        f"/api/v1/proctoring/sessions/{session_id}/uploads",
        json={"kind": kind, "size": len(data)},
        headers=headers,
    )
    if begun.status_code != 201:
        return begun
    answer = begun
    for offset in range(0, len(data), chunk):
        answer = client.put(
            f"/api/v1/proctoring/uploads/{begun.json['id']}?offset={offset}",
            data=data[offset : offset + chunk],
            headers=headers | {"Content-Type": "application/octet-stream"},
        )
        if answer.status_code != 200:
            return answer
    return answer


def webm() -> bytes:
    """The first bytes of a WebM (EBML header, DocType webm) padded: what filetype checks."""
    header = bytes.fromhex("1a45dfa3") + bytes.fromhex("9f4286810142f7810142f2810442f381084282847765626d")
    return header + bytes(4096)


def pass_checks(client: FlaskClient, headers: dict[str, str]) -> int:
    session = client.post(SESSION_URL, headers=headers)
    assert session.status_code == 200, session.json
    sid = session.json["id"]
    assert client.post(f"/api/v1/proctoring/sessions/{sid}/consent", headers=headers).status_code == 200
    face = jpeg(make("one", 1).picture)
    assert upload(client, headers, sid, "id_photo", face).json["media_id"]
    assert upload(client, headers, sid, "live_photo", face).json["media_id"]
    done = upload(client, headers, sid, "room_scan", webm(), chunk=1000)
    assert done.status_code == 200 and done.json["media_id"], done.json
    return int(sid)


def take(client: FlaskClient, headers: dict[str, str]) -> dict[str, Any]:
    attempt = client.post(START_URL, json={}, headers=headers)
    assert attempt.status_code == 201, attempt.json
    return client.post(f"/api/v1/attempts/{attempt.json['id']}/submit", headers=headers).json


def run_jobs(app: Flask) -> int:
    worker, ran = Worker(app), 0
    while worker.run_one():
        ran += 1
    return ran


def test_a_proctored_attempt_waits_for_the_checks_and_its_grade_for_the_proctor(
    app: Flask, client: FlaskClient, people: People, proctored: str, clock: Clock
) -> None:
    refused = client.post(START_URL, json={}, headers=people.student)
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "proctoring_required")
    sid = pass_checks(client, people.student)
    state = client.get(f"/api/v1/proctoring/sessions/{sid}", headers=people.student).json
    assert state["state"] == "ready" and all(state["checks"].values())
    assert state["risk"] is None and state["incidents"] is None  # the student does not see scores
    finished = take(client, people.student)
    assert finished["state"] == "finished" and finished["result_withheld"] is True
    assert finished["review"]["percent"] is None and finished["review"]["questions"][0]["points"] is None
    assert client.get("/api/v1/quizzes/fire-safety/exam", headers=people.student).json["grade"] is None
    seen = client.get(f"/api/v1/proctoring/sessions/{sid}", headers=people.teacher).json
    assert seen["attempt_id"] == finished["id"] and seen["state"] == "started"
    decided: list[events.ProctoringDecided] = []
    unsubscribe = events.subscribe(events.ProctoringDecided, lambda _c, e: decided.append(e))
    try:
        no_identity = client.post(
            f"/api/v1/proctoring/sessions/{sid}/decision",
            json={"decision": "confirm"},
            headers=people.teacher,
        )
        assert no_identity.json["error"]["code"] == "identity_unconfirmed"
        ok = client.post(
            f"/api/v1/proctoring/sessions/{sid}/decision",
            json={"decision": "confirm", "identity_confirmed": True},
            headers=people.teacher,
        )
        assert ok.status_code == 200 and ok.json["decision"] == "confirmed"
    finally:
        unsubscribe()
    assert [(e.decision, e.attempt_id) for e in decided] == [("confirmed", finished["id"])]
    shown = client.get(f"/api/v1/attempts/{finished['id']}", headers=people.student).json
    assert shown["result_withheld"] is False and shown["review"]["percent"] is not None


def test_a_proctor_lets_a_student_without_a_camera_start(
    client: FlaskClient, people: People, proctored: str, clock: Clock
) -> None:
    sid = client.post(SESSION_URL, headers=people.student).json["id"]
    assert (
        client.post(f"/api/v1/proctoring/sessions/{sid}/let-start", headers=people.student).status_code == 404
    )
    assert (
        client.post(f"/api/v1/proctoring/sessions/{sid}/let-start", headers=people.other_teacher).status_code
        == 403
    )
    let = client.post(f"/api/v1/proctoring/sessions/{sid}/let-start", headers=people.teacher)
    assert let.status_code == 200 and let.json["state"] == "ready"
    assert client.post(START_URL, json={}, headers=people.student).status_code == 201
    # the classmate still has to pass the checks
    assert client.post(START_URL, json={}, headers=people.classmate).status_code == 403


def test_an_annulment_needs_a_reason_and_the_student_appeals_once_to_another_proctor(
    client: FlaskClient, people: People, proctored: str, clock: Clock
) -> None:
    sid = pass_checks(client, people.student)
    attempt = take(client, people.student)
    url = f"/api/v1/proctoring/sessions/{sid}/decision"
    assert (
        client.post(url, json={"decision": "annul"}, headers=people.teacher).json["error"]["code"]
        == "reason_required"
    )
    annulled = client.post(
        url, json={"decision": "annul", "reason": "Екінші адам көмектесті"}, headers=people.teacher
    )
    assert annulled.json["decision"] == "annulled"
    again = client.post(url, json={"decision": "confirm", "identity_confirmed": True}, headers=people.teacher)
    assert again.json["error"]["code"] == "already_decided"
    mine = client.get(f"/api/v1/proctoring/sessions/{sid}", headers=people.student).json
    assert mine["decision"] == "annulled" and mine["reason"] == "Екінші адам көмектесті"
    assert (
        client.get(f"/api/v1/attempts/{attempt['id']}", headers=people.student).json["result_withheld"]
        is True
    )
    appeal = f"/api/v1/proctoring/sessions/{sid}/appeal"
    assert (
        client.post(
            appeal, json={"text": "Бұл менің інім, ол бөлмеден шықты."}, headers=people.student
        ).status_code
        == 200
    )
    assert (
        client.post(appeal, json={"text": "тағы"}, headers=people.student).json["error"]["code"]
        == "already_appealed"
    )
    same = client.post(url, json={"decision": "confirm", "identity_confirmed": True}, headers=people.teacher)
    assert same.json["error"]["code"] == "another_proctor"
    by_office = client.post(
        url, json={"decision": "confirm", "identity_confirmed": True}, headers=people.admin
    )
    assert by_office.json["decision"] == "confirmed" and by_office.json["appeal_decided"] is True
    assert (
        client.get(f"/api/v1/attempts/{attempt['id']}", headers=people.student).json["result_withheld"]
        is False
    )


def test_object_access_student_proctor_other_teacher_admin(
    client: FlaskClient, people: People, proctored: str, clock: Clock
) -> None:
    sid = pass_checks(client, people.student)
    media_id = client.get(f"/api/v1/proctoring/sessions/{sid}", headers=people.student).json["media"][0]["id"]
    for who, session_status, media_status in (
        (people.student, 200, 200),
        (people.teacher, 200, 200),
        (people.admin, 200, 200),
        (people.classmate, 404, 404),
        (people.other_teacher, 403, 403),
        ({}, 401, 401),
    ):
        assert client.get(f"/api/v1/proctoring/sessions/{sid}", headers=who).status_code == session_status
        assert client.get(f"/api/v1/proctoring/media/{media_id}", headers=who).status_code == media_status
    got = client.get(f"/api/v1/proctoring/media/{media_id}", headers=people.student)
    assert got.headers["Content-Type"] == "image/jpeg" and "no-store" in got.headers["Cache-Control"]
    assert (
        got.headers["X-Content-Type-Options"] == "nosniff"
        and "sandbox" in got.headers["Content-Security-Policy"]
    )
    # the classmate cannot write into the student's session either
    assert (
        client.post(
            f"/api/v1/proctoring/sessions/{sid}/uploads",
            json={"kind": "snapshot", "size": 10},
            headers=people.classmate,
        ).status_code
        == 404
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def blank_png(width: int, height: int) -> bytes:
    """A whole, valid black-and-white PNG of zeros, written row block by row block: what
    `Image.new("1", ...).save(..., "PNG")` writes, without its byte per pixel in memory (1.6 GB
    and ~4 s of CPU for 40,000 x 40,000)."""
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte "none", then one bit a pixel
    compressor = zlib.compressobj(9)
    rows = [compressor.compress(row * 1000) for _ in range(height // 1000)]
    rows += [compressor.compress(row * (height % 1000)), compressor.flush()]
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"".join(rows))
        + png_chunk(b"IEND", b"")
    )


def test_upload_abuse_is_refused_and_names_are_the_servers(
    app: Flask, client: FlaskClient, people: People, proctored: str, clock: Clock
) -> None:
    sid = client.post(SESSION_URL, headers=people.student).json["id"]
    headers = people.student
    huge = client.post(
        f"/api/v1/proctoring/sessions/{sid}/uploads",
        json={"kind": "id_photo", "size": 50 * 2**20},
        headers=headers,
    )
    assert (huge.status_code, huge.json["error"]["code"]) == (413, "too_large")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert upload(client, headers, sid, "id_photo", svg).json["error"]["code"] == "unsupported_media"
    big = blank_png(40_000, 40_000)  # 190 KB, 1.6 gigapixels
    assert upload(client, headers, sid, "id_photo", big).json["error"]["code"] == "too_many_pixels"
    polyglot = jpeg(make("one", 2).picture) + b"<html><script>alert(document.cookie)</script></html>"
    stored = upload(client, headers, sid, "id_photo", polyglot)
    assert stored.status_code == 200 and stored.json["media_id"]
    body = client.get(f"/api/v1/proctoring/media/{stored.json['media_id']}", headers=headers).data
    assert body.startswith(b"\xff\xd8") and b"<script" not in body  # re-encoded: nothing glued survives
    begun = client.post(
        f"/api/v1/proctoring/sessions/{sid}/uploads",
        json={"kind": "live_photo", "size": 100},
        headers=headers,
    ).json
    skipping = client.put(
        f"/api/v1/proctoring/uploads/{begun['id']}?offset=50", data=b"x" * 50, headers=headers
    )
    assert (skipping.status_code, skipping.json["error"]["code"]) == (
        409,
        "upload_offset",
    )  # a gap is never skipped
    too_big_chunk = client.put(
        f"/api/v1/proctoring/uploads/{begun['id']}?offset=0", data=b"x" * (2 * 2**20), headers=headers
    )
    assert too_big_chunk.status_code == 413
    flood = [
        client.post(
            f"/api/v1/proctoring/sessions/{sid}/uploads",
            json={"kind": "live_photo", "size": 10},
            headers=headers,
        ).status_code
        for _ in range(14)
    ]
    assert 429 in flood
    with app.app_context():
        names = list(db.session().scalars(select(ProctoringMedia.name)))
    root = Path(app.config["PROCTORING_DIR"])
    site = Path(app.config["SITE_DIR"]).resolve()
    assert names and all(n.startswith("id_photo-") and len(n) == len("id_photo-") + 32 for n in names)
    assert not root.resolve().is_relative_to(site)
    assert client.get("/" + names[0]).status_code == 404


def test_browser_events_flag_only_what_lasted_or_repeated(
    client: FlaskClient, people: People, proctored: str, clock: Clock
) -> None:
    sid = pass_checks(client, people.student)
    assert client.post(START_URL, json={}, headers=people.student).status_code == 201
    clock.now = START + timedelta(minutes=10)
    t = clock.now - timedelta(minutes=5)

    def report(*items: dict[str, Any]) -> Any:
        body = {"sent_at": clock.now.isoformat(), "events": list(items)}
        return client.post(f"/api/v1/proctoring/sessions/{sid}/events", json=body, headers=people.student)

    def span(kind: str, start: Any, seconds: float) -> dict[str, Any]:
        return {
            "kind": kind,
            "started_at": start.isoformat(),
            "ended_at": (start + timedelta(seconds=seconds)).isoformat(),
        }

    assert report(span("tab_hidden", t, 2), span("noise", t, 9.9)).json == {"logged": 2, "flagged": 0}
    assert report(span("fullscreen_exit", t, 12)).json["flagged"] == 1
    assert (
        report({"kind": "paste", "started_at": t.isoformat()}).json["flagged"] == 1
    )  # one paste: logged only
    two_more = [{"kind": "paste", "started_at": (t + timedelta(seconds=s)).isoformat()} for s in (4, 8)]
    assert report(*two_more).json["flagged"] == 4  # three pastes within 10 s: all three flagged
    incidents = client.get(f"/api/v1/proctoring/sessions/{sid}", headers=people.teacher).json["incidents"]
    assert [(i["kind"], i["flagged"]) for i in incidents if i["kind"] in ("tab_hidden", "noise")] == [
        ("tab_hidden", False),
        ("noise", False),
    ]


def test_the_device_models_frames_flag_with_the_same_window_as_the_servers(
    client: FlaskClient, people: People, proctored: str, clock: Clock
) -> None:
    sid = pass_checks(client, people.student)
    assert client.post(START_URL, json={}, headers=people.student).status_code == 201
    clock.now = START + timedelta(minutes=10)
    t = clock.now - timedelta(minutes=5)
    url = f"/api/v1/proctoring/sessions/{sid}/frames"

    def frame(second: int, faces: int, bodies: int = 1, yaw: float | None = None) -> dict[str, Any]:
        at = (t + timedelta(seconds=second)).isoformat()
        return {"at": at, "faces": faces, "bodies": bodies, "yaw": yaw, "ms": 180.0}

    def send(*frames: dict[str, Any], backend: str = "humangl") -> Any:
        body = {"sent_at": clock.now.isoformat(), "backend": backend, "frames": list(frames)}
        return client.post(url, json=body, headers=people.student)

    # one stray frame of two faces, then a turned head for 3 frames over only 6 s: nothing yet
    first = send(frame(0, 1), frame(3, 2), frame(6, 1), frame(9, 1, yaw=0.9), frame(12, 1, yaw=-0.9))
    assert first.json == {"recorded": 5, "flagged": 0}
    assert send(frame(15, 1, yaw=0.8)).json["flagged"] == 0  # 3 frames but 6 s < 10 s
    # the head stays turned (a body, no face), then two faces over 12 s and 5 frames: two incidents
    later = [frame(18, 0), frame(21, 0), *[frame(second, 2) for second in (24, 27, 30, 33, 36)]]
    assert send(*later).json["flagged"] == 2
    seen = client.get(f"/api/v1/proctoring/sessions/{sid}", headers=people.teacher).json
    device = [(i["kind"], i["frames"], i["flagged"]) for i in seen["incidents"] if i["source"] == "device"]
    assert device == [("head", 5, True), ("faces", 5, True)]
    assert seen["risk"]["device"] == {"backend": "humangl", "frames": 13, "median_ms": 180.0}
    assert send(frame(39, 0, bodies=0)).json["flagged"] == 2  # remade, not duplicated
    # the quiz page's model (a new worker) on WebAssembly, as on a machine without a usable GPU
    assert send(frame(42, 1), backend="wasm").json == {"recorded": 1, "flagged": 2}
    seen = client.get(f"/api/v1/proctoring/sessions/{sid}", headers=people.teacher).json
    assert seen["risk"]["device"]["backend"] == "wasm"
    # bad input: the one error shape; another student's session is not found
    bad = client.post(url, json={"sent_at": clock.now.isoformat(), "backend": "gpu"}, headers=people.student)
    assert bad.status_code == 422 and bad.json["error"]["code"]
    too_many = send(*[frame(40, 1)] * 121)
    assert too_many.status_code == 422
    assert (
        client.post(
            url, json={"sent_at": clock.now.isoformat(), "backend": "cpu"}, headers=people.classmate
        ).status_code
        == 404
    )


def test_a_device_that_cannot_run_the_model_is_logged_for_the_proctor_never_flagged(
    client: FlaskClient, people: People, proctored: str, clock: Clock
) -> None:
    sid = pass_checks(client, people.student)
    assert client.post(START_URL, json={}, headers=people.student).status_code == 201
    body = {"sent_at": clock.now.isoformat(), "backend": "off", "frames": []}
    sent = client.post(f"/api/v1/proctoring/sessions/{sid}/frames", json=body, headers=people.student)
    assert sent.json == {"recorded": 0, "flagged": 0}
    seen = client.get(f"/api/v1/proctoring/sessions/{sid}", headers=people.teacher).json
    assert [(i["kind"], i["source"], i["flagged"]) for i in seen["incidents"]] == [
        ("device_off", "device", False)
    ]
    assert seen["risk"]["device"]["backend"] == "off"


def test_the_server_flags_two_faces_only_when_they_last(
    app: Flask, client: FlaskClient, people: People, proctored: str, clock: Clock
) -> None:
    sid = pass_checks(client, people.student)
    assert client.post(START_URL, json={}, headers=people.student).status_code == 201
    frames = ["one", "two", "one", "two", "two", "two", "one"]  # one stray frame, then three in a row
    for index, condition in enumerate(frames):
        clock.now = START + timedelta(seconds=30 * (index + 1))
        sent = upload(client, people.student, sid, "snapshot", jpeg(make(condition, index).picture))
        assert sent.status_code == 200, sent.json
    assert run_jobs(app) >= len(frames) + 2
    seen = client.get(f"/api/v1/proctoring/sessions/{sid}", headers=people.teacher).json
    server = [i for i in seen["incidents"] if i["source"] == "server"]
    assert [(i["kind"], i["frames"]) for i in server] == [("faces", 3)]
    assert len(server[0]["evidence"]) == 3
    assert seen["risk"]["incidents"] == 1 and seen["risk"]["analysed"] == len(frames)
    live = next(m for m in seen["media"] if m["kind"] == "live_photo")
    assert live["identity_score"] == pytest.approx(1.0)  # the same picture as the ID photo
    assert run_jobs(app) == 0


def test_retention_purges_recordings_of_decided_sessions(
    app: Flask,
    client: FlaskClient,
    people: People,
    proctored: str,
    clock: Clock,
    run_oqu: Callable[..., Any],
    app_config: dict[str, Any],
) -> None:
    sid = pass_checks(client, people.student)
    take(client, people.student)
    other = pass_checks(client, people.classmate)  # undecided: kept
    client.post(
        f"/api/v1/proctoring/sessions/{sid}/decision",
        json={"decision": "confirm", "identity_confirmed": True},
        headers=people.teacher,
    )
    root = Path(app.config["PROCTORING_DIR"])
    assert len(list(root.rglob("*-*"))) == 6
    from quiz_service.proctoring import service

    with app.app_context(), db.write_transaction() as writer:
        assert service.purge(writer, root, START + timedelta(days=89), 90) == 0
        assert service.purge(writer, root, START + timedelta(days=91), 90) == 1
    with app.app_context():
        session = db.session().get(ProctoringSession, sid)
        assert session is not None and session.purged_at is not None
    assert len(list(root.rglob("*-*"))) == 3  # the classmate's three stay
    assert client.get(f"/api/v1/proctoring/sessions/{sid}", headers=people.student).json["purged"] is True
    assert other
    clock.now = START + timedelta(days=400)  # the classmate's session is undecided: the command keeps it
    ran = run_oqu("proctoring", "purge", "--days", "1", database_url=app_config["DATABASE_URL"])
    assert ran.exit_code == 0, ran.output
    assert "purged the recordings of 0 session(s)" in ran.output


def signed_in_browser(app: Flask, email: str) -> FlaskClient:
    browser = app.test_client()
    form = {
        "email": email,
        "password": PASSWORD,
        "csrf_token": csrf_from_form(browser.get("/auth/login").text),
    }
    assert browser.post("/auth/login", data=form).status_code == 303
    return browser


def test_the_pages_say_an_incident_is_no_proof_name_the_zone_and_escape(
    app: Flask, client: FlaskClient, people: People, proctored: str, clock: Clock
) -> None:
    teacher, student = signed_in_browser(app, TEACHER), signed_in_browser(app, "aigerim@oqu.example.kz")
    classmate, other = signed_in_browser(app, "daniyar@oqu.example.kz"), signed_in_browser(app, OTHER_TEACHER)
    sid = pass_checks(client, people.student)
    take(client, people.student)
    reason = "<script>alert('x')</script> екінші адам"
    url = f"/api/v1/proctoring/sessions/{sid}/decision"
    assert (
        client.post(url, json={"decision": "annul", "reason": reason}, headers=people.teacher).status_code
        == 200
    )
    review = teacher.get(f"/proctoring/review/{sid}?lang=ru")
    assert review.status_code == 200
    assert "лишь повод посмотреть человеку, а не доказательство" in review.text
    assert (
        "(UTC+5)" in review.text
        and "Asia/Almaty" not in review.text
        and "Результат аннулирован" in review.text
    )
    assert "<script>alert" not in review.text and "&lt;script&gt;" in review.text
    assert "media-src 'self'" in review.headers["Content-Security-Policy"]
    mine = student.get(f"/proctoring/sessions/{sid}?lang=kk")
    assert "Нәтиже жойылды" in mine.text and "апелляция" in mine.text.lower()
    assert classmate.get(f"/proctoring/sessions/{sid}").status_code == 404
    assert other.get(f"/proctoring/review/{sid}").status_code == 403
    check = student.get("/proctoring/fire-safety/exam/check?lang=en")
    assert (
        "Without a camera" in check.text and "script-src 'self'" in check.headers["Content-Security-Policy"]
    )


def test_the_models_worker_may_compile_webassembly_and_the_pages_may_not(
    app: Flask, client: FlaskClient, people: People, proctored: str
) -> None:
    """The WASM backend's binaries are served from the assets route as application/wasm, cached a
    week like the rest of the vendored model; the worker's policy allows WebAssembly compilation
    ('wasm-unsafe-eval'), never eval ('unsafe-eval'); the check page's policy allows neither (the
    model runs in the worker, under the worker script's own policy)."""
    for name in ("tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm.wasm"):
        binary = client.get(f"/proctoring/assets/human/wasm/{name}")
        assert binary.status_code == 200 and binary.data[:4] == b"\0asm", name
        assert binary.headers["Content-Type"] == "application/wasm", name
        assert binary.headers["Cache-Control"] == "public, max-age=604800", name
    worker = client.get("/proctoring/assets/device.js")
    assert worker.headers["Cache-Control"] == "no-cache"
    assert b"./backends.js" in worker.data and b"./human/wasm/" in worker.data
    directives = dict(part.split(" ", 1) for part in worker.headers["Content-Security-Policy"].split("; "))
    assert directives["script-src"].split() == ["'self'", "'wasm-unsafe-eval'"]
    assert directives["default-src"] == "'none'"
    assert client.get("/proctoring/assets/backends.js").headers["Content-Type"].startswith("text/javascript")
    student = signed_in_browser(app, "aigerim@oqu.example.kz")
    check = student.get("/proctoring/fire-safety/exam/check?lang=kk")
    assert check.status_code == 200 and 'data-w-backend-wasm="WebAssembly (процессорда)"' in check.text
    assert "wasm-unsafe-eval" not in check.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in check.headers["Content-Security-Policy"]
