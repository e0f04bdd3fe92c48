"""A built copy of the example site, served by the real `oqu serve`, and Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from auth_helpers import EXAMPLE_TEACHER, PASSWORD

from builder.pipeline import build_site

REPO = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("example")
    shutil.copy(REPO / "site_config.yml", root / "site_config.yml")
    shutil.copytree(REPO / "content", root / "content")
    build_site(root, root / "build")
    return root


@pytest.fixture(scope="session")
def served(example_site: Path) -> Iterator[str]:
    """`oqu serve` on a free loopback port, in the example site's folder."""
    port = free_port()
    env = {**os.environ, "OQU_VAR_DIR": str(example_site / "var")}
    oqu = [sys.executable, "-c", "from builder.cli import main; main()"]
    subprocess.run([*oqu, "db", "upgrade"], cwd=example_site, env=env, check=True, capture_output=True)
    subprocess.run(
        [*oqu, "users", "add", EXAMPLE_TEACHER, "--role", "teacher", "--name", "Айгерім Жұмабаева", "--password-stdin"],
        cwd=example_site, env=env, check=True, capture_output=True, input=f"{PASSWORD}\n".encode(),
    )  # fmt: skip
    command = [sys.executable, "-c", "from builder.cli import main; main()", "serve", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=example_site, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/api/v1/health", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"oqu serve exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"oqu serve did not answer {url} within 30 s")


# `browser` (one Playwright and one Chromium for the whole session) is in tests/conftest.py:
# Playwright's sync API allows one instance per thread, and tests/search/ drives Chromium too.


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="kk-KZ")  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()
