"""Run `oqu` commands and `oqu serve` as a user would, in a site folder (importable by any test)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

OQU = [sys.executable, "-c", "from quiz_service.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_oqu(site: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run([*OQU, *args], cwd=site, env=env, input=stdin, text=True, check=True, capture_output=True)


@contextmanager
def oqu_serving(site: Path, env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """`oqu serve` on a free loopback port; yields its base URL, stops it afterwards."""
    port = port or free_port()
    process = subprocess.Popen(
        [*OQU, "serve", "--port", str(port)],
        cwd=site,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/api/v1/health", process)
        yield base
    finally:
        # SIGINT is gunicorn's quick shutdown; SIGTERM waits up to graceful_timeout (10 s) for
        # the browser's keep-alive connections, longer than a test should.
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    """Until `url` answers at all (any HTTP status); fail with the process's output if it exits."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"{process.args} exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing answered {url} within 30 s")


def add_accounts(
    site: Path,
    env: dict[str, str],
    password: str,
    students: dict[str, str],
    group: str,
    teachers: dict[str, str] | None = None,
    course: str = "fire-safety",
) -> None:
    """Migrate the site's database, add students (e-mail: name) of one group and teachers, all with
    `password`, and enrol the group in `course`, with the `oqu` commands an admin would use."""
    run_oqu(site, env, "db", "upgrade")
    for email, name in students.items():
        run_oqu(site, env, "users", "add", email, "--role", "student", "--name", name,
                "--group", group, "--password-stdin", stdin=password + "\n")  # fmt: skip
    for email, name in (teachers or {}).items():
        run_oqu(site, env, "users", "add", email, "--role", "teacher", "--name", name,
                "--password-stdin", stdin=password + "\n")  # fmt: skip
    run_oqu(site, env, "enrol", "add", course, "--group", group)


def sign_in(page: Page, base: str, email: str, password: str, target: str) -> None:
    """Sign in through the form (Kazakh) and land on `target`."""
    page.goto(f"{base}/auth/login?lang=kk&next={target}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("form[action='/auth/login'] button[type=submit]").click()
    page.wait_for_url(f"{base}{target}")
