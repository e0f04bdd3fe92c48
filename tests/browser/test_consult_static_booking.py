"""Booking in place on the static course's consultations page (book.js) in Chromium, with the
real `oqu serve`: a student books with the keyboard, a second joins the waitlist, the first
cancels and the second is offered the seat and takes it, without leaving the static page. A
signed-out reader keeps the link to the service's booking page. axe-core finds no WCAG 2.1 A/AA
violation; screenshots at 1280 and 390 px (docs/images/consultations-static-…)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from site_server import add_accounts, oqu_serving, sign_in
from test_quiz_accessibility import violations

PASSWORD = "құпия-сөз-2026"
TEACHER = "d.ospanova@academy.example.kz"  # a teacher of fire-safety in the example course.yml
FIRST, SECOND = "dana.static@oqu.example.kz", "erzhan.static@oqu.example.kz"
PAGE = "/kk/courses/fire-safety/consultations/"
# Screenshots only when asked (CONSULT_SCREENSHOTS=docs/images): a test run never writes into the checkout.
IMAGES = Path(os.environ.get("CONSULT_SCREENSHOTS", ""))
pytestmark = pytest.mark.browser

PUBLISH = """async (slot) => {
  const me = await (await fetch("/api/v1/me", {headers: {Accept: "application/json"}})).json();
  const answer = await fetch("/api/v1/consultations/fire-safety/slots", {
    method: "POST", body: JSON.stringify(slot),
    headers: {"Content-Type": "application/json", "X-CSRF-Token": me.csrf_token},
  });
  return answer.status;
}"""


@pytest.fixture(scope="module")
def served(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {**os.environ, "OQU_VAR_DIR": str(tmp_path_factory.mktemp("consult-static-var"))}
    students = {FIRST: "Дана Серікқызы", SECOND: "Ержан Асанұлы"}
    add_accounts(example_site, env, PASSWORD, students, "ӨҚ-43", {TEACHER: "Динара Оспанова"})
    with oqu_serving(example_site, env) as base:
        yield base


def person(browser: Browser, base: str, email: str, target: str) -> Page:
    page = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, base, email, PASSWORD, target)
    return page


def shoot(page: Page, name: str) -> None:
    if not os.environ.get("CONSULT_SCREENSHOTS"):
        return
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(IMAGES / f"consultations-static-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_signed_out_reader_keeps_the_service_link(browser: Browser, served: str) -> None:
    page = browser.new_page()  # dl-orientation is open: its pages are read signed out
    page.goto(f"{served}/kk/courses/dl-orientation/consultations/")
    link = page.locator(".oqu-book").get_by_role("link", name="Консультацияға жазылу")
    expect(link).to_have_attribute("href", "/consultations/dl-orientation?lang=kk")
    expect(page.locator(".oqu-book")).to_contain_text("жүйеге кіріңіз")
    expect(page.locator(".oqu-book__list")).to_have_count(0)
    page.goto(f"{served}/kk/courses/dl-orientation/")
    expect(page.get_by_role("link", name="Консультацияға жазылу")).to_have_attribute("href", "consultations/")
    page.close()


def test_book_wait_cancel_offer_in_place(browser: Browser, served: str) -> None:
    start = (datetime.now(ZoneInfo("Asia/Almaty")) + timedelta(days=4)).replace(
        hour=15, minute=20, second=0, microsecond=0
    )
    teacher = person(browser, served, TEACHER, PAGE)
    expect(teacher.locator(".oqu-book")).to_contain_text("оқытушы бетінде басқарады")
    slot = {
        "starts_at": start.isoformat(), "minutes": 30, "seats": 1, "mode": "online",
        "link": "https://meet.example.kz/ospanova-static", "title": "Статикалық беттегі кеңес",
    }  # fmt: skip
    assert teacher.evaluate(PUBLISH, slot) == 201

    first = person(browser, served, FIRST, PAGE)
    item = first.locator(".oqu-book__slot").filter(has_text="Статикалық беттегі кеңес")
    expect(item).to_contain_text("Бос орындар: 1 / 1")
    expect(item).to_contain_text(f"{start:%H:%M}–{start + timedelta(minutes=30):%H:%M}")
    expect(first.locator(".oqu-book__zone")).to_have_text("Астана уақыты (UTC+5)")
    assert "meet.example.kz" not in first.content()
    assert violations(first, ".oqu-book") == []
    shoot(first, "open")
    # Keyboard only: the topic field, type, Enter submits; the status line says what happened.
    item.get_by_label("Тақырып (міндетті емес)").focus()
    first.keyboard.type("Көбікті өрт сөндіргіш")
    first.keyboard.press("Enter")
    status = first.locator(".oqu-book").get_by_role("status")
    expect(status).to_have_text("Сіз жазылдыңыз. Растау хаты поштаңызға келеді.")
    booked = first.locator(".oqu-book__slot[data-state=booked]")
    expect(booked.get_by_role("link", name="Кездесу сілтемесі")).to_have_attribute(
        "href", "https://meet.example.kz/ospanova-static"
    )
    expect(booked.get_by_role("button", name="Жазылудан бас тарту")).to_be_focused()
    assert first.url.endswith(PAGE)  # booked in place
    assert violations(first, ".oqu-book") == []
    shoot(first, "booked")

    second = person(browser, served, SECOND, PAGE)
    full = second.locator(".oqu-book__slot").filter(has_text="Статикалық беттегі кеңес")
    expect(full).to_contain_text("Бос орындар: 0 / 1")
    full.get_by_role("button", name="Күту тізіміне жазылу").focus()
    second.keyboard.press("Enter")
    expect(second.locator(".oqu-book").get_by_role("status")).to_have_text(
        "Бос орын жоқ: сіз күту тізіміндесіз, кезектегі орны: 1."
    )
    expect(second.locator(".oqu-book__slot[data-state=waiting]")).to_contain_text("кезектегі орны: 1")
    assert "meet.example.kz" not in second.content()
    shoot(second, "waiting")

    first.locator(".oqu-book__slot[data-state=booked]").get_by_role(
        "button", name="Жазылудан бас тарту"
    ).click()
    expect(status).to_have_text("Жазылу тоқтатылды.")
    # The freed seat is held for the waiting student, not given back to whoever presses first.
    expect(first.locator(".oqu-book__slot[data-state=none]")).to_contain_text("Бос орындар: 0 / 1")

    second.reload()
    offer = second.locator(".oqu-book__slot[data-state=offered]")
    expect(offer).to_contain_text("Сізге орын ұсынылды")
    assert violations(second, ".oqu-book") == []
    shoot(second, "offered")
    offer.get_by_role("button", name="Орынды алу").click()
    expect(second.locator(".oqu-book").get_by_role("status")).to_have_text(
        "Орын сіздікі. Растау хаты поштаңызға келеді."
    )
    expect(second.locator(".oqu-book__slot[data-state=booked]").get_by_role("link")).to_have_attribute(
        "href", "https://meet.example.kz/ospanova-static"
    )
    # The Russian page shows the same place in Russian.
    second.goto(f"{served}/ru/courses/fire-safety/consultations/")
    expect(second.locator(".oqu-book__slot[data-state=booked]")).to_contain_text("Вы записаны.")
    assert violations(second, ".oqu-book") == []
