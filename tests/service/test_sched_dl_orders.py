"""R4: the head's orders moving students to distance learning, published by the academic office
at once, public while in force, kept as history; an order is a domain event."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from auth_helpers import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient

from auth.models import Role, User
from quiz_service.core import events

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # 8 December, 01:00 in Almaty


@pytest.fixture
def office(app: Flask, make_user: Callable[..., User]) -> tuple[FlaskClient, dict[str, str]]:
    app.extensions["oqu_clock"] = lambda: NOW
    admin = make_user(email="office@oqu.example.kz", role=Role.ADMIN, group=None, password=PASSWORD)
    browser = app.test_client()
    form = {
        "email": admin.email,
        "password": PASSWORD,
        "csrf_token": csrf_from_form(browser.get("/auth/login").text),
    }
    assert browser.post("/auth/login", data=form).status_code == 303
    return browser, {"X-CSRF-Token": browser.get("/api/v1/me").json["csrf_token"]}


@pytest.fixture
def issued() -> Iterator[list[events.DLOrderIssued]]:
    seen: list[events.DLOrderIssued] = []

    def keep(_: Any, event: events.DLOrderIssued) -> None:
        seen.append(event)

    stop = events.subscribe(events.DLOrderIssued, keep)
    yield seen
    stop()


def test_an_order_is_in_force_at_once_and_kept(
    app: Flask, office: tuple[FlaskClient, dict[str, str]], issued: list[events.DLOrderIssued]
) -> None:
    browser, csrf = office
    old = {"number": "№ 98-ж", "signed_on": "2026-10-01", "starts": "2026-10-02", "ends": "2026-10-20"}
    new = {
        "number": "№ 112-ж",
        "signed_on": "2026-12-07",
        "groups": ["ПБ-21", "ПБ-22"],
        "starts": "2026-12-08",
    }
    assert browser.post("/api/v1/schedules/dl-orders", json=old, headers=csrf).status_code == 201
    made = browser.post("/api/v1/schedules/dl-orders", json=new, headers=csrf)
    assert made.status_code == 201 and made.json["groups"] == ["ПБ-21", "ПБ-22"]
    current = app.test_client().get("/api/v1/schedules/dl-orders/current").json  # anyone, no session
    assert [o["number"] for o in current["orders"]] == ["№ 112-ж"]  # 8 December in Almaty: in force
    history = browser.get("/api/v1/schedules/dl-orders/history").json["orders"]
    assert [o["number"] for o in history] == ["№ 112-ж", "№ 98-ж"]
    assert [(e.number, e.groups) for e in issued] == [("№ 98-ж", ()), ("№ 112-ж", ("ПБ-21", "ПБ-22"))]
    backwards = browser.post(
        "/api/v1/schedules/dl-orders", json={**old, "number": "№ 1", "ends": "2026-10-01"}, headers=csrf
    )
    assert backwards.status_code == 422 and backwards.json["error"]["code"] == "order_period_wrong"


def test_the_office_page_publishes_and_lists(app: Flask, office: tuple[FlaskClient, dict[str, str]]) -> None:
    browser, _ = office
    page = browser.get("/schedules/dl-orders?lang=kk")
    assert page.status_code == 200 and "Бұйрықтар жоқ." in page.text
    form = {
        "csrf_token": csrf_from_form(page.text),
        "number": "№ 112-ж",
        "signed_on": "2026-12-07",
        "starts": "2026-12-08",
        "groups": "ПБ-21",
    }
    assert browser.post("/schedules/dl-orders", data=form).status_code == 303
    listed = browser.get("/schedules/dl-orders?lang=kk").text
    assert "№ 112-ж" in listed and "күшінде" in listed
    bad = browser.post("/schedules/dl-orders", data={**form, "starts": "not a date"})
    assert bad.status_code == 422 and "Нөмірін және күндерін толтырыңыз." in bad.text
