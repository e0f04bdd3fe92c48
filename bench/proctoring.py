"""Proctoring benchmark: the fairness of the server's analysis on a labelled set, and its speed.

1. The labelled set of tests/proctoring_faces.py (DRAWN faces, not photographs: see there) per
   condition: the share of single frames the analysis would show a proctor wrongly (a false
   flag: a condition not in the label) and the share it misses (a missed flag). Then the same
   for sustained windows (3 frames in a row, as the default policy): how many 3-frame runs of
   one condition would raise an incident.
2. Snapshots analysed per second on one core (decode + faces + presence + head), and the face
   signature (identity score) per second; the ratio of analysis to a plain JPEG decode.

3. The on-device model (Human in a Web Worker, as the proctoring page runs it) in headless
   Chromium on this machine: which backend loads, the load time, the time per 320-px frame,
   and the page's main-thread long tasks (PerformanceObserver "longtask", over 50 ms) while
   the model analyses the fake camera every 3 s, beside the same page without the model.
   Then the labelled set through the browser model: false/missed rates per condition beside
   the server's (--browser-per-condition frames each).

4. Upload throughput through gunicorn (as bench/exam.py runs it, SQLite WAL): 1,000 students
   in started proctoring sessions each send one snapshot (a ~30 KB JPEG: begin + one chunk)
   spread over 30 s, i.e. 33 uploads/s open-loop, beside GET /api/v1/health on the same
   schedule; then both saturated (closed loop), as a ratio. No worker runs: the analysis jobs
   queue up (their speed is part 2).

    .venv/bin/python bench/proctoring.py [--per-condition 30] [--browser-per-condition 6]
    .venv/bin/python bench/proctoring.py --skip browser   # parts: fairness, speed, browser
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import cv2
from proctoring_faces import CONDITIONS, jpeg, labelled_set

from quiz_service.proctoring import analysis
from quiz_service.proctoring.service import snapshot_conditions
from quiz_service.proctoring.sustained import Sample, Window, sustained_runs

REFERENCE = {"centre": [0.5, 0.5]}  # the live photo's face centre: the middle of the frame
HEAD_TURN = 0.25


def rates(per_condition: int) -> dict[str, tuple[float, float]]:
    items = labelled_set(per_condition)
    false_flags: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    seen: dict[str, Counter[str]] = {c: Counter() for c in CONDITIONS}
    verdicts: dict[str, list[set[str]]] = {c: [] for c in CONDITIONS}
    for item in items:
        got = snapshot_conditions(analysis.analyse(item.picture).as_json(), REFERENCE, HEAD_TURN)
        verdicts[item.condition].append(got)
        seen[item.condition].update(got or {"-"})
        if got - item.expected:
            false_flags[item.condition] += 1
        if item.expected - got:
            missed[item.condition] += 1
    print(f"fairness on {len(items)} drawn frames ({per_condition} per condition), single frames:")
    print(f"  {'condition':<10} {'expected':<9} {'false flag':>10} {'missed':>8}   what the analysis said")
    for condition in CONDITIONS:
        expected = ",".join(sorted(items[CONDITIONS.index(condition) * per_condition].expected)) or "-"
        said = ", ".join(f"{k} {v}" for k, v in seen[condition].most_common())
        print(
            f"  {condition:<10} {expected:<9} {false_flags[condition] / per_condition:>10.0%} "
            f"{missed[condition] / per_condition:>8.0%}   {said}"
        )
    server = {c: (false_flags[c] / per_condition, missed[c] / per_condition) for c in CONDITIONS}
    window = Window(seconds=10, frames=3)
    print("sustained (3 frames, 30 s apart, of the same condition in a row): incidents raised")
    for condition in CONDITIONS:
        runs = 0
        groups = [verdicts[condition][i : i + 3] for i in range(0, per_condition - 2, 3)]
        for group in groups:
            kinds = set().union(*group)
            for kind in kinds:
                samples = [Sample(time_at(i), kind in got) for i, got in enumerate(group)]
                runs += len(sustained_runs(samples, window))
        print(f"  {condition:<10} {runs} incident(s) from {len(groups)} windows")
    return server


def time_at(index: int) -> object:
    from datetime import UTC, datetime, timedelta

    return datetime(2026, 12, 14, 9, tzinfo=UTC) + timedelta(seconds=30 * index)


def speed(per_condition: int) -> None:
    encoded = [jpeg(item.picture) for item in labelled_set(max(3, per_condition // 3))]
    cv2.setNumThreads(1)
    start = time.perf_counter()
    for data in encoded:
        analysis.decode(data)
    decode = time.perf_counter() - start
    start = time.perf_counter()
    for data in encoded:
        analysis.analyse(analysis.decode(data))
    analyse = time.perf_counter() - start
    start = time.perf_counter()
    for data in encoded:
        analysis.face_signature(analysis.decode(data))
    signature = time.perf_counter() - start
    n = len(encoded)
    print(f"speed on one core (cv2 threads 1), {n} JPEGs 640x480, cpu count {os.cpu_count()}:")
    print(f"  JPEG decode only:              {n / decode:8.1f} /s (baseline)")
    print(f"  analysis (faces, presence):    {n / analyse:8.1f} /s  ({analyse / decode:.1f}x the decode)")
    print(f"  face signature (identity):     {n / signature:8.1f} /s  ({signature / decode:.1f}x the decode)")
    print(f"  1,000 students, a snapshot every 30 s = 33.3 /s: {33.3 / (n / analyse):.1f} cores of analysis")


# -- the on-device model in Chromium ---------------------------------------------------------

STATIC = Path(__file__).resolve().parents[1] / "quiz_service" / "proctoring" / "static"
BENCH_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<p id="busy">a page with the model in a worker</p><video id="v" autoplay muted playsinline></video>
<script src="/proctoring/assets/proctor.js"></script><script src="/bench.js"></script></body></html>"""
BENCH_SCRIPT = """
window.longTasks = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { window.longTasks.push(e.duration); });
}).observe({ type: "longtask", buffered: true });
window.benchCamera = function () {
  return navigator.mediaDevices.getUserMedia({ video: true }).then(function (s) {
    var v = document.getElementById("v"); v.srcObject = s; return v.play();
  });
};
window.benchLoad = function (backends) {
  var t0 = performance.now();
  if (window.device) window.device.worker.terminate();
  return oquProctor.device.start(backends).then(function (d) {
    window.device = d;
    return d ? { backend: d.backend, load_ms: performance.now() - t0 } : null;
  });
};
window.benchWatch = function (seconds, withModel) {
  window.longTasks = []; window.frameMs = [];
  var timer = withModel ? oquProctor.device.run(window.device, document.getElementById("v"),
    function (r) { window.frameMs.push(r.ms); }) : null;
  return new Promise(function (ok) {
    setTimeout(function () {
      if (timer) clearInterval(timer);
      ok({ long_tasks: window.longTasks.slice(), frame_ms: window.frameMs.slice() });
    }, seconds * 1000);
  });
};
window.benchFrame = function (url) {
  return fetch(url).then(function (r) { return r.blob(); })
    .then(function (b) { return createImageBitmap(b, { resizeWidth: 320, resizeHeight: 240 }); })
    .then(function (bitmap) {
      return new Promise(function (ok) {
        window.device.worker.onmessage = function (e) { ok(e.data); };
        window.device.worker.postMessage({ type: "frame", image: bitmap, at: new Date().toISOString() }, [bitmap]);
      });
    });
};
"""


