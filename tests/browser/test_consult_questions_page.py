"""Questions to teachers in Chromium on the example site with the real `oqu serve`: a student asks
on a lesson page (consult.js), the teacher answers and publishes it on the teacher's page, and
the FAQ shows on the static course page without the student's name. The term's slots declared in
consultations.yml are published by `oqu consultations publish-declared`. Screenshots at 1280 and
390 px (docs/images/consultations-ask-…, …-faq-…); axe-core finds no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from site_server import add_accounts, oqu_serving, run_oqu_here, sign_in
from test_quiz_accessibility import violations

PASSWORD = "құпия-сөз-2026"
TEACHER = "d.ospanova@academy.example.kz"  # a teacher of fire-safety in the example course.yml
STUDENT = "aigerim.q@oqu.example.kz"
LESSON = "/kk/courses/fire-safety/combustion/fire-triangle/"
# Screenshots only when asked (CONSULT_SCREENSHOTS=docs/images): a test run never writes into the checkout.
IMAGES = Path(os.environ.get("CONSULT_SCREENSHOTS", ""))
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    env = {**os.environ, "OQU_VAR_DIR": str(tmp_path_factory.mktemp("consult-questions-var"))}
    add_accounts(
        example_site, env, PASSWORD, {STUDENT: "Айгерім Қасымова"}, "ӨҚ-42", {TEACHER: "Динара Оспанова"}
    )
    (published,) = run_oqu_here(example_site, env, [(["consultations", "publish-declared"], None)])
    with oqu_serving(example_site, env) as base:
        yield base, published


def person(browser: Browser, base: str, email: str, target: str) -> Page:
    page = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, base, email, PASSWORD, target)
    return page


def shoot(page: Page, name: str, locator: str) -> None:
    if not os.environ.get("CONSULT_SCREENSHOTS"):
        return
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator(locator).scroll_into_view_if_needed()
        page.screenshot(path=str(IMAGES / f"consultations-{name}-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})


def test_ask_answer_publish_and_the_faq_shows(browser: Browser, served: tuple[str, str]) -> None:
    base, published = served
    # The term's declared slots: Ospanova's are published (she has an account), Zhumabayeva's wait.
    assert f"fire-safety {TEACHER}: 2 slot(s) published" in published
    assert "a.zhumabayeva@academy.example.kz: not published" in published

    student = person(browser, base, STUDENT, LESSON)
    form = student.locator(".oqu-ask")
    form.get_by_role("button", name="Сұрақты жіберу").click()
    expect(form.get_by_role("status")).to_have_text("Сұрақты жазыңыз.")
    form.get_by_label("Осы сабақ бойынша сұрағыңыз").fill("Жану үшбұрышының қай қабырғасын алып тастау оңай?")
    form.get_by_role("button", name="Сұрақты жіберу").click()
    expect(form.get_by_role("status")).to_have_text("Сұрағыңыз жіберілді.")
    expect(form.locator(".oqu-ask__mine")).to_contain_text("Жауап күтілуде")
    assert violations(student, ".oqu-ask") == []
    shoot(student, "ask", ".oqu-ask")

    teacher = person(browser, base, TEACHER, "/teach/consultations/fire-safety")
    question = teacher.locator("section.question").filter(has_text="қабырғасын")
    expect(question).to_contain_text("Айгерім Қасымова")
    # Her declared slots are on her page too.
    expect(teacher.locator("main")).to_contain_text("Жеке консультация: өрт сөндіргіштер")
    question.get_by_label("Жауап").fill("Көбіне жылуды: суық су немесе көбік жануды тоқтатады.")
    question.get_by_role("button", name="Жауап беру").click()
    teacher.locator("details").filter(has_text="қабырғасын").locator("summary").click()
    answered = teacher.locator("section.question").filter(has_text="Көбіне жылуды")
    expect(answered.get_by_label("Жиі қойылатын сұрақтарда (атсыз)")).to_have_value(
        "Жану үшбұрышының қай қабырғасын алып тастау оңай?"
    )
    answered.get_by_role("button", name="Жиі қойылатын сұрақтарға жариялау").click()

    student.reload()
    expect(student.locator(".oqu-ask__mine")).to_contain_text("Көбіне жылуды")
    student.goto(f"{base}/kk/courses/fire-safety/")
    expect(student.get_by_role("link", name="Консультацияға жазылу")).to_have_attribute(
        "href", "consultations/"
    )
    faq = student.locator(".oqu-faq")
    expect(faq.locator("dt")).to_have_text(["Жану үшбұрышының қай қабырғасын алып тастау оңай?"])
    expect(faq.locator("dd")).to_have_text(["Көбіне жылуды: суық су немесе көбік жануды тоқтатады."])
    assert "Қасымова" not in faq.inner_text()
    assert violations(student, ".oqu-faq") == []
    shoot(student, "faq", ".oqu-faq")
