"""What the on-device proctoring model costs the machine in headless Chromium (SwiftShader WebGL):
per load and per frame, as CPU of Chromium's GPU process and renderers (read from /proc, every
process under this one), not as wall time (which a loaded machine stretches).

The vendored device.js runs in a module Web Worker as the proctoring pages run it, on the drawn
two-face picture tests/browser/test_proctoring_exam.py's fake camera shows (320 x 240), served
from a loopback folder (no service). Each load is a new worker (a new WebGL context), as the
check page and the quiz page each start one. Printed: each load's warm-up (load + probe frame)
and its frames' times, then the CPU of LOADS loads beside one load with the same frames, and the
ratio: about LOADS when the cost is per load (programs compiled again in every context), about 1
when Chromium reused what it compiled.

    .venv/bin/python bench/proctoring_device.py [--frames 2] [--loads 2] [--flag --some-chromium-flag]
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


def measure(folder: Path, frames: int, loads: int, flags: list[str]) -> tuple[list[Any], dict[str, float]]:
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
            runs = page.evaluate(f"run({frames}, {loads})")
            after = chromium_cpu()
            browser.close()
    finally:
        server.shutdown()
    return runs, {kind: after.get(kind, 0.0) - before.get(kind, 0.0) for kind in after}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=2, help="frames per load (the quiz page needs 2)")
    parser.add_argument("--loads", type=int, default=2, help="loads in one browser (check page + quiz page)")
    parser.add_argument("--flag", action="append", default=[], help="an extra Chromium flag (repeatable)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="oqu-device-bench-"))
    try:
        shutil.copytree(STATIC, folder / "static")
        picture = cv2.resize(make("two", 0).picture, (320, 240), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(folder / "two.png"), picture)
        (folder / "index.html").write_text(PAGE, encoding="utf-8")
        print(f"load average {os.getloadavg()[0]:.1f}; frames per load {args.frames}; flags {args.flag}")
        results = {}
        for loads in (1, args.loads):
            runs, cpu = measure(folder, args.frames, loads, args.flag)
            for index, run in enumerate(runs, 1):
                print(
                    f"  {loads} load(s), load {index}: {run['backend']}, warm-up {run['warmup_ms'] / 1000:.1f} s,"
                    f" frames (faces, ms) {run['frames']}"
                )
            shown = ", ".join(f"{kind} {seconds:.1f} s" for kind, seconds in sorted(cpu.items()))
            print(f"{loads} load(s): CPU {shown}")
            results[loads] = cpu.get("gpu", 0.0) + cpu.get("renderer", 0.0)
        print(f"GPU + renderer CPU, {args.loads} loads / 1 load: {results[args.loads] / results[1]:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
