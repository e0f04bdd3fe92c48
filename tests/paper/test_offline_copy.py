"""The offline copy unpacked and opened in Chromium from file:// with the network off: it navigates,
plays the video with captions and finds a Kazakh word by search, with no network request at all."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Route, expect

from tests.paper.conftest import SEARCH_WORD


@pytest.fixture(scope="module")
def unpacked(course_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(course_dir / "first-aid-kk-offline.zip") as archive:
        archive.extractall(target)
    return target / "first-aid-kk"


def test_zip_holds_one_small_rendition_and_no_server_files(course_dir: Path) -> None:
    with zipfile.ZipFile(course_dir / "first-aid-kk-offline.zip") as archive:
        names = archive.namelist()
    videos = [name for name in names if name.endswith(".mp4")]
    assert videos == ["first-aid-kk/kk/courses/first-aid/basics/media/lecture/360p.mp4"]
    assert "first-aid-kk/kk/courses/first-aid/search/search_index.js" in names
    assert "first-aid-kk/index.html" in names
    assert not [name for name in names if name.endswith((".map", "search_index.json", "sitemap.xml"))]


def test_offline_copy_works_from_files_with_the_network_off(browser: object, unpacked: Path) -> None:
    context = browser.new_context(offline=True)  # type: ignore[attr-defined]
    requests: list[str] = []

    def only_files(route: Route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            requests.append(url)
            route.abort()

    context.route("**/*", only_files)
    page = context.new_page()
    page.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:", "blob:", "about:")) else requests.append(r.url),
    )
    try:
        page.goto((unpacked / "index.html").as_uri())
        page.wait_for_url("**/kk/courses/first-aid/index.html")
        page.locator("article a[href$='assessment.html']").first.click()
        page.wait_for_url("**/basics/assessment.html")
        state = page.evaluate(
            """async () => {
                const video = document.querySelector("video");
                video.muted = true;
                await video.play();
                await new Promise((done) => setTimeout(done, 1200));
                const track = [...video.textTracks].find((t) => t.kind === "captions" && t.language === "kk");
                return {time: video.currentTime, src: video.currentSrc, mode: track.mode,
                        cues: track.cues ? track.cues.length : 0,
                        text: track.cues && track.cues.length ? track.cues[0].text : ""};
            }"""
        )
        assert state["time"] > 0.3, state
        assert state["src"].endswith("/basics/media/lecture/360p.mp4")
        assert state["mode"] == "showing" and state["cues"] == 2
        assert state["text"] == "Алдымен қауіпсіздікке көз жеткізіңіз."
        box = page.locator("input.md-search__input")
        box.fill(SEARCH_WORD)
        box.press("End")  # Material reads the query on key events
        result = page.locator(".md-search-result__item a").first
        expect(result).to_be_visible(timeout=15_000)
        assert "practice/alphabet.html" in (result.get_attribute("href") or "")
        result.click()
        page.wait_for_url("**/practice/alphabet.html**")
        expect(page.locator("h1")).to_contain_text("Қазақ әліпбиі")
    finally:
        context.close()
    assert requests == []