def browser(per_condition: int, server: dict[str, tuple[float, float]] | None, watch_seconds: int) -> None:
    import shutil
    import statistics
    import subprocess
    import tempfile
    from datetime import UTC, datetime

    from playwright.sync_api import sync_playwright

    from quiz_service.proctoring.service import DeviceFrame, device_conditions

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "proctoring").mkdir()
        (root / "proctoring" / "assets").symlink_to(STATIC)
        (root / "bench.html").write_text(BENCH_PAGE, encoding="utf-8")
        (root / "bench.js").write_text(BENCH_SCRIPT, encoding="utf-8")
        (root / "frames").mkdir()
        items = labelled_set(per_condition)
        for index, item in enumerate(items):
            (root / "frames" / f"{index}.jpg").write_bytes(jpeg(item.picture))
        cv2.imwrite(str(root / "one.png"), items[0].picture)
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-loop", "1", "-i", str(root / "one.png"), "-t", "2", "-r", "10",
             "-pix_fmt", "yuv420p", str(root / "one.y4m")],
            check=True,
        )  # fmt: skip
        port = free_port()
        server_process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", folder],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port)
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(
                    executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                    headless=True,
                    args=[
                        "--no-sandbox",
                        "--use-fake-device-for-media-stream",
                        "--use-fake-ui-for-media-stream",
                        f"--use-file-for-fake-video-capture={root / 'one.y4m'}",
                    ],
                )
                page = chromium.new_page()
                page.goto(f"http://127.0.0.1:{port}/bench.html")
                page.evaluate("benchCamera()")
                print(
                    f"on-device model in headless Chromium ({chromium.version}), cpu count {os.cpu_count()}:"
                )
                page.set_default_timeout(300_000)
                baseline = page.evaluate(f"benchWatch({watch_seconds}, false)")
                loaded = page.evaluate("benchLoad()")
                if loaded is None:
                    print("  the model did not load: the page would say so and the server analyse alone")
                    return
                print(
                    f"  backend {loaded['backend']}, loaded and warmed up in {loaded['load_ms'] / 1000:.1f} s"
                )
                for backend in ("cpu", loaded["backend"]):  # the CPU backend for comparison, then back
                    other = page.evaluate(f"benchLoad(['{backend}'])")
                    if backend == loaded["backend"]:
                        break
                    ms = (
                        [page.evaluate("benchFrame('/frames/0.jpg')")["ms"] for _ in range(3)]
                        if other
                        else []
                    )
                    print(
                        f"  backend {backend}: "
                        + (f"loaded in {other['load_ms'] / 1000:.1f} s, 3 frames median {statistics.median(ms):.0f} ms"
                           if other else "does not load")
                    )  # fmt: skip
                watched = page.evaluate(f"benchWatch({watch_seconds}, true)")
                frame_ms = sorted(watched["frame_ms"])
                if frame_ms:
                    print(
                        f"  time per 320-px frame (fake camera, every 3 s, {len(frame_ms)} frames): "
                        f"median {statistics.median(frame_ms):.0f} ms, max {frame_ms[-1]:.0f} ms"
                    )
                for label, seen in (("without the model", baseline), ("with the model   ", watched)):
                    tasks = seen["long_tasks"]
                    print(
                        f"  main-thread long tasks over {watch_seconds} s {label}: {len(tasks)}, "
                        f"total {sum(tasks):.0f} ms, longest {max(tasks, default=0):.0f} ms"
                    )
                said: dict[str, list[set[str]]] = {c: [] for c in CONDITIONS}
                times: list[float] = []
                for index, item in enumerate(items):
                    result = page.evaluate(f"benchFrame('/frames/{index}.jpg')")
                    times.append(result["ms"])
                    frame = DeviceFrame(
                        datetime.now(UTC), result["faces"], result["bodies"], result["yaw"], 0
                    )
                    said[item.condition].append(device_conditions(frame))
                chromium.close()
        finally:
            server_process.terminate()
            server_process.wait(timeout=10)
    print(
        f"fairness of the browser model on {len(items)} drawn frames ({per_condition} per condition; "
        f"median {statistics.median(times):.0f} ms a frame), beside the server's:"
    )
    print(
        f"  {'condition':<10} {'device false':>12} {'missed':>7} {'server false':>13} {'missed':>7}   device said"
    )
    for condition in CONDITIONS:
        expected = items[CONDITIONS.index(condition) * per_condition].expected
        verdicts = said[condition]
        false = sum(1 for got in verdicts if got - expected) / per_condition
        missed = sum(1 for got in verdicts if expected - got) / per_condition
        counts = Counter(",".join(sorted(got)) or "-" for got in verdicts)
        server_false, server_missed = (server or {}).get(condition, (float("nan"), float("nan")))
        print(
            f"  {condition:<10} {false:>12.0%} {missed:>7.0%} {server_false:>13.0%} {server_missed:>7.0%}   "
            + ", ".join(f"{k} {v}" for k, v in counts.most_common())
        )


