"""The example lecture plays in Debian's Chromium with Kazakh and Russian captions.

The built site is served as a CDN would serve it: by nginx (byte ranges, static files only), so
the test needs no account for the enrolled fire-safety course.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import struct
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from site_server import STARTUP_SECONDS, free_port

from builder.pipeline import build_site

pytestmark = pytest.mark.browser

LESSON = "/{lang}/courses/fire-safety/combustion/fire-triangle/"
FIXTURES = Path(__file__).parents[1] / "fixtures"
NGINX_CONF = """daemon off;
user {user};  # workers must read pytest's private temporary folders; ignored unless run as root
pid {run}/nginx.pid;
error_log {run}/error.log;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types;
  types {{ text/vtt vtt; }}
  access_log off;
  client_body_temp_path {run}/body; proxy_temp_path {run}/proxy; fastcgi_temp_path {run}/fastcgi;
  uwsgi_temp_path {run}/uwsgi; scgi_temp_path {run}/scgi;
  server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
"""


@contextlib.contextmanager
def nginx_serving(root: Path, run: Path) -> Iterator[str]:
    """nginx serving `root` on a free loopback port; yields the base URL."""
    port = free_port()
    user = pwd.getpwuid(os.getuid()).pw_name
    config = run / "nginx.conf"
    config.write_text(NGINX_CONF.format(run=run, port=port, root=root, user=user))
    process = subprocess.Popen(["/usr/sbin/nginx", "-c", str(config), "-p", str(run)], stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                urllib.request.urlopen(base + "/kk/", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"nginx did not start: {process.stderr.read() if process.stderr else ''}")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def static(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with nginx_serving(example_site / "build/site", tmp_path_factory.mktemp("nginx")) as base:
        yield base


def cube_glb(rgba: tuple[float, float, float, float]) -> bytes:
    """A 2×2×2 cube as binary glTF 2.0: 8 corners, 12 triangles, one base colour."""
    corners = [(x, y, z) for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]
    faces = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    indices = [i for a, b, c, d in faces for i in (a, b, c, a, c, d)]
    binary = struct.pack(f"<{len(corners) * 3}f", *[v for corner in corners for v in corner])
    binary += struct.pack(f"<{len(indices)}H", *indices)
    gltf = {
        "asset": {"version": "2.0"},
        "buffers": [{"byteLength": len(binary)}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": 96},
            {"buffer": 0, "byteOffset": 96, "byteLength": len(indices) * 2},
        ],
        "accessors": [
            {
                "bufferView": 0,
                "componentType": 5126,
                "count": 8,
                "type": "VEC3",
                "min": [-1] * 3,
                "max": [1] * 3,
            },
            {"bufferView": 1, "componentType": 5123, "count": len(indices), "type": "SCALAR"},
        ],
        "materials": [{"pbrMetallicRoughness": {"baseColorFactor": list(rgba)}}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1, "material": 0}]}],
        "nodes": [{"mesh": 0}],
        "scenes": [{"nodes": [0]}],
        "scene": 0,
    }
    text = json.dumps(gltf).encode()
    text += b" " * (-len(text) % 4)
    binary += b"\0" * (-len(binary) % 4)
    body = (
        struct.pack("<I4s", len(text), b"JSON") + text + struct.pack("<I4s", len(binary), b"BIN\0") + binary
    )
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


@pytest.fixture(scope="module")
def model_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("model") / "site"
    shutil.copytree(FIXTURES / "minimal-site", root)
    (root / "content/courses/first-aid/01-basics/media/cube.glb").write_bytes(cube_glb((0.9, 0.1, 0.1, 1)))
    lesson = root / "content/courses/first-aid/01-basics/01-assessment.kk.md"
    head, _, body = lesson.read_text(encoding="utf-8").partition("\n---\n")
    model = "interactive:\n  - {src: media/cube.glb, title: Сынақ текшесі, height: 400}"
    lesson.write_text(f"{head}\n{model}\n---\n{body}", encoding="utf-8")
    build_site(root, root / "build", paper=False)  # PDFs and offline copies: tests/paper/
    with nginx_serving(root / "build/site", tmp_path_factory.mktemp("nginx")) as base:
        yield base


def test_lecture_plays_with_captions_in_both_languages(page: Page, static: str) -> None:
    page.goto(static + LESSON.format(lang="kk"))
    video = page.locator("figure.oqu-video video")
    expect(video).to_have_attribute("preload", "metadata")
    page.wait_for_function("document.querySelector('figure.oqu-video video').readyState >= 1")
    assert page.evaluate("document.querySelector('figure.oqu-video video').currentSrc").endswith(
        "/combustion/media/fire-triangle/360p.mp4"
    )
    page.evaluate("v => { v.muted = true; return v.play(); }", video.element_handle())
    page.wait_for_function(
        "() => { const v = document.querySelector('figure.oqu-video video');"
        " return v.readyState >= 3 && v.currentTime > 0.5 && !v.error; }"
    )
    captions = """lang => {
        const v = document.querySelector('figure.oqu-video video');
        const track = [...v.textTracks].find(t => t.kind === 'captions' && t.language === lang);
        if (track.mode !== 'showing') { track.mode = 'showing'; }
        return track.cues && track.cues.length > 0 ? track.cues[0].text : null;
    }"""
    page.wait_for_function(captions, arg="kk")
    assert page.evaluate(captions, "kk").startswith("Сәлеметсіздер ме!")
    page.wait_for_function(captions, arg="ru")
    assert page.evaluate(captions, "ru").startswith("Здравствуйте!")


def test_speed_chapters_and_download(page: Page, static: str) -> None:
    page.goto(static + LESSON.format(lang="ru"))
    figure = page.locator("figure.oqu-video")
    expect(figure.locator("figcaption")).to_contain_text("Видеолекция · 0:54")
    figure.get_by_label("Скорость воспроизведения").select_option("1.5")
    assert page.evaluate("document.querySelector('figure.oqu-video video').playbackRate") == 1.5
    page.evaluate("document.querySelector('figure.oqu-video video').muted = true")
    figure.locator("button[data-oqu-seek='36']").click()
    page.wait_for_function("document.querySelector('figure.oqu-video video').currentTime >= 36")
    thumbs = figure.locator(".oqu-thumbs button")
    expect(thumbs).to_have_count(20)
    thumbs.nth(10).click()
    page.wait_for_function(
        "Math.abs(document.querySelector('figure.oqu-video video').currentTime - 27.2) < 1"
    )
    download = figure.locator("figcaption a.oqu-download")
    expect(download).to_have_text("Скачать (360p, 0,4\u00a0МБ)")  # the page's language


def test_photo_lightbox_opens_and_closes(page: Page, static: str) -> None:
    page.goto(static + LESSON.format(lang="kk"))
    image = page.locator("article img[alt^='Жану үшбұрышы']")
    image.click()
    dialog = page.locator(".oqu-lightbox")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("role", "dialog")
    expect(dialog.locator("img")).to_have_attribute("src", "../media/fire-triangle.svg")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(image).to_be_focused()


def test_a_glb_model_is_drawn_and_turns(page: Page, model_site: str) -> None:
    page.goto(model_site + "/kk/courses/first-aid/basics/assessment/")
    canvas = page.locator("canvas[data-oqu-model]")
    expect(canvas).to_be_visible()
    expect(canvas).to_have_attribute("data-oqu-triangles", "12")
    centre = """() => {
        const canvas = document.querySelector('canvas[data-oqu-model]');
        const gl = canvas.getContext('webgl');
        const pixel = new Uint8Array(4);
        gl.readPixels(canvas.width / 2, canvas.height / 2, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
        return Array.from(pixel);
    }"""
    red, green, blue, _ = page.evaluate(centre)
    assert red > 100 and green < 60 and blue < 60  # the red cube, lit, fills the centre
    corner = (
        "() => { const c = document.querySelector('canvas[data-oqu-model]'); const gl = c.getContext('webgl');"
        " const p = new Uint8Array(4); gl.readPixels(2, 2, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, p); return Array.from(p); }"
    )
    assert page.evaluate(corner)[:3] == [245, 245, 245]  # the background around it
    before = page.evaluate(centre)
    canvas.focus()
    page.keyboard.press("ArrowUp")
    assert page.evaluate(centre) != before  # turned: another face, another light
    expect(page.locator("figure.oqu-model a[download]")).to_have_attribute("href", "../media/cube.glb")
