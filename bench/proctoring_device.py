"""What the on-device proctoring model costs the machine in headless Chromium, on each backend: WebGL
(Human's "humangl", here SwiftShader: no GPU) against WebAssembly ("wasm", what backends.js picks on
such a machine), per load and per frame, as CPU of Chromium's GPU process and renderers (read from
/proc, every process under this one), not as wall time (which a loaded machine stretches).

The vendored device.js runs in a module Web Worker as the proctoring pages run it, on the drawn
picture tests/browser/test_proctoring_exam.py's fake camera shows (320 x 240; `--picture one` for
a single face, whose yaw and body the backends should agree on), served from a loopback folder
(no service). Each backend gets a fresh browser; each load is a new worker, as the check page and
the quiz page each start one. Printed: each load's warm-up (load + probe frame) and its frames
(faces, bodies, yaw, ms), each backend's CPU by process kind, whether the backends found the same,
and the ratios of the other backends' figures to the first's (the baseline, humangl).

    .venv/bin/python bench/proctoring_device.py [--frames 3] [--loads 1] [--backends humangl,wasm]
        [--picture two] [--flag --some-chromium-flag]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import cv2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from proctoring_faces import make  # noqa: E402

STATIC = REPO / "quiz_service" / "proctoring" / "static"
PAGE = """<!doctype html><html><body><img id="pic" src="two.png"><script>
async function once(frames, backends) {
  const picture = document.getElementById("pic");
  await picture.decode();
  const worker = new Worker("static/device.js", { type: "module" });
  let answer = null;
  worker.onmessage = (e) => { const done = answer; answer = null; done(e.data); };
  const ask = (message, transfer) => new Promise((ok) => { answer = ok; worker.postMessage(message, transfer || []); });
  const t0 = performance.now();
  const ready = await ask({ type: "init", backends: backends });
  const out = { backend: ready.backend || ready.reason, warmup_ms: performance.now() - t0, frames: [] };
  if (ready.type !== "ready") { worker.terminate(); return out; }
  for (let i = 0; i < frames; i++) {
    const bitmap = await createImageBitmap(picture);
    const r = await ask({ type: "frame", image: bitmap, at: new Date().toISOString() }, [bitmap]);
    out.frames.push([r.faces, r.bodies, r.yaw === null ? null : Math.round(r.yaw * 100) / 100, Math.round(r.ms)]);
  }
  worker.terminate();
  return out;
}
window.run = async (frames, loads, backends) => {
  const all = [];
  for (let i = 0; i < loads; i++) all.push(await once(frames, backends));
  return all;
};
</script></body></html>"""


def chromium_cpu() -> dict[str, float]:
    """CPU seconds of every Chromium process under this one, by kind (gpu, renderer, other)."""
    tick = os.sysconf("SC_CLK_TCK")
    table: dict[int, tuple[int, str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            command = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        table[int(entry)] = (int(fields[1]), command, (int(fields[11]) + int(fields[12])) / tick)
    mine = {os.getpid()}
    grown = True
    while grown:
        grown = False
        for pid, (parent, _, _) in table.items():
            if parent in mine and pid not in mine:
                mine.add(pid)
                grown = True
    totals: dict[str, float] = {}
    for pid in mine - {os.getpid()}:
        _, command, cpu = table[pid]
        if "chromium" not in command:
            continue
        kind = (
            "gpu"
            if "--type=gpu-process" in command
            else "renderer"
            if "--type=renderer" in command
            else "other"
        )
        totals[kind] = totals.get(kind, 0.0) + cpu
    return totals


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No line per request."""


