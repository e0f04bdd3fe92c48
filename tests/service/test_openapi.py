"""/api/v1/openapi.json describes every API rule, from the models that validate it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from auth.views import NewToken
from quiz_service.api import views
from quiz_service.core.openapi import build_spec, openapi_path


def api_rules(app: Flask) -> set[tuple[str, str]]:
    return {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def spec_operations(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, item in spec["paths"].items() for method in item}


def test_every_api_rule_is_described(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert api_rules(app) == spec_operations(spec)
    assert ("/api/v1/me/tokens/{token_id}", "delete") in spec_operations(spec)


def test_the_spec_is_described_once_per_app(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Flask] = []  # the app (proxied) each time it was described

    def counted(described_app: Flask) -> dict[str, Any]:
        built.append(described_app)
        return build_spec(described_app)

    monkeypatch.setattr(views, "build_spec", counted)
    first = client.get("/api/v1/openapi.json")
    second = client.get("/api/v1/openapi.json")
    assert first.status_code == second.status_code == 200
    assert first.json == second.json == build_spec(app)
    assert len(built) == 1


def test_the_spec_is_openapi_3_1_with_resolvable_references(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["title"] == "oqu service API"
    for reference in _references(spec):
        name = reference.removeprefix("#/components/schemas/")
        assert name in spec["components"]["schemas"], reference


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _references(value)]
    return []


def test_a_request_body_is_described_by_its_validating_model(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    issue = spec["paths"]["/api/v1/me/tokens"]["post"]
    schema = issue["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/NewToken"}
    described = spec["components"]["schemas"]["NewToken"]
    assert described == NewToken.model_json_schema(ref_template="#/components/schemas/{model}")
    assert described["additionalProperties"] is False
    assert set(issue["responses"]) == {"201", "400", "401", "403", "415", "422", "default"}
    assert issue["security"] == [{"bearer": []}, {"session": []}]


def test_path_parameters_are_typed(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    revoke = spec["paths"]["/api/v1/me/tokens/{token_id}"]["delete"]
    assert revoke["parameters"][0] == {
        "name": "token_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
    }
    assert "content" not in revoke["responses"]["204"]


def test_errors_share_one_schema(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    error = spec["components"]["schemas"]["ErrorResponse"]
    assert error["required"] == ["error"]
    health = spec["paths"]["/api/v1/health"]["get"]["responses"]
    assert health["default"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }
