"""Orders of the head (distance-learning mode, R4) and announcements published from the service
at once: who may publish, when an order is in force and for whom, the history, the office's page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from auth_helpers import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient
from quiz_bundle import ServerClock

from auth.models import Role, User
from quiz_service.core import events

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 08:00 on 23 November in Kazakhstan
ORDER = {
    "number": "№ 112-ж",
    "signed_on": "2026-11-20",
    "starts_on": "2026-11-23",
    "until": "2026-12-06",
    "note": {
        "kk": "Тұмау мен ЖРВИ бойынша карантин.",
        "ru": "Карантин по гриппу и ОРВИ.",
    },
}
Browser = Callable[..., FlaskClient]


@pytest.fixture
def clock(app: Flask) -> ServerClock:
    clock = ServerClock(NOW)
    app.extensions["oqu_clock"] = clock
    return clock


@pytest.fixture
def signed_in(app: Flask, make_user: Callable[..., User]) -> Browser:
    def make(**fields: Any) -> FlaskClient:
        user = make_user(password=PASSWORD, **fields)
        browser = app.test_client()
        page = browser.get("/auth/login")
        form = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_from_form(page.text)}
        assert browser.post("/auth/login", data=form).status_code == 303
        browser.user = user  # type: ignore[attr-defined]
        return browser

    return make


@pytest.fixture
def office(signed_in: Browser, clock: ServerClock) -> FlaskClient:
    return signed_in(role=Role.ADMIN, email="qo@academy.example.kz", full_name="Оқу бөлімі")


def post(browser: FlaskClient, path: str, body: dict[str, Any] | None = None) -> Any:
    token = browser.get("/api/v1/me").get_json()["csrf_token"]
    return browser.post(f"/api/v1/notices{path}", json=body or {}, headers={"X-CSRF-Token": token})


def notices(browser: FlaskClient, lang: str = "kk") -> dict[str, Any]:
    response = browser.get(f"/api/v1/notices?lang={lang}")
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def test_without_an_order_in_the_service_the_built_banner_stays(
    client: FlaskClient, clock: ServerClock
) -> None:
    body = notices(client)
    assert body["today"] == "2026-11-23"
    assert body["distance_learning"] == {
        "managed": False,
        "in_force": False,
        "banner": None,
        "order_line": None,
        "note": None,
        "orders": [],
    }
    assert body["announcements"] == []


def test_an_order_for_everyone_is_in_force_from_its_first_day_to_its_last(
    office: FlaskClient, client: FlaskClient, clock: ServerClock
) -> None:
    clock.move(days=-1)  # 22 November: issued the day before it starts
    issued = post(office, "/orders", ORDER)
    assert issued.status_code == 201, issued.text
    assert issued.get_json()["number"] == "112-ж" and issued.get_json()["groups"] == []
    assert notices(client)["distance_learning"]["in_force"] is False  # not yet
    assert notices(client)["distance_learning"]["managed"] is True  # the built banner gives way
    clock.move(days=1)  # 23 November, 08:00 in Kazakhstan
    mode = notices(client)["distance_learning"]
    assert mode["in_force"] is True
    assert mode["banner"] == (
        "Қашықтан оқыту режимі: бастықтың 2026 жылғы 20 қараша № 112-ж бұйрығы — Тұмау мен ЖРВИ бойынша карантин."
    )
    assert mode["order_line"] == "Қашықтан оқыту режимі: бастықтың 2026 жылғы 20 қараша № 112-ж бұйрығы"
    assert mode["note"] == "Тұмау мен ЖРВИ бойынша карантин."
    russian = notices(client, "ru")["distance_learning"]["banner"]
    assert (
        russian
        == "Режим дистанционного обучения: приказ начальника № 112-ж от 20 ноября 2026 г. — Карантин по гриппу и ОРВИ."
    )
    english = notices(client, "en")["distance_learning"]["banner"]
    assert english.startswith("Distance learning mode: order of the head No. 112-ж of 20 November 2026 — ")
    clock.move(days=13, hours=15)  # 6 December 23:00 in Kazakhstan (18:00 UTC): the last day
    assert notices(client)["distance_learning"]["in_force"] is True
    clock.move(hours=1)  # midnight in Kazakhstan, still 6 December in UTC
    assert notices(client)["distance_learning"]["in_force"] is False


def test_an_order_for_groups_shows_to_their_students_only(
    office: FlaskClient, client: FlaskClient, signed_in: Browser
) -> None:
    assert post(office, "/orders", ORDER | {"groups": ["ТҚ-21", "ӨҚ-22"], "until": None}).status_code == 201
    assert notices(signed_in(group="ТҚ-21"))["distance_learning"]["in_force"] is True
    assert notices(signed_in(group="ТҚ-31"))["distance_learning"]["in_force"] is False
    assert notices(client)["distance_learning"]["in_force"] is False  # anonymous: no group


def test_ending_an_order_keeps_it_in_the_history(office: FlaskClient, client: FlaskClient) -> None:
    first = post(office, "/orders", ORDER | {"until": None}).get_json()
    ended = post(office, f"/orders/{first['id']}/end", {"on": "2026-11-22"})
    assert ended.status_code == 422  # before it started
    assert ended.get_json()["error"]["code"] == "invalid_order"
    ended = post(office, f"/orders/{first['id']}/end", {"on": "2026-11-23"})
    assert ended.status_code == 200 and ended.get_json()["until"] == "2026-11-23"
    again = post(office, f"/orders/{first['id']}/end", {"on": "2026-11-24"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_ended"
    second = post(
        office, "/orders", ORDER | {"number": "120-ж", "signed_on": "2026-11-23", "starts_on": "2026-11-25"}
    )
    history = office.get("/api/v1/notices/orders").get_json()["orders"]
    assert [order["number"] for order in history] == ["120-ж", "112-ж"]
    assert history[1]["ended_at"] is not None and second.status_code == 201
    assert notices(client)["distance_learning"]["in_force"] is True  # 23 November, its last day


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"until": "2026-11-22"}, "invalid_order"),  # ends before it starts
        ({"signed_on": "2026-11-24"}, "invalid_order"),  # starts before it is signed
        ({"number": "№ "}, "invalid_order"),
        ({"starts_on": "23.11.2026"}, "invalid_request"),
    ],
)
def test_a_bad_order_is_refused_with_the_one_error_shape(
    office: FlaskClient, change: dict[str, Any], field: str
) -> None:
    response = post(office, "/orders", ORDER | change)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == field
    assert office.get("/api/v1/notices/orders").get_json()["orders"] == []


def test_only_the_academic_office_publishes(
    signed_in: Browser, client: FlaskClient, clock: ServerClock
) -> None:
    for role in (Role.STUDENT, Role.TEACHER):
        browser = signed_in(role=role)
        assert post(browser, "/orders", ORDER).status_code == 403
        assert post(browser, "/announcements", {"title": {"kk": "Т"}, "text": {"kk": "Т"}}).status_code == 403
        assert browser.get("/api/v1/notices/orders").status_code == 403
        assert browser.get("/admin/notices?lang=kk").status_code == 403
    assert client.post("/api/v1/notices/orders", json=ORDER).status_code in (401, 403)
    assert client.get("/admin/notices").status_code == 302


def test_announcements_show_until_their_day_or_withdrawal(
    office: FlaskClient, client: FlaskClient, clock: ServerClock
) -> None:
    urgent = post(
        office,
        "/announcements",
        {
            "title": {"kk": "Ертеңгі вебинар ауыстырылды", "ru": "Завтрашний вебинар перенесён"},
            "text": {"kk": "Вебинар 25 қарашада 15:00-де өтеді.", "ru": "Вебинар пройдёт 25 ноября в 15:00."},
            "urgent": True,
            "until": "2026-11-25",
        },
    )
    assert urgent.status_code == 201, urgent.text
    plain = post(office, "/announcements", {"title": {"kk": "Кітапхана"}, "text": {"kk": "Жаңа оқулықтар."}})
    shown = notices(client)["announcements"]
    assert [item["title"] for item in shown] == ["Ертеңгі вебинар ауыстырылды", "Кітапхана"]  # urgent first
    assert (
        notices(client, "en")["announcements"][0]["title"] == "Ертеңгі вебинар ауыстырылды"
    )  # the next language
    assert notices(client, "ru")["announcements"][1]["text"] == "Жаңа оқулықтар."
    clock.move(days=3)  # 26 November: the urgent one's day has passed
    assert [item["title"] for item in notices(client)["announcements"]] == ["Кітапхана"]
    assert post(office, f"/announcements/{plain.get_json()['id']}/withdraw").status_code == 200
    assert notices(client)["announcements"] == []
    empty = post(office, "/announcements", {"title": {"kk": " "}, "text": {"kk": "Мәтін"}})
    assert empty.status_code == 422 and empty.get_json()["error"]["code"] == "invalid_announcement"


def test_orders_and_announcements_are_domain_events(office: FlaskClient) -> None:
    seen: list[events.DomainEvent] = []
    unsubscribe = events.subscribe(events.DomainEvent, lambda _connection, event: seen.append(event))
    try:
        order = post(office, "/orders", ORDER).get_json()
        post(office, "/announcements", {"title": {"kk": "Т"}, "text": {"kk": "М"}, "urgent": True})
    finally:
        unsubscribe()
    kinds = [type(event).__name__ for event in seen]
    assert "DLOrderIssued" in kinds and "AnnouncementPublished" in kinds
    issued = next(event for event in seen if isinstance(event, events.DLOrderIssued))
    assert issued.order_id == order["id"] and issued.number == "112-ж"


def test_the_office_page_publishes_an_order_and_lists_the_history(
    office: FlaskClient, client: FlaskClient
) -> None:
    page = office.get("/admin/notices?lang=kk")
    assert page.status_code == 200
    assert "Бастықтың қашықтан оқытуға ауыстыру туралы бұйрықтары" in page.text
    form = {
        "csrf_token": csrf_from_form(page.text),
        "lang": "kk",
        "number": "112-ж",
        "signed_on": "2026-11-20",
        "starts_on": "2026-11-23",
        "groups": "ТҚ-21, ӨҚ-22",
        "note_kk": "Карантин.",
    }
    done = office.post("/admin/notices/orders", data=form)
    assert done.status_code == 303
    page = office.get(done.headers["Location"])
    assert "Бұйрық жарияланды" in page.text
    assert "№ 112-ж" in page.text and "ТҚ-21, ӨҚ-22" in page.text and "күшінде" in page.text
    bad = office.post("/admin/notices/orders", data=form | {"starts_on": "2026-11-19"})
    assert bad.status_code == 422 and "Бұйрықты тексеріңіз" in bad.text
    without_token = office.post(
        "/admin/notices/orders", data={k: v for k, v in form.items() if k != "csrf_token"}
    )
    assert without_token.status_code == 400  # the CSRF check refuses a form without its token
    assert len(office.get("/api/v1/notices/orders").get_json()["orders"]) == 1
    assert "Бұйрықтар мен хабарландырулар" in office.get("/my/?lang=kk").text  # in the office's menu
