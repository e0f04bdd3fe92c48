"""`oqu serve`: checks the build, migrates, then serves with gunicorn (the one server for demo and production)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from site_server import OQU, STARTUP_SECONDS, free_port, wait_for

from quiz_service import cli
from quiz_service.core import migrations

Oqu = Callable[..., Result]


def test_serve_without_a_build_says_what_to_do(run_oqu: Oqu, database_url: str) -> None:
    result = run_oqu("serve", database_url=database_url)
    assert result.exit_code == 1
    assert result.stderr == "Error: build/site not found: run `oqu build` first.\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Records what `oqu serve` would have served instead of serving it."""
    calls: dict[str, Any] = {}

    def fake_run_gunicorn(make_app: Callable[[], Flask], host: str, port: int, workers: int) -> None:
        calls.update(host=host, port=port, app=make_app(), workers=workers)

    monkeypatch.setattr(cli, "run_gunicorn", fake_run_gunicorn)
    return calls


def test_serve_migrates_then_serves(
    run_oqu: Oqu, empty_database_url: str, site_dir: Path, served: dict[str, Any]
) -> None:
    result = run_oqu("serve", "--port", "8123", database_url=empty_database_url)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Serving build/site at http://127.0.0.1:8123/ with 2 workers (Ctrl+C to stop)\n"
    assert (served["host"], served["port"], served["workers"]) == ("127.0.0.1", 8123, 2)
    app: Flask = served["app"]
    with app.app_context():
        assert migrations.is_up_to_date(app.extensions["oqu_db"].engine)
    client = app.test_client()
    assert client.get("/api/v1/health").json["database"] == "ok"
    assert "Курстар" in client.get("/").text
    assert "secure" not in client.get("/auth/login").headers["Set-Cookie"].lower()
    app.extensions["oqu_db"].engine.dispose()


def test_serve_on_a_public_address_keeps_cookies_secure(
    run_oqu: Oqu, database_url: str, site_dir: Path, served: dict[str, Any]
) -> None:
    result = run_oqu("serve", "--host", "0.0.0.0", database_url=database_url)
    assert result.exit_code == 0, result.output
    assert result.stderr == "Session cookies are Secure: put the service behind HTTPS.\n"
    app: Flask = served["app"]
    assert "secure" in app.test_client().get("/auth/login").headers["Set-Cookie"].lower()
    app.extensions["oqu_db"].engine.dispose()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False), ("10.1.2.3", False)],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert cli.is_loopback(host) is loopback


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue  # the process ended while we read
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_serve_runs_gunicorn_workers_and_stops_on_ctrl_c(
    database_url: str, site_dir: Path, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "OQU_DATABASE_URL": database_url,
        "OQU_SITE_DIR": str(site_dir),
        "OQU_SERVICE_DIR": str(tmp_path / "build" / "service"),
        "OQU_VAR_DIR": str(tmp_path / "var"),
    }
    port = free_port()
    process = subprocess.Popen(
        [*OQU, "serve", "--port", str(port), "--workers", "2"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/health", process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=10) as response:
            assert json.load(response)["database"] == "ok"
            assert response.headers["Server"] == "gunicorn"  # no gunicorn, Werkzeug or Python version
        deadline = time.monotonic() + STARTUP_SECONDS  # the arbiter forks its workers one after the other
        while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_children(process.pid)) == 2  # gunicorn's arbiter and its two workers
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
    output = process.stdout.read().decode() if process.stdout else ""
    assert "with 2 workers" in output and "development server" not in output