def measure(
    folder: Path, frames: int, loads: int, backends: list[str], flags: list[str]
) -> tuple[list[Any], dict[str, float]]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", *flags]
            )
            before = chromium_cpu()
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
            runs = page.evaluate("([f, l, b]) => run(f, l, b)", [frames, loads, backends])
            after = chromium_cpu()
            browser.close()
    finally:
        server.shutdown()
    return runs, {kind: after.get(kind, 0.0) - before.get(kind, 0.0) for kind in after}


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def agree(found: list[Any], other: list[Any]) -> bool:
    """The same faces and bodies in every frame, the yaw within 0.05 rad (float kernels differ)."""
    if len(found) != len(other):
        return False
    for (faces, bodies, yaw), (faces2, bodies2, yaw2) in zip(found, other, strict=True):
        if (faces, bodies, yaw is None) != (faces2, bodies2, yaw2 is None):
            return False
        if yaw is not None and abs(yaw - yaw2) > 0.05:
            return False
    return True


def run_backend(folder: Path, backend: str, frames: int, loads: int, flags: list[str]) -> dict[str, Any]:
    """One backend in a fresh browser: its loads' outputs and figures (CPU seconds, milliseconds)."""
    runs, cpu = measure(folder, frames, loads, [backend], flags)
    for index, run in enumerate(runs, 1):
        print(
            f"  {backend}, load {index}: {run['backend']}, warm-up {run['warmup_ms'] / 1000:.1f} s,"
            f" frames (faces, bodies, yaw, ms) {run['frames']}"
        )
    shown = ", ".join(f"{kind} {seconds:.1f} s" for kind, seconds in sorted(cpu.items()))
    print(f"  {backend}: Chromium CPU {shown}")
    frame_ms = [float(f[3]) for run in runs for f in run["frames"][1:]]  # the first frame warms up
    return {
        "ran": [run["backend"] for run in runs],
        "found": [f[:3] for run in runs for f in run["frames"]],
        "cpu": sum(cpu.values()),
        "gpu": cpu.get("gpu", 0.0),
        "warmup": sum(run["warmup_ms"] for run in runs) / len(runs),
        "frame": median(frame_ms) if frame_ms else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--frames",
        type=int,
        default=3,
        help="frames per load (the first one's time is left out of the median)",
    )
    parser.add_argument("--loads", type=int, default=1, help="loads (workers) per backend, one browser")
    parser.add_argument(
        "--backends", default="humangl,wasm", help="comma-separated; the first is the baseline"
    )
    parser.add_argument("--picture", default="two", choices=["one", "two", "none", "turned"])
    parser.add_argument("--flag", action="append", default=[], help="an extra Chromium flag (repeatable)")
    args = parser.parse_args()
    backends = args.backends.split(",")
    folder = Path(tempfile.mkdtemp(prefix="oqu-device-bench-"))
    try:
        shutil.copytree(STATIC, folder / "static")
        picture = cv2.resize(make(args.picture, 0).picture, (320, 240), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(folder / "two.png"), picture)
        (folder / "index.html").write_text(PAGE, encoding="utf-8")
        print(
            f"load average {os.getloadavg()[0]:.1f}; picture {args.picture}; {args.loads} load(s) of"
            f" {args.frames} frame(s) per backend; flags {args.flag}"
        )
        figures = {
            backend: run_backend(folder, backend, args.frames, args.loads, args.flag) for backend in backends
        }
        base = backends[0]
        for backend in backends:
            f = figures[backend]
            same = (
                "same as " + base if agree(f["found"], figures[base]["found"]) else "DIFFERENT from " + base
            )
            print(
                f"{backend}: ran on {','.join(f['ran'])}; Chromium CPU {f['cpu']:.1f} s (GPU process"
                f" {f['gpu']:.1f} s); warm-up {f['warmup'] / 1000:.1f} s; median frame {f['frame']:.0f} ms;"
                f" found {same}"
            )
        for backend in backends[1:]:
            f, b = figures[backend], figures[base]
            print(
                f"{backend} / {base}: Chromium CPU {f['cpu'] / b['cpu']:.2f}, warm-up"
                f" {f['warmup'] / b['warmup']:.2f}, median frame {f['frame'] / b['frame']:.2f}"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