# -- uploads through gunicorn ------------------------------------------------------------------


def uploads(students: int, seconds: float, workers: int, saturate_seconds: float) -> None:
    import json
    import random
    import tempfile
    from dataclasses import asdict
    from datetime import UTC, datetime

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import exam as exam_bench  # the exam bench's gunicorn, students, schedules and phases

    from builder.quizzes.model import ProctoringPolicy
    from quiz_service import create_app
    from quiz_service.core import db
    from quiz_service.proctoring.models import Decision, ProctoringSession, SessionState

    picture = jpeg(labelled_set(1)[0].picture)
    policy = ProctoringPolicy(required=True, signals=("faces", "presence", "head"), snapshot_every=30)
    with tempfile.TemporaryDirectory(prefix="oqu-proctoring-") as folder:
        root = Path(folder)
        config = {
            "DATABASE_URL": f"sqlite:///{root / 'oqu.sqlite3'}",
            "SECRET_KEY": "bench",
            "SITE_DIR": root / "site",
            "SERVICE_DIR": root / "service",
            "VAR_DIR": root / "var",
        }
        (root / "site").mkdir()
        exam_bench.write_bundle(config["SERVICE_DIR"], 1)
        tokens = exam_bench.make_students(config, students)
        app = create_app(config)
        with app.app_context(), db.write_transaction() as writer:
            now = datetime.now(UTC)
            sessions = []
            for user_id in range(1, students + 1):
                session = ProctoringSession(
                    user_id=user_id, course="fire-safety", quiz="exam", policy=json.dumps(asdict(policy)),
                    state=SessionState.STARTED, bytes_used=0, decision=Decision.PENDING,
                    identity_confirmed=False, created_at=now,
                )  # fmt: skip
                writer.add(session)
                sessions.append(session)
            writer.flush()
            session_ids = [s.id for s in sessions]
        app.extensions["oqu_db"].engine.dispose()

        def snapshot(port: int, index: int) -> int:
            token, session_id = tokens[index % students], session_ids[index % students]
            status, body = exam_bench.request(
                port, "POST", f"/api/v1/proctoring/sessions/{session_id}/uploads", token,
                {"kind": "snapshot", "size": len(picture)},
            )  # fmt: skip
            if status != 201:
                return status
            connection = exam_bench.http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request(
                    "PUT", f"/api/v1/proctoring/uploads/{body['id']}?offset=0", body=picture,
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"},
                )  # fmt: skip
                response = connection.getresponse()
                answer = json.loads(response.read() or b"{}")
                return response.status if answer.get("media_id") else 599
            finally:
                connection.close()

        rng = random.Random(19)
        moments = sorted(rng.uniform(0, seconds) for _ in range(students))
        with exam_bench.gunicorn(config, workers) as port:
            health = lambda: exam_bench.request(port, "GET", "/api/v1/health")[0]  # noqa: E731
            phases = [
                exam_bench.run_schedule(
                    "snapshots (begin + chunk)",
                    [(t, functools.partial(snapshot, port, i)) for i, t in enumerate(moments)],
                    64,
                ),
                exam_bench.run_schedule("  health, same schedule", [(t, health) for t in moments], 64),
            ]
            saturated, ceiling = exam_bench.Phase("saturated snapshots"), exam_bench.Phase("saturated health")
            rounds = max(1, round(saturate_seconds / 2))
            for number in range(rounds):
                offset = students + number * 10_000  # each round's snapshots go to other sessions
                exam_bench.saturate(
                    saturated, lambda n, o=offset: snapshot(port, o + n % 1_000_000 + n // 1_000_000 * 97), 16,
                    saturate_seconds / rounds,
                )  # fmt: skip
                exam_bench.saturate(ceiling, lambda _: health(), 16, saturate_seconds / rounds)
        phases += [saturated, ceiling]
        accepted = len(phases[0].latencies) - phases[0].errors
        print(
            f"uploads through gunicorn ({workers} workers, SQLite WAL): {students} students, one "
            f"{len(picture) // 1024} KB snapshot each over {seconds:.0f} s = {students / seconds:.1f} /s offered"
        )
        for phase in phases:
            print("  " + phase.line())
        print(f"  snapshots accepted: {accepted}/{students}, {accepted / phases[0].seconds:.1f} /s")
        rate = len(saturated.latencies) / saturated.seconds
        ceiling_rate = len(ceiling.latencies) / ceiling.seconds
        print(
            f"  saturated: {rate:.1f} snapshots/s ({2 * rate:.1f} requests/s) vs health {ceiling_rate:.1f} /s: "
            f"ratio {rate / max(ceiling_rate, 1e-9):.2f} (snapshots), {2 * rate / max(ceiling_rate, 1e-9):.2f} (requests)"
        )
        print(f"  load average after: {Path('/proc/loadavg').read_text().split()[:3]}")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int) -> None:
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-condition", type=int, default=30)
    parser.add_argument("--browser-per-condition", type=int, default=6)
    parser.add_argument("--watch-seconds", type=int, default=30, help="long tasks measured over this")
    parser.add_argument("--skip", default="", help="comma-separated: fairness, speed, browser, uploads")
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--upload-seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--saturate", type=float, default=10.0)
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    server = rates(args.per_condition) if "fairness" not in skip else None
    if "speed" not in skip:
        speed(args.per_condition)
    if "browser" not in skip:
        browser(args.browser_per_condition, server, args.watch_seconds)
    if "uploads" not in skip:
        uploads(args.students, args.upload_seconds, args.workers, args.saturate)


if __name__ == "__main__":
    main()
