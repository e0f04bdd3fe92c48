"""A student takes the fire-safety midterm in Chromium: an intermediate attestation exam drawn from GIFT
banks, timed by the server, one question after another (no going back), and a review that shows only
what the quiz's review policy allows before the exam closes (nothing but "the result comes later")."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import site_server
from playwright.sync_api import Locator, Page, expect
from site_server import add_accounts, oqu_serving

from builder.pipeline import build_site

MIDTERM = "content/courses/fire-safety/quizzes/midterm.yml"
LESSON = "/kk/courses/fire-safety/extinguishing/first-actions/"
EMAIL = "daulet@oqu.example.kz"
PASSWORD = "емтихан-2026-құпия"
GROUP = "ӨҚ-32"
CLASSMATE = "erasyl@oqu.example.kz"
TEACHER = "a.zhumabayeva@academy.example.kz"  # a teacher of fire-safety in its course.yml
NOTHING_TO_GRADE = "Бағалауды күтетін жауап жоқ."
ESSAY_COMMENT = "Жиналу орнын атағаныңыз дұрыс; топты кім тексеретінін де жазыңыз."
pytestmark = pytest.mark.browser
ALL_SENT = (
    "() => Object.keys(localStorage).filter(k => k.startsWith('oqu-quiz-queue-'))"
    ".every(k => localStorage.getItem(k) === '[]')"
)


@pytest.fixture(scope="module")
def exam_served(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site with its midterm open today (the example's date lies ahead), rebuilt (only the
    quizzes change, so the build reuses the example's pages), served by `oqu serve` with an enrolled student."""
    root = tmp_path_factory.mktemp("exam") / "site"
    shutil.copytree(example_site, root, symlinks=True, ignore=shutil.ignore_patterns("var"))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    midterm = root / MIDTERM
    text = midterm.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^opens: .*$", f"opens: {(now - dt.timedelta(hours=1)).isoformat()}", text)
    text = re.sub(r"(?m)^closes: .*$", f"closes: {(now + dt.timedelta(days=1)).isoformat()}", text)
    # This test is about the exam's flow; the proctored flow is tests/browser/test_proctoring_exam.py.
    text = re.sub(r"(?m)^proctoring:\n(?:  .*\n)+", "", text)
    midterm.write_text(text, encoding="utf-8")
    build_site(root, root / "build", paper=False)  # PDFs and offline copies: tests/paper/
    env = {**os.environ, "OQU_VAR_DIR": str(root / "var")}
    students = {EMAIL: "Дәулет Омарұлы", CLASSMATE: "Ерасыл Нұрланұлы"}
    add_accounts(root, env, PASSWORD, students, GROUP, teachers={TEACHER: "Айгерім Жұмабаева"})
    with oqu_serving(root, env) as base:
        yield base


def sign_in(page: Page, base: str, email: str = EMAIL, target: str = LESSON) -> None:
    site_server.sign_in(page, base, email, PASSWORD, target)


def answer(page: Page, question: Locator) -> None:
    """Any answer will do: the exam is about the flow, and the score stays hidden until it closes."""
    essay = question.locator("textarea")
    if essay.count():
        essay.fill("Дабыл қағамын, топты ең жақын шығу жолымен жиналу орнына апарамын, тізіммен тексеремін.")
        essay.press("Tab")
    else:
        question.locator("input").first.check()
    expect(page.locator(".oqu-quiz__status")).to_have_text("Жауап сақталды")
    page.wait_for_function(ALL_SENT)


