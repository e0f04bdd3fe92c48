"""Several gunicorn processes of the service on one database, as several hosts would be (T18)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests
from site_server import STARTUP_SECONDS, free_port

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def gunicorn_services(env: Mapping[str, str], count: int = 2) -> Iterator[list[str]]:
    """`count` gunicorn processes (one worker, 4 threads each); yields their base URLs."""
    processes, bases = [], []
    try:
        for _ in range(count):
            port = free_port()
            command = [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}",
                       "quiz_service:create_app()"]  # fmt: skip
            processes.append(subprocess.Popen(command, env=dict(env), stderr=subprocess.DEVNULL))
            bases.append(f"http://127.0.0.1:{port}")
        for base, process in zip(bases, processes, strict=True):
            _wait_for(f"{base}/api/v1/health", process)
        yield bases
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer {url}")


def browser_session(base: str) -> tuple[str, str]:
    """A session cookie and its CSRF token (the cookie is Secure: sent by hand over http)."""
    page = requests.get(f"{base}/auth/login", timeout=10)
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    match = CSRF_FIELD.search(page.text)
    assert match
    return cookie, match[1]


def parallel_sign_ins(bases: list[str], emails: list[str], workers: int) -> Counter[int]:
    """One wrong-password sign-in per email, spread over the services; the statuses counted."""
    cookie, token = browser_session(bases[0])

    def attempt(index: int) -> int:
        form = {"email": emails[index], "password": "қате құпиясөз", "csrf_token": token}
        response = requests.post(
            f"{bases[index % len(bases)]}/auth/login", data=form, headers={"Cookie": cookie},
            allow_redirects=False, timeout=60,
        )  # fmt: skip
        return response.status_code

    with ThreadPoolExecutor(workers) as pool:
        return Counter(pool.map(attempt, range(len(emails))))
