"""Fixtures shared by every test folder."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parents[1]
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
# Folders whose tests share a site built once per session (conftest.py): under pytest-xdist
# (`make test`) each folder is one unit of work, run on one worker, so the site is built once;
# every other module is a unit of its own (its module-scoped fixtures and the order of its tests
# stay on one worker).
SHARED_SITE_FOLDERS = ("paper", "search", "media")
# The longest units go first, so that none starts last while the other worker idles. The
# browser folder's modules are units of their own: as one unit it kept one worker busy for longer
# than the whole rest of the suite took on the other; split, each worker builds the example site
# once (~8 s of CPU) and the browser modules share the two workers.
FIRST = ("browser", *SHARED_SITE_FOLDERS)


def _inside_tests(module: str) -> tuple[str, ...]:
    parts = Path(module).parts
    return parts[parts.index("tests") + 1 :] if "tests" in parts else parts


def work_unit(nodeid: str) -> str:
    """The folder for a shared site's folder, else the module: what runs on one xdist worker."""
    module = nodeid.split("::", 1)[0]
    inside = _inside_tests(module)
    if len(inside) > 1 and inside[0] in SHARED_SITE_FOLDERS:
        return inside[0]
    return module


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {folder: place for place, folder in enumerate(FIRST)}

    def order(item: pytest.Item) -> int:
        inside = _inside_tests(item.nodeid.split("::", 1)[0])
        return rank.get(inside[0], len(rank)) if len(inside) > 1 else len(rank)

    items.sort(key=order)  # stable: the rest keep their order


# The units are given to pytest-xdist through a scheduler of our own, not through `xdist_group`
# marks and `--dist loadgroup`: with pytest 9.2 loadgroup ignores the marks without a word
# (pytest-xdist#1386: it appends "@group" to a node id pytest no longer reads), so every test was
# scheduled alone: each worker built the shared sites again, and test_exam's teacher, who grades
# the essay the module's first test wrote, ran on a worker where that test never ran.
# `--dist loadscope` (or loadgroup) takes these units as its scopes.
@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") not in ("loadscope", "loadgroup"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class WorkUnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return WorkUnitScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def away_from_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test runs in a folder of its own with no OQU_* variables: never the checkout's
    build/, var/ or environment, so that `make demo` before `make test` changes nothing."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("OQU_") and name not in TEST_SWITCHES]:
            patch.delenv(name)
        # No disk sync per SQLite commit (FULL stays the product's default, tested in
        # tests/service/test_config.py); a killed process loses nothing either way.
        patch.setenv("OQU_SQLITE_SYNCHRONOUS", "OFF")
        patch.chdir(tmp_path_factory.mktemp("working-folder"))
        yield


@pytest.fixture(scope="session")
def apps_made_cheaply() -> Iterator[None]:
    """The per-process caches of tests/app_caches.py, for the tests that make in-process apps
    (imported here only when asked for: a builder-only run does not load the service)."""
    from app_caches import made_cheaply

    with made_cheaply():
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once per process; a test's database is a copy of it."""
    from quiz_service.core import db, migrations

    path = tmp_path_factory.mktemp("sqlite-template") / "oqu.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        migrations.upgrade(engine)
    finally:
        engine.dispose()
    return path


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example content built without PDFs and offline copies (tests/paper/ has them): the
    browser tests serve it, tests/quizzes adds the paper part to a copy. Built once per run: under
    pytest-xdist the first worker to ask builds it (~8 s of CPU) in the run's shared temporary
    folder, and each worker gets its own copy (its var/, its rebuilt copies)."""
    root = tmp_path_factory.mktemp("example")
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        _build_example(root)
        return root
    shared = tmp_path_factory.getbasetemp().parent / "example-built"
    done = shared.with_name("example-built.done")
    with open(shared.with_name("example-built.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the worker dies
        if not done.exists():
            shutil.rmtree(shared, ignore_errors=True)  # a worker that died halfway through it
            _build_example(shared)
            done.touch()
    shutil.copytree(shared, root, symlinks=True, dirs_exist_ok=True)
    return root


def _build_example(root: Path) -> None:
    from builder.pipeline import build_site

    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "site_config.yml", root / "site_config.yml")
    shutil.copytree(REPO / "content", root / "content")
    build_site(root, root / "build", paper=False)


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
