"""`oqu serve`: checks the build, migrates, then serves with werkzeug's threaded server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask

from quiz_service import cli, migrations

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

    def fake_run_simple(host: str, port: int, app: Flask, **options: Any) -> None:
        calls.update(host=host, port=port, app=app, options=options)

    monkeypatch.setattr(cli, "run_simple", fake_run_simple)
    return calls


def test_serve_migrates_then_serves(
    run_oqu: Oqu, empty_database_url: str, site_dir: Path, served: dict[str, Any]
) -> None:
    result = run_oqu("serve", "--port", "8123", database_url=empty_database_url)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Serving build/site at http://127.0.0.1:8123/ (Ctrl+C to stop)\n"
    assert (served["host"], served["port"], served["options"]) == ("127.0.0.1", 8123, {"threaded": True})
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
