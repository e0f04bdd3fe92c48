"""Issue 12, items 1–5 in Chromium: a student sees where to type in every kind of quiz input
(a visible edge, a focus ring) and types into each; the rules panel says the pass mark, the
attempts and the delay; a submit with unanswered questions asks first and names them; the
review shows what the student answered; after it, the start button is disabled and says when
the next attempt may start (in the course's zone, named).

The example's current assessment (fire-safety, combustion-check: single, multiple, true/false,
short, numeric, matching, ordering, fill-in) gets an essay question in a copy of the site, so
that one attempt holds every input the quiz module draws.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import site_server
from playwright.sync_api import Locator, Page, expect
from site_server import add_accounts, oqu_serving
from test_quiz_accessibility import violations

from builder.pipeline import build_site

QUIZ = "content/courses/fire-safety/quizzes/combustion-check.yml"
LESSON = "/kk/courses/fire-safety/combustion/hazard-properties/"
EMAIL = "madina@oqu.example.kz"
PASSWORD = "құпия-сөз-2026"
ESSAY = """
  - id: own-words
    type: essay
    points: 2
    text:
      kk: Жану үшбұрышын өз сөзіңізбен түсіндіріңіз.
      ru: Объясните треугольник горения своими словами.
"""
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("ux-quiz") / "site"
    shutil.copytree(example_site, root, symlinks=True, ignore=shutil.ignore_patterns("var"))
    quiz = root / QUIZ
    quiz.write_text(quiz.read_text(encoding="utf-8").rstrip("\n") + "\n" + ESSAY, encoding="utf-8")
    build_site(root, root / "build", paper=False)
    env = {**os.environ, "OQU_VAR_DIR": str(root / "var")}
    add_accounts(root, env, PASSWORD, {EMAIL: "Мадина Серікова"}, "ӨҚ-32")
    with oqu_serving(root, env) as base:
        yield base


def question(page: Page, text: str) -> Locator:
    return page.locator("fieldset[data-question]", has_text=text)


def assert_visible_edge(box: Locator) -> None:
    """A border of at least 1 px in a colour with at least 3:1 contrast on the white page."""
    style = box.evaluate(
        "e => { const s = getComputedStyle(e); return [s.borderTopWidth, s.borderTopStyle, s.borderTopColor]; }"
    )
    width, kind, colour = style
    assert float(width.removesuffix("px")) >= 1 and kind == "solid", style
    channels = [int(c) for c in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3]]

    def linear(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(channels[0]) + 0.7152 * linear(channels[1]) + 0.0722 * linear(channels[2])
    assert 1.05 / (luminance + 0.05) >= 3, style


def assert_focus_ring(page: Page, box: Locator) -> None:
    box.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focused by the keyboard: :focus-visible applies
    outline = box.evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]")
    assert outline[0] == "solid" and float(outline[1].removesuffix("px")) >= 2, outline


def type_into(box: Locator, text: str) -> None:
    box.click()
    box.press_sequentially(text)  # typed key by key, as a student does
    box.press("Tab")


def test_every_input_kind_rules_confirmation_and_the_answers_in_the_review(page: Page, served: str) -> None:
    site_server.sign_in(page, served, EMAIL, PASSWORD, LESSON)
    rules = page.locator(".oqu-quiz__rules")
    expect(rules).to_contain_text("Тест ережелері")
    expect(rules.locator("dt")).to_have_text(
        ["Уақыт шегі", "Пайдаланылған талпыныстар", "Қалған талпыныстар", "Өту шегі",
         "Талпыныстар арасындағы үзіліс"]
    )  # fmt: skip
    expect(rules.locator("dd")).to_have_text(["Шектелмеген", "3 ішінен 0", "3", "60%", "10 мин"])
    page.get_by_role("button", name="Талпынысты бастау").click()
    expect(page.get_by_role("button", name="Тапсыру")).to_be_visible()  # the attempt replaced the preview
    status = page.locator(".oqu-quiz__status")

    boxes = page.locator(".oqu-quiz input[type=text], .oqu-quiz textarea, .oqu-quiz select")
    expect(boxes).to_have_count(1 + 1 + 3 + 1 + 1)  # short, numeric, 3 matching selects, 1 blank, essay
    for index in range(boxes.count()):
        assert_visible_edge(boxes.nth(index))
        assert_focus_ring(page, boxes.nth(index))

    question(page, "қабырғаларына қайсысы").get_by_label("Ылғалдылық").check()
    type_into(question(page, "Магний жанып жатыр").get_by_role("textbox"), "Д")
    expect(status).to_have_text("Жауап сақталды")
    type_into(question(page, "оттегінің үлесі").get_by_role("textbox"), "21,0")
    matching = question(page, "өрт сыныбымен сәйкестендіріңіз")
    for left, right in (("Ағаш пен қағаз", "A"), ("Бензин", "B"), ("Пропан", "C")):
        matching.get_by_label(left).select_option(label=right)
    type_into(question(page, "Жану үшін").get_by_role("textbox"), "тотықтырғыш")
    question(page, "қадамдарын дұрыс ретке").get_by_role("button", name="Төмен").first.click()
    expect(status).to_have_text("Жауап сақталды")
    found = violations(page)
    assert found == [], json.dumps(found, ensure_ascii=False, indent=1)

    # Left unanswered: the multiple choice (2), the true/false (3) and the essay (9).
    page.get_by_role("button", name="Тапсыру").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Мына сұрақтарға жауап берілмеген: 2, 3, 9.")
    found = violations(page)
    assert found == [], json.dumps(found, ensure_ascii=False, indent=1)
    confirm.get_by_role("button", name="Жауап беруге оралу").click()
    expect(confirm).to_have_count(0)
    essay = question(page, "өз сөзіңізбен").locator("textarea")
    type_into(essay, "Жанғыш зат, тотықтырғыш және тұтандыру көзі бірге болғанда жану жүреді.")
    expect(status).to_have_text("Жауап сақталды")
    page.get_by_role("button", name="Тапсыру").click()
    expect(confirm).to_contain_text("Мына сұрақтарға жауап берілмеген: 2, 3.")
    confirm.get_by_role("button", name="Бәрібір тапсыру").click()

    # The review: the student's own answers in words beside the marks.
    reviewed = page.locator(".oqu-quiz__reviewed")
    expect(reviewed).to_have_count(9)
    expect(reviewed.nth(0).locator(".oqu-quiz__yours")).to_have_text("Сіздің жауабыңыз: Ылғалдылық")
    expect(reviewed.nth(1).locator(".oqu-quiz__yours")).to_have_count(0)  # not answered
    expect(reviewed.nth(3).locator(".oqu-quiz__yours")).to_have_text("Сіздің жауабыңыз: Д")
    expect(reviewed.nth(4).locator(".oqu-quiz__yours")).to_have_text("Сіздің жауабыңыз: 21,0")
    expect(reviewed.nth(5).locator(".oqu-quiz__yours")).to_have_text(
        "Сіздің жауабыңыз: Ағаш пен қағаз → A; Бензин → B; Пропан → C"
    )
    expect(reviewed.nth(7).locator(".oqu-quiz__yours")).to_have_text("Сіздің жауабыңыз: 1) тотықтырғыш")
    # The next attempt waits for the 10-minute delay: the button says so and stays disabled.
    start = page.get_by_role("button", name="Талпынысты бастау")
    expect(start).to_be_disabled()
    reason = page.locator(".oqu-quiz__refused")
    expect(reason).to_contain_text("Келесі талпынысты")
    expect(reason).to_contain_text("(Алматы уақыты, UTC+5)")
    assert start.get_attribute("aria-describedby") == reason.get_attribute("id")
    expect(page.locator(".oqu-quiz__rules dd").nth(1)).to_have_text("3 ішінен 1")
    found = violations(page)
    assert found == [], json.dumps(found, ensure_ascii=False, indent=1)
