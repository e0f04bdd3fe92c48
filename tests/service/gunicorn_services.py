"""Several gunicorn processes of the service on one database, as several hosts would be (T18)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import MIGRATED_TEMPLATE, SITE_FILES
from postgres_server import PostgresServer
from service_launcher import Launched, launch
from site_server import STARTUP_SECONDS, free_port

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
GUNICORN_CONFIG = Path(__file__).with_name("gunicorn_config.py")


def service_env(config: Mapping[str, Any], **settings: str) -> dict[str, str]:
    """The environment of service processes serving what a test's app has (`app_config`): its
    database, secret and folders, and `settings` (OQU_* names) on top; no Redis unless given."""
    env = dict(os.environ) | {
        "OQU_DATABASE_URL": str(config["DATABASE_URL"]),
        "OQU_SECRET_KEY": str(config["SECRET_KEY"]),
        "OQU_SITE_DIR": str(config["SITE_DIR"]),
        "OQU_SERVICE_DIR": str(config["SERVICE_DIR"]),
        "OQU_VAR_DIR": str(config["VAR_DIR"]),
    }
    env.pop("OQU_REDIS_URL", None)
    return env | settings


def module_app_config(request: pytest.FixtureRequest, kind: str, folder: Path) -> dict[str, Any]:
    """What conftest's `app_config` gives one test, made once for a module whose tests share
    service processes: a migrated database of `kind` (a PostgreSQL one dropped after the module),
    conftest's small site, the service bundle and var/ folders, all in `folder`."""
    if kind == "sqlite":
        path = folder / "db" / "oqu.sqlite3"
        path.parent.mkdir(parents=True)
        template: Path = request.getfixturevalue("sqlite_template")
        with (
            contextlib.closing(sqlite3.connect(template)) as source,
            contextlib.closing(sqlite3.connect(path)) as copy,
        ):
            source.backup(copy)
        url = f"sqlite:///{path}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name = server.create_database(MIGRATED_TEMPLATE)
        request.addfinalizer(lambda: server.drop_database(name))
        url = server.url(name)
    site = folder / "build" / "site"
    for file, text in SITE_FILES.items():
        (site / file).parent.mkdir(parents=True, exist_ok=True)
        (site / file).write_text(text, encoding="utf-8")
    return {
        "TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret", "SITE_DIR": site,
        "SERVICE_DIR": folder / "build" / "service", "VAR_DIR": folder / "var", "REDIS_URL": None,
    }  # fmt: skip


def gunicorn_command(port: int, workers: int = 1, threads: int = 4) -> list[str]:
    """gunicorn serving the service on a loopback port, with the tests' settings file."""
    return ["gunicorn", "-c", str(GUNICORN_CONFIG), "-w", str(workers), "--threads", str(threads),
            "-b", f"127.0.0.1:{port}", "quiz_service:create_app()"]  # fmt: skip


def start_gunicorn(
    env: Mapping[str, str], port: int, workers: int = 1, threads: int = 4, new_session: bool = False
) -> Launched:
    """gunicorn (`gunicorn_command`) with `env`, forked by service_launcher.py; `new_session`: in
    a process group of its own (`os.killpg` then reaches its workers too)."""
    return launch(gunicorn_command(port, workers, threads), env, Path.cwd(), new_session=new_session)


@contextmanager
def gunicorn_services(env: Mapping[str, str], count: int = 2) -> Iterator[list[str]]:
    """`count` gunicorn processes (one worker, 4 threads each), each on its own port with its own
    app and database connections, as on separate hosts; yields their base URLs once all answer."""
    ports = [free_port() for _ in range(count)]
    services = [start_gunicorn(env, port) for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, service in zip(bases, services, strict=True):
            wait_until_serving(f"{base}/api/v1/health", service)
        yield bases
    finally:
        for service in services:
            service.send_signal(signal.SIGTERM)
        for service in services:
            service.wait(timeout=STARTUP_SECONDS)


def wait_until_serving(url: str, service: Launched) -> None:
    """Until `url` answers 2xx; fail with the service's output if it exits first."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if service.poll() is not None:
            pytest.fail(f"{' '.join(service.args)} exited with {service.returncode}:\n{service.output()}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"{' '.join(service.args)} did not answer {url}")


def browser_session(base: str) -> tuple[str, str]:
    """A session cookie and its CSRF token (the cookie is Secure: sent by hand over http)."""
    page = requests.get(f"{base}/auth/login", timeout=60)  # a first page, on a machine that may be busy
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
