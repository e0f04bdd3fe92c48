"""The on-device proctoring model's backends, chosen by the machine (quiz_service/proctoring/static/
backends.js, run as shipped in Chromium, no server): WebGL first on a real GPU, WebAssembly first
where WebGL is a software renderer or missing; and this headless Chromium's SwiftShader, seen from a
module worker as device.js sees it, counts as software. (The proctored midterm,
test_proctoring_exam.py, runs the model that way end to end.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

pytestmark = pytest.mark.browser
STATIC = Path(__file__).parents[2] / "quiz_service" / "proctoring" / "static"
ORIGIN = "http://oqu.test"
PROBE = """import { backendsFor, webglRenderer } from "./backends.js";
var renderer = webglRenderer();
postMessage({ renderer: renderer, backends: backendsFor(renderer) });"""
GPU = [  # WEBGL_debug_renderer_info's unmasked renderer on machines with a GPU
    "ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)",
    "ANGLE (Intel, Intel(R) UHD Graphics 620 Direct3D11 vs_5_0 ps_5_0, D3D11)",
    "ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)",
    "AMD Radeon RX 6600 (radeonsi, navi23, LLVM 15.0.6, DRM 3.49, 6.1.0-13-amd64)",  # LLVM, not llvmpipe
    "ANGLE (Apple, ANGLE Metal Renderer: Apple M1, Unspecified Version)",
    "Adreno (TM) 640",
    "WebKit WebGL",  # a browser that hides the unmasked name: tried, and WebAssembly after it
]
SOFTWARE = [  # no usable GPU: a software rasteriser draws WebGL
    "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)",
    "Google SwiftShader",
    "llvmpipe (LLVM 15.0.6, 256 bits)",
    "ANGLE (Mesa, llvmpipe (LLVM 15.0.7 256 bits), OpenGL 4.5)",
    "softpipe",
    "ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)",
    "Apple Software Renderer",
    None,  # no WebGL at all
]


def serve(route: Route) -> None:
    """The shipped backends.js, a worker that probes this browser's WebGL with it, an empty page."""
    path = route.request.url.removeprefix(ORIGIN)
    if path == "/backends.js":
        route.fulfill(path=STATIC / "backends.js", content_type="text/javascript")
    elif path == "/probe.js":
        route.fulfill(body=PROBE, content_type="text/javascript")
    else:
        route.fulfill(body="<!doctype html><title>backends</title>", content_type="text/html")


def test_a_real_gpu_keeps_webgl_first_and_a_software_renderer_gets_webassembly(page: Page) -> None:
    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/")
    chosen = page.evaluate(
        "async (names) => { const m = await import('/backends.js'); return names.map(m.backendsFor); }",
        GPU + SOFTWARE,
    )
    assert chosen == [["humangl", "wasm", "cpu"]] * len(GPU) + [["wasm", "cpu"]] * len(SOFTWARE)
    # this headless Chromium has no GPU: its WebGL, seen from a module worker, is SwiftShader
    probed = page.evaluate(
        """() => new Promise((ok, failed) => {
          const worker = new Worker('/probe.js', { type: 'module' });
          worker.onmessage = (e) => { worker.terminate(); ok(e.data); };
          worker.onerror = (e) => failed(new Error(e.message || 'the probe worker failed'));
        })"""
    )
    assert "SwiftShader" in probed["renderer"] and probed["backends"] == ["wasm", "cpu"]
