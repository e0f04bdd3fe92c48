"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]


TEST_SWITCHES = {"OQU_UPDATE_GOLDEN"}  # variables that steer the tests themselves, not oqu
TESTS = Path(__file__).parent
# Folders whose tests share a site built once per session (conftest.py): under pytest-xdist
# (`make test` runs two workers, `--dist loadgroup`) each is one group, run on one worker, so the
# site is built once; every other module is a group of its own. The longest go first, so that
# no long group starts last while the other worker idles.
SHARED_SITE_FOLDERS = ("browser", "paper", "search", "media")


def xdist_group(item: pytest.Item) -> str:
    parts = item.path.relative_to(TESTS).parts
    if len(parts) > 1 and parts[0] in SHARED_SITE_FOLDERS:
        return parts[0]
    return item.nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.xdist_group(xdist_group(item)))
    first = {folder: rank for rank, folder in enumerate(SHARED_SITE_FOLDERS)}
    items.sort(key=lambda item: first.get(xdist_group(item), len(first)))  # stable: the rest keep their order


@pytest.fixture(scope="session", autouse=True)
def away_from_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test runs in a folder of its own with no OQU_* variables: never the checkout's
    build/, var/ or environment, so that `make demo` before `make test` changes nothing."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("OQU_") and name not in TEST_SWITCHES]:
            patch.delenv(name)
        patch.chdir(tmp_path_factory.mktemp("working-folder"))
        yield


@pytest.fixture
def minimal_site(tmp_path: Path) -> Path:
    """A copy of the small fixture site (one course, kk/ru, a schedule, an image, a formula)."""
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "minimal-site", root)
    return root


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium through Playwright, once per session (its sync API allows one per thread)."""
    if not CHROMIUM.exists():
        pytest.fail(
            "Chromium is missing: install it with `apt-get install chromium` (or run `make test` as root)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
