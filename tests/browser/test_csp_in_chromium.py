"""The Content-Security-Policy breaks nothing (issue #10, finding 6): the example site under the real
`oqu serve` in Chromium, with every violation the browser reports collected."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from auth_helpers import EXAMPLE_TEACHER, PASSWORD
from playwright.sync_api import Page, expect
from site_server import oqu_serving, sign_in

from quiz_service.core.security_headers import SITE_POLICY, script_hash

pytestmark = pytest.mark.browser
INLINE_SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.DOTALL)
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def watched(page: Page) -> Iterator[tuple[Page, list[str]]]:
    """The page, and every CSP complaint of its console and its `securitypolicyviolation` events."""
    complaints: list[str] = []
    page.on(
        "console",
        lambda message: complaints.append(message.text) if "Content Security" in message.text else None,
    )
    page.add_init_script(RECORD_VIOLATIONS)
    yield page, complaints


def violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []"))


def test_every_inline_script_of_the_example_site_is_allowed(example_site: Path) -> None:
    """Material's inline scripts are allowed by hash; a new one (a Material upgrade) is named here."""
    unknown = {}
    for page in (example_site / "build" / "site").rglob("*.html"):
        for match in INLINE_SCRIPT.finditer(page.read_text(encoding="utf-8")):
            attributes = match["attributes"]
            if "src=" in attributes or "application/json" in attributes:
                continue
            if script_hash(match["body"]) not in SITE_POLICY:
                unknown[match["body"][:120]] = page
    assert unknown == {}, "add to quiz_service/core/security_headers.py (and docs/nginx.conf)"


def test_the_example_site_runs_under_its_policy(watched: tuple[Page, list[str]], served: str) -> None:
    page, complaints = watched
    page.goto(served + "/kk/")
    expect(page.locator(".md-banner")).to_contain_text("Қашықтан оқыту режимі")
    box = page.locator("input.md-search__input")  # Material's search worker
    box.fill("оқыту")
    box.press("End")
    expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=10_000)
    assert violations(page) == []

    page.goto(served + "/kk/courses/dl-orientation/basics/what-is-dl/")  # quiz.js and the API
    expect(page.locator(".oqu-quiz h2")).to_have_text("Қағидалар бойынша өзін-өзі тексеру")
    assert violations(page) == []

    sign_in(page, served, EXAMPLE_TEACHER, PASSWORD, "/kk/courses/fire-safety/combustion/hazard-properties/")
    expect(page.locator("math").first).to_be_visible()  # MathML
    assert violations(page) == []

    page.goto(served + "/kk/courses/fire-safety/combustion/fire-triangle/")  # video, captions, image
    image = page.locator("article img").first
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 0
    expect(page.locator("[data-oqu-speed]").locator("xpath=..")).to_be_visible()  # media.js ran
    page.locator("video").evaluate("video => { video.muted = true; return video.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime > 0.2", timeout=10_000)
    assert violations(page) == []

    for service_page in ("/auth/profile", "/teach/", "/auth/login"):
        page.goto(served + service_page)
        expect(page.locator("h1")).to_be_visible()
        assert violations(page) == [], service_page
    assert complaints == []


@pytest.fixture
def embed_site(tmp_path: Path) -> Iterator[str]:
    """A page with a sandboxed embed that brings its own inline script, as H5P exports do."""
    site = tmp_path / "build" / "site"
    (site / "embed").mkdir(parents=True)
    (site / "index.html").write_text(
        '<!doctype html><html lang="kk"><title>Тренажер</title><h1>Тренажер</h1>'
        '<iframe sandbox="allow-scripts" src="embed/" title="Тренажер"></iframe>',
        encoding="utf-8",
    )
    (site / "embed" / "index.html").write_text(
        '<!doctype html><html lang="kk"><p id="state">күтуде</p>'
        '<script>document.getElementById("state").textContent = "іске қосылды"</script>',
        encoding="utf-8",
    )
    env = {**os.environ, "OQU_VAR_DIR": str(tmp_path / "var")}
    with oqu_serving(tmp_path, env) as base:
        yield base


def test_an_embedded_export_runs_its_inline_script_sandboxed(
    watched: tuple[Page, list[str]], embed_site: str
) -> None:
    page, complaints = watched
    page.goto(embed_site + "/")
    expect(page.frame_locator("iframe").locator("#state")).to_have_text("іске қосылды")
    assert violations(page) == [] and complaints == []
    page.goto(embed_site + "/embed/")  # opened on its own, the site's policy holds
    expect(page.locator("#state")).to_have_text("күтуде")