def api(page: Page, base: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The student's own API calls, with the page's session (and its CSRF token for changes)."""
    headers = {"X-CSRF-Token": page.request.get(f"{base}/api/v1/me").json()["csrf_token"]}
    return page.request.fetch(f"{base}/api/v1/{path}", method=method, headers=headers, data=body)


def test_student_takes_the_midterm_one_question_at_a_time(page: Page, exam_served: str) -> None:
    sign_in(page, exam_served)
    quiz = page.locator(".oqu-quiz")
    expect(quiz.locator("h2")).to_have_text("Аралық аттестаттау — өрт қауіпсіздігінің негіздері")
    expect(quiz).to_contain_text("Сұрақтар талпыныс басталғанда беріледі")
    expect(quiz.locator("fieldset")).to_have_count(0)  # an exam's questions are not on the page

    page.get_by_role("button", name="Талпынысты бастау").click()
    timer = quiz.locator(".oqu-quiz__timer")
    expect(timer).to_have_text(re.compile(r"^Қалған уақыт: 0:(40:00|39:[0-5]\d)$"))
    first_reading = timer.inner_text()
    expect(timer).not_to_have_text(first_reading)  # it counts down

    attempt_id = api(page, exam_served, "GET", "quizzes/fire-safety/midterm").json()["open_attempt"]
    questions = quiz.locator("fieldset[data-question]")
    for position in range(5):  # two of three fire classes, two of three extinguishing, the essay
        expect(questions).to_have_count(position + 1)  # no looking ahead
        expect(quiz.locator("fieldset[data-question]:not([disabled])")).to_have_count(1)  # only the current
        answer(page, questions.nth(position))
        if position < 4:
            quiz.get_by_role("button", name="Келесі сұрақ").click()
            expect(questions.nth(position).locator("input, textarea").first).to_be_disabled()  # no going back

    legends = " | ".join(questions.locator("legend").all_inner_texts())
    classes = ("Тұрмыстық газдың жануы", "Спирттің жануы", "Кернеудегі кабельдің жануы")
    extinguishing = ("Жанып жатқан бензинді", "Өрт сөндіргіштің ағынын", "Кернеудегі қондырғыны")
    drawn = [sum(text in legends for text in pool) for pool in (classes, extinguishing, ("эвакуациялау",))]
    assert drawn == [2, 2, 1], legends  # the draw per bank category, and the quiz's own essay

    earlier = questions.first.get_attribute("data-question")
    again = api(page, exam_served, "PUT", f"attempts/{attempt_id}/answers/{earlier}",
                {"response": "x", "sequence": 99, "client_id": "back-1"})  # fmt: skip
    assert (again.status, again.json()["error"]["code"]) == (409, "sequential")  # nor through the API
    expect(quiz.get_by_role("button", name="Келесі сұрақ")).to_have_count(0)

    quiz.get_by_role("button", name="Тапсыру").click()
    expect(quiz).to_contain_text("Талпыныс аяқталды")
    # review: score after close, correctness and feedback after release, right answers never
    expect(quiz.locator(".oqu-quiz__result")).to_have_text("Нәтиже кейінірек көрсетіледі")
    expect(quiz.locator("[class*='oqu-quiz__state--']")).to_have_count(0)
    expect(quiz).not_to_contain_text("Дұрыс жауап")
    expect(quiz).not_to_contain_text("Балл")
    review = api(page, exam_served, "GET", f"attempts/{attempt_id}").json()["review"]
    assert (review["points"], review["percent"], review["passed"]) == (None, None, None)
    assert len(review["questions"]) == 5
    assert all(
        (item.get("state"), item.get("points"), item.get("feedback"), item.get("right_answer"))
        == (None, None, None, None)
        for item in review["questions"]
    )

    page.reload()
    expect(quiz).to_contain_text("Талпыныстар таусылды")  # attempts: 1
    expect(quiz.get_by_role("button", name="Талпынысты бастау")).to_be_disabled()  # with the reason beside it


def any_response(question: dict[str, Any]) -> Any:
    if question["type"] == "essay":
        return "Дабыл қағамын, топты шығу жолымен жиналу орнына апарамын."
    if question["type"] == "true-false":
        return True
    if question["type"] == "multiple":
        return [question["options"][0]["id"]]
    return question["options"][0]["id"] if question.get("options") else "1"


def take_the_midterm_through_the_api(page: Page, base: str) -> None:
    """The classmate's attempt, question by question as the page would: the essay gets a text."""
    attempt = api(page, base, "POST", "quizzes/fire-safety/midterm/attempts", {"lang": "kk"}).json()
    for position in range(attempt["question_count"]):
        question = attempt["questions"][position]
        body = {"response": any_response(question), "sequence": position + 1, "client_id": f"save-{position}"}
        assert (
            api(page, base, "PUT", f"attempts/{attempt['id']}/answers/{question['id']}", body).status == 200
        )
        if position + 1 < attempt["question_count"]:
            attempt = api(page, base, "POST", f"attempts/{attempt['id']}/next", {"position": position}).json()
    assert api(page, base, "POST", f"attempts/{attempt['id']}/submit").json()["state"] == "finished"


def test_teacher_grades_the_essay_and_releases_the_grades(page: Page, exam_served: str) -> None:
    sign_in(page, exam_served, CLASSMATE)
    take_the_midterm_through_the_api(page, exam_served)
    teacher = page.context.browser.new_page()  # type: ignore[union-attr]
    try:
        sign_in(teacher, exam_served, TEACHER, "/teach/")
        teacher.get_by_role("link", name="Аралық аттестаттау — өрт қауіпсіздігінің негіздері").click()
        for student in ("Дәулет Омарұлы", "Ерасыл Нұрланұлы"):  # the longest waiting first
            teacher.get_by_role("link", name="Келесі бағаланатын жауап").first.click()
            expect(teacher.locator("dl")).to_contain_text(student)
            essay = teacher.locator("section.question", has_text="эвакуациялау")
            expect(essay).to_contain_text("Дабыл қағамын")
            essay.get_by_label("Балл (0 – 4)").fill("3,5")
            essay.get_by_label("Оқытушының пікірі").fill(ESSAY_COMMENT)
            essay.get_by_role("button", name="Бағаны сақтау").click()
            expect(teacher.locator(".notice")).to_have_text("Баға сақталды.")
            expect(teacher.locator("section.question", has_text="эвакуациялау")).to_contain_text(
                ESSAY_COMMENT
            )
        teacher.get_by_role("link", name="Келесі бағаланатын жауап").first.click()
        expect(teacher.locator(".notice")).to_have_text(NOTHING_TO_GRADE)
        teacher.get_by_role("button", name="Бағаларды жариялау").click()
        expect(teacher.locator(".notice")).to_have_text("Бағалар жарияланды.")
    finally:
        teacher.close()

    # The classmate's review now shows correctness and the teacher's comment (after release);
    # the score waits for the close (after-close), the right answers never come.
    page.goto(f"{exam_served}{LESSON}")
    quiz = page.locator(".oqu-quiz")
    expect(quiz).to_contain_text("Талпыныстар таусылды")
    quiz.get_by_role("button", name="Соңғы талпыныстың нәтижесін көру").click()
    expect(quiz.locator(".oqu-quiz__comment")).to_have_text(f"Оқытушының пікірі: {ESSAY_COMMENT}")
    expect(quiz.locator("[class*='oqu-quiz__state--']")).to_have_count(5)
    expect(quiz.locator(".oqu-quiz__result")).to_have_text("Нәтиже кейінірек көрсетіледі")
    expect(quiz).not_to_contain_text("Дұрыс жауап")
