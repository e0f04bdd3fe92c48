"""Ids in URLs out of the database's range (issue #10, finding 7): every route with an `<int:…>`
answers 404 in the one error shape (the styled page outside /api/), on SQLite and PostgreSQL,
never a 500 from the query (SQLite's OverflowError, PostgreSQL's out-of-range integer)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from auth_helpers import PASSWORD, csrf_from_form
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter, Rule

from auth.models import Role, User
from quiz_service.core.openapi import RULE_ARGUMENT
from quiz_service.core.route_ids import MAX_ROW_ID

ADMIN = "admin@oqu.example.kz"
# Past PostgreSQL's integer, past SQLite's 64 bits, and the number of the report.
OUT_OF_RANGE = (MAX_ROW_ID + 1, 2**63, 99999999999999999999999)
OTHER_ARGUMENTS = {
    "course": "fire-safety",
    "quiz": "exam",
    "question": "gas",
    "schedule": "fire-safety",  # quiz_service/schedules
    "class_id": "live-1",
    "assignment": "report",
}
INT_ROUTES_AT_LEAST = (
    12  # attempts (4), teacher attempts and grades (4), overrides (2), admin (2), tokens (1)
)


def int_rules(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(converter, IntegerConverter) for converter in rule._converters.values())
    ]


def requests_of(rule: Rule, number: int) -> Iterator[tuple[str, str]]:
    """(method, URL) of the rule with every whole-number argument set to `number`."""

    def value(argument: re.Match[str]) -> str:
        return str(number) if argument["converter"] == "int" else OTHER_ARGUMENTS[argument["name"]]

    path = RULE_ARGUMENT.sub(value, rule.rule)
    for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
        yield method, path


@pytest.fixture
def admin_browser(app: Flask, make_user: Callable[..., User], make_token: Callable[..., str]) -> FlaskClient:
    make_user(email=ADMIN, role=Role.ADMIN, full_name="Оқу бөлімі", group=None, password=PASSWORD)
    browser = app.test_client()
    form = {
        "email": ADMIN,
        "password": PASSWORD,
        "csrf_token": csrf_from_form(browser.get("/auth/login").text),
    }
    assert browser.post("/auth/login", data=form).status_code == 303
    return browser


def test_every_id_out_of_range_in_a_url_is_a_404_in_the_error_shape(
    app: Flask, admin_browser: FlaskClient
) -> None:
    csrf = admin_browser.get("/api/v1/me").json["csrf_token"]
    rules = int_rules(app)
    assert len(rules) >= INT_ROUTES_AT_LEAST
    for rule in rules:
        for number in OUT_OF_RANGE:
            for method, path in requests_of(rule, number):
                response = (
                    admin_browser.open(path, method=method, json={}, headers={"X-CSRF-Token": csrf})
                    if path.startswith("/api/")
                    else admin_browser.open(path, method=method, data={"csrf_token": csrf})
                )
                where = f"{method} {path}"
                assert response.status_code == 404, where
                if path.startswith("/api/"):
                    assert response.json == {
                        "error": {"code": "not_found", "message": "There is nothing at this address."}
                    }, where
                else:
                    assert response.mimetype == "text/html" and "Бет табылмады" in response.text, where


def test_the_largest_id_in_range_still_reaches_the_view(admin_browser: FlaskClient) -> None:
    missing = admin_browser.get(f"/api/v1/attempts/{MAX_ROW_ID}")
    assert (missing.status_code, missing.json["error"]["code"]) == (404, "not_found")
    assert missing.json["error"]["message"] == "There is no such attempt of yours."  # the view's own 404


def test_the_command_line_refuses_a_token_id_out_of_range(
    run_oqu: Callable[..., Result], database_url: str
) -> None:
    refused = run_oqu("users", "revoke-token", str(2**63), database_url=database_url)
    assert refused.exit_code == 2 and "is not in the range 0<=x<=2147483647" in refused.output
