"""GET /api/v1/health and the one error shape of the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from quiz_service import create_app
from quiz_service.core.service_bundle import BundleError


def error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def test_health_reports_the_database(client: FlaskClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "service_bundle": "missing"}


def test_health_reports_a_loaded_service_bundle(app_config: dict[str, Any]) -> None:
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True)
    (service_dir / "manifest.json").write_text('{"courses": [{"id": "fire-safety"}]}', encoding="utf-8")
    app = create_app(app_config)
    assert app.test_client().get("/api/v1/health").json["service_bundle"] == "loaded"
    app.extensions["oqu_db"].engine.dispose()


def test_a_manifest_entry_of_the_wrong_shape_is_named(app_config: dict[str, Any]) -> None:
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True)
    (service_dir / "manifest.json").write_text('{"courses": [{"access": "open"}]}', encoding="utf-8")
    with pytest.raises(BundleError, match=r"manifest\.json: courses\.0\.id: Field required$"):
        create_app(app_config)


def test_a_running_service_picks_up_a_new_build(app_config: dict[str, Any]) -> None:
    app = create_app(app_config)
    client = app.test_client()
    assert client.get("/api/v1/health").json["service_bundle"] == "missing"
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True)
    (service_dir / "manifest.json").write_text('{"courses": []}', encoding="utf-8")
    assert client.get("/api/v1/health").json["service_bundle"] == "loaded"
    (service_dir / "manifest.json").write_text("[1, 2", encoding="utf-8")  # a broken rebuild
    new = service_dir / "manifest.json.new"
    new.write_text("[1, 2", encoding="utf-8")
    new.replace(service_dir / "manifest.json")
    assert client.get("/api/v1/health").json["service_bundle"] == "loaded"  # keeps the last good one
    app.extensions["oqu_db"].engine.dispose()


def test_a_malformed_service_manifest_is_named(app_config: dict[str, Any]) -> None:
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True)
    (service_dir / "manifest.json").write_text("[1, 2", encoding="utf-8")
    with pytest.raises(BundleError, match=r"manifest\.json: not valid JSON: "):
        create_app(app_config)


def test_health_answers_503_when_the_database_is_down(
    database_kind: str, app_config: dict[str, Any], tmp_path: Path
) -> None:
    unreachable = {
        "sqlite": f"sqlite:///{tmp_path}/missing-folder/oqu.sqlite3",
        "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/oqu",
    }
    app = create_app(app_config | {"DATABASE_URL": unreachable[database_kind]})
    response = app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    assert response.json == error("database_unavailable", "The database does not answer.")
    ready = app.test_client().get("/api/v1/ready")
    assert ready.status_code == 503 and ready.headers["Retry-After"] == "5"
    assert ready.json == {
        "ready": False,
        "checks": {"database": "down", "redis": "not_used", "queue": "down"},
    }
    # Any request that needs the database: a clear 503 in the error shape, never a 500 or a traceback.
    me = app.test_client().get("/api/v1/me", headers={"Authorization": "Bearer oqu_x"})
    assert me.status_code == 503 and me.headers["Retry-After"] == "5"
    assert me.json == error("database_unavailable", "The database does not answer; try again shortly.")
    page = app.test_client().get("/auth/profile", headers={"Cookie": "oqu_session=x"})
    assert page.status_code in (302, 503) and "Traceback" not in page.text


def test_ready_when_every_dependency_answers(client: FlaskClient) -> None:
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    assert response.json == {"ready": True, "checks": {"database": "ok", "redis": "not_used", "queue": "ok"}}


def test_ready_says_the_queue_is_down_when_its_table_cannot_be_read(
    database_kind: str, app_config: dict[str, Any], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The database answers, but jobs cannot be asked for (no `jobs` table: not migrated)."""
    if database_kind == "sqlite":
        empty = f"sqlite:///{tmp_path}/empty.sqlite3"
    else:
        server = request.getfixturevalue("postgres_server")
        name = server.create_database("template0")
        request.addfinalizer(lambda: server.drop_database(name))
        empty = server.url(name)
    app = create_app(app_config | {"DATABASE_URL": empty})
    response = app.test_client().get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json == {
        "ready": False,
        "checks": {"database": "ok", "redis": "not_used", "queue": "down"},
    }
    app.extensions["oqu_db"].engine.dispose()


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_url_is_a_json_404(client: FlaskClient, method: str) -> None:
    response = getattr(client, method)("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json == error("not_found", "There is nothing at this address.")


def test_wrong_method_is_a_json_405_with_allow(client: FlaskClient) -> None:
    response = client.post("/api/v1/health")
    assert response.status_code == 405
    assert response.json == error(
        "method_not_allowed", "The method POST is not allowed here; allowed: GET, HEAD, OPTIONS."
    )
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_bad_json_is_a_400(client: FlaskClient, bearer: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/me/tokens", data='{"scope": [', content_type="application/json", headers=bearer
    )
    assert response.status_code == 400
    assert response.json == error("bad_json", "The request body is not valid JSON.")


def test_a_body_that_is_not_json_is_a_415(client: FlaskClient, bearer: dict[str, str]) -> None:
    response = client.post("/api/v1/me/tokens", data={"scope": "api"}, headers=bearer)
    assert response.status_code == 415
    assert response.json == error("unsupported_media_type", "Send the body as JSON (application/json).")


def test_unknown_keys_are_a_422(client: FlaskClient, bearer: dict[str, str]) -> None:
    response = client.post("/api/v1/me/tokens", json={"scopes": ["api"]}, headers=bearer)
    assert response.status_code == 422
    assert response.json == error("invalid_request", "scopes: Extra inputs are not permitted")


def test_a_bug_is_a_json_500_without_a_stack_trace(app: Flask) -> None:
    def broken() -> str:
        raise RuntimeError("secret detail of the bug")

    app.add_url_rule("/api/v1/broken", "broken", broken)
    app.add_url_rule("/broken", "broken_page", broken)
    client = app.test_client()
    response = client.get("/api/v1/broken")
    assert response.status_code == 500
    assert response.json == error("internal_error", "Internal error; it has been logged.")
    page = client.get("/broken?lang=ru")
    assert page.status_code == 500
    assert "Ошибка сервера" in page.text
    assert "secret detail" not in page.text + response.text
    assert "Traceback" not in page.text + response.text


def test_pages_outside_the_api_get_html_errors(client: FlaskClient) -> None:
    response = client.post("/auth/login/unknown")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1>Бет табылмады</h1>" in response.text
    assert "<h1>Page not found</h1>" in client.get("/auth/nothing?lang=en").text


def test_every_response_says_nosniff(client: FlaskClient) -> None:
    assert client.get("/api/v1/health").headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/").headers["X-Content-Type-Options"] == "nosniff"


def test_error_bodies_are_plain_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/me")
    assert response.mimetype == "application/json"
    assert json.loads(response.data) == error("unauthorized", "Sign in or send a bearer token.")
    assert response.headers["WWW-Authenticate"] == "Bearer"
