"""The whole cycle in Chromium on the example site: a student finds the assignment on the lesson
page, drafts, uploads a file and submits; the teacher grades with the rubric and releases; the
student sees the grade and the feedback; the gradebook shows the course total.

With ASSIGNMENT_SCREENSHOTS=1 it also writes the pages at 1280 and 390 px to docs/screenshots/.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import site_server
from PIL import Image
from playwright.sync_api import Page, expect
from site_server import add_accounts, oqu_serving

EMAIL = "saule@oqu.example.kz"
DRAFTER = "yerassyl@oqu.example.kz"  # the offline-draft test's student
PASSWORD = "құпия-сөз-2026"
GROUP = "ӨҚ-41"
TEACHER = "d.ospanova@academy.example.kz"  # a teacher of fire-safety in its course.yml
LESSON = "/kk/courses/fire-safety/extinguishing/evacuation/"
ASSIGNMENT = "/assignments/fire-safety/evacuation-plan"
FEEDBACK = "Жолдар дұрыс белгіленген; өрт сөндіргіштерді іс жүзінде тексеріңіз."
SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {**os.environ, "OQU_VAR_DIR": str(tmp_path_factory.mktemp("assign-var"))}
    add_accounts(
        example_site,
        env,
        PASSWORD,
        {EMAIL: "Сәуле Бекқызы", DRAFTER: "Ерасыл Нұрланұлы"},
        GROUP,
        teachers={TEACHER: "Динара Оспанова"},
    )
    with oqu_serving(example_site, env) as base:
        yield base


def shoot(page: Page, name: str) -> None:
    """The page at a desktop's and a phone's width (only when ASSIGNMENT_SCREENSHOTS=1)."""
    if os.environ.get("ASSIGNMENT_SCREENSHOTS") != "1":
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, kind in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"assignments-{name}-{kind}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def plan_photo(folder: Path) -> Path:
    path = folder / "эвакуация-жоспары.png"
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 120, 60)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def test_submit_grade_release_and_the_gradebook(
    page: Page, served: str, browser: object, tmp_path: Path
) -> None:
    site_server.sign_in(page, served, EMAIL, PASSWORD, LESSON)
    section = page.locator("dl.oqu-assignment-facts")
    expect(section).to_contain_text("Тапсыру мерзімі")
    expect(section).to_contain_text("(Астана уақыты, UTC+5)")
    page.get_by_role("link", name="Жұмысты тапсыру (кіру қажет)").click()
    page.wait_for_url(f"**{ASSIGNMENT}?lang=kk")
    expect(page.locator("h1")).to_have_text("Эвакуациялау жоспарын талдау")

    page.fill("textarea#text", "Екінші қабаттың жоспары: екі шығу, ең алыс жол 38 м.")
    page.get_by_role("button", name="Жобаны сақтау").click()  # draft.js sends it without a reload
    expect(page.locator(".draft-state")).to_have_text("Жоба серверде сақталды.")
    page.reload()
    expect(page.locator("textarea#text")).to_have_value(
        "Екінші қабаттың жоспары: екі шығу, ең алыс жол 38 м."
    )
    page.set_input_files("input#file", str(plan_photo(tmp_path)))
    page.get_by_role("button", name="Жүктеу").click()
    expect(page.locator("p.notice")).to_have_text("Файл жүктелді.")
    expect(page.get_by_role("link", name="эвакуация-жоспары.png")).to_be_visible()
    shoot(page, "student-draft")
    page.get_by_role("button", name="Тапсыру", exact=True).click()
    expect(page.locator("p.notice")).to_have_text("Жұмыс тапсырылды.")
    expect(page.locator("article.version h3")).to_contain_text("уақтылы тапсырылды")

    context = browser.new_context(locale="kk-KZ")  # type: ignore[attr-defined]
    teacher = context.new_page()
    site_server.sign_in(teacher, served, TEACHER, PASSWORD, "/teach/assignments/fire-safety/evacuation-plan")
    row = teacher.locator("tbody tr", has_text="Сәуле Бекқызы")
    expect(row).to_contain_text("бағалау керек")
    shoot(teacher, "queue")
    row.get_by_role("link", name="Ашу").click()
    expect(teacher.locator(".work-text")).to_contain_text("ең алыс жол 38 м")
    teacher.locator("fieldset", has_text="Эвакуациялау жолдары").get_by_text("Барлығы көрсетілген").click()
    teacher.locator("fieldset", has_text="Алғашқы өрт сөндіру").get_by_text("Жоспар бойынша ғана").click()
    teacher.locator("fieldset", has_text="Кемшіліктер").get_by_text("Нақты кемшіліктер").click()
    teacher.fill("textarea#feedback", FEEDBACK)
    teacher.get_by_role("button", name="Бағаны сақтау").click()
    expect(teacher.locator("p.grade")).to_contain_text("90 / 100")
    expect(teacher.locator("p.grade")).to_contain_text("білім алушыдан жасырын")
    shoot(teacher, "grading")

    page.reload()
    expect(page.get_by_role("heading", name="Сіздің бағаңыз")).to_have_count(0)  # not released yet
    teacher.get_by_role("button", name="Осы білім алушыға көрсету").click()
    expect(teacher.locator("p.grade")).to_contain_text("білім алушыға көрсетілді")
    page.reload()
    expect(page.locator("p.grade")).to_contain_text("90 / 100")
    expect(page.locator("p.feedback")).to_have_text(FEEDBACK)
    shoot(page, "student-graded")

    teacher.goto(f"{served}/teach/gradebook/fire-safety?lang=kk")
    student_row = teacher.locator("table.gradebook tbody tr", has_text="Сәуле Бекқызы")
    # current: (quiz 0 x1 + assignment 90 x2) / 3 = 60; intermediate (midterm) missing: 0 -> 0.6 x 60 = 36
    expect(student_row.locator("td.total")).to_have_text("36")
    expect(student_row).to_contain_text("FX")
    shoot(teacher, "gradebook")
    teacher.goto(f"{served}/teach/gradebook/fire-safety/sheet?lang=ru&group={GROUP}")
    expect(teacher.locator("table.sheet tbody tr")).to_have_count(2)  # the group's two students
    expect(teacher.locator("table.sheet")).to_contain_text("неудовлетворительно")
    shoot(teacher, "sheet")
    page.goto(f"{served}/grades/fire-safety?lang=kk")
    expect(page.locator("main")).to_contain_text("Эвакуациялау жоспарын талдау")
    shoot(page, "my-grades")
    context.close()


HAZARD = "/assignments/fire-safety/hazard-calculation"
OFFLINE_TEXT = "Ацетон: тұтану температурасы −18 °C, ЖТ — ең қауіпті санат."


def test_an_online_text_written_offline_is_kept_on_the_device_and_sent_when_back(
    browser: object, served: str
) -> None:
    """The network goes while the student writes; the tab is closed; a new tab back online puts
    the text back and sends it to the draft; the work is then handed in."""
    context = browser.new_context(locale="kk-KZ")  # type: ignore[attr-defined]
    page = context.new_page()
    site_server.sign_in(page, served, DRAFTER, PASSWORD, f"{HAZARD}?lang=kk")
    state = page.locator(".draft-state")
    page.fill("textarea#text", "Бірінші жол.")
    expect(state).to_have_text("Жоба серверде сақталды.")  # sent a moment after typing stopped
    context.set_offline(True)
    page.fill("textarea#text", OFFLINE_TEXT)
    expect(state).to_have_text("Осы құрылғыда сақталды: желі қалпына келгенде серверге жіберіледі.")
    page.get_by_role("button", name="Тапсыру", exact=True).click()  # offline: not handed in
    expect(state).to_contain_text("жұмыс әлі тапсырылмады")
    shoot(page, "student-offline")
    page.close()  # the laptop closed while offline: the text lives only on the device

    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{served}{HAZARD}?lang=kk")
    expect(page.locator("textarea#text")).to_have_value(OFFLINE_TEXT)  # from the device
    expect(page.locator(".draft-state")).to_have_text("Жоба серверде сақталды.")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('oqu-assignment-draft'))") == []
    page.reload()
    expect(page.locator("textarea#text")).to_have_value(OFFLINE_TEXT)  # now from the server
    page.get_by_role("button", name="Тапсыру", exact=True).click()
    expect(page.locator("p.notice")).to_have_text("Жұмыс тапсырылды.")
    expect(page.locator(".draft-state")).to_have_text("Жұмыс тапсырылды.")
    expect(page.locator("article.version").first).to_contain_text(OFFLINE_TEXT)
    context.close()


def test_the_draft_states_are_in_russian_and_english(browser: object, served: str) -> None:
    context = browser.new_context(locale="ru-RU")  # type: ignore[attr-defined]
    page = context.new_page()
    site_server.sign_in(page, served, DRAFTER, PASSWORD, f"{ASSIGNMENT}?lang=ru")
    context.set_offline(True)
    page.fill("textarea#text", "Черновик без связи.")
    expect(page.locator(".draft-state")).to_have_text(
        "Сохранено на этом устройстве: отправится на сервер, когда вернётся связь."
    )
    context.set_offline(False)
    expect(page.locator(".draft-state")).to_have_text("Черновик сохранён на сервере.")
    page.goto(f"{served}{ASSIGNMENT}?lang=en")
    expect(page.locator(".draft-state")).to_have_text("Draft saved on the server.")
    context.close()
