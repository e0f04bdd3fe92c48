"""A student opens the course schedule in Chromium, joins a live class through the service (which
records the attendance and sends them on to the meeting), and the teacher's attendance list shows
them. The example site's first webinar is moved to now, so that its join window is open.

With SCHEDULES_SCREENSHOTS=<folder>, the pages are also saved at 1280 and 390 px (docs/images/)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pytest
import site_server
from playwright.sync_api import Browser, Page, expect
from site_server import add_accounts, free_port, oqu_serving, run_oqu_here
from test_quiz_accessibility import violations

from builder.pipeline import build_site

pytestmark = pytest.mark.browser
SCHEDULE = "content/courses/fire-safety/schedule.yml"
STUDENT = "madina@oqu.example.kz"
TEACHER = "n.abdrakhmanov@academy.example.kz"  # the webinar's teacher in schedule.yml
PASSWORD = "кесте-2026-құпия"
OFFICE = "oqu.bolimi@academy.example.kz"  # the academic office (an admin)
ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


@pytest.fixture(scope="module")
def live_served(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("live") / "site"
    shutil.copytree(example_site, root, symlinks=True, ignore=shutil.ignore_patterns("var"))
    port = free_port()
    start = dt.datetime.now(ALMATY).replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
    path = root / SCHEDULE
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        'start: 2026-12-02 10:00\n    end: "11:30"', f"start: {start:%Y-%m-%d %H:%M}\n    duration: 90"
    )
    text = text.replace("https://meet.example.kz/academy/fs-webinar-1", f"http://127.0.0.1:{port}/kk/")
    assert f"{start:%Y-%m-%d %H:%M}" in text
    path.write_text(text, encoding="utf-8")
    build_site(root, root / "build", paper=False)
    env = {**os.environ, "OQU_VAR_DIR": str(root / "var")}
    add_accounts(
        root, env, PASSWORD, {STUDENT: "Мадина Серікова"}, "ПБ-21", teachers={TEACHER: "Нұрлан Абдрахманов"}
    )
    admin = ["users", "add", OFFICE, "--role", "admin", "--name", "Оқу бөлімі", "--password-stdin"]
    run_oqu_here(root, env, [(admin, PASSWORD + "\n")])
    with oqu_serving(root, env, port) as base:
        yield base


def shoot(page: Page, name: str) -> None:
    folder = os.environ.get("SCHEDULES_SCREENSHOTS")
    if not folder:
        return
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(folder) / f"schedules-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def serious_violations(page: Page) -> dict[str, list[dict[str, object]]]:
    """axe's serious and critical WCAG 2.1 A/AA violations of the page at a desktop's and a phone's width."""
    found = {}
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        serious = [v for v in violations(page, "html") if v["impact"] in ("serious", "critical")]
        if serious:
            found[f"{page.url} at {width}"] = serious
    page.set_viewport_size({"width": 1280, "height": 900})
    return found


def test_student_joins_and_the_teacher_sees_them(browser: Browser, live_served: str) -> None:
    base = live_served
    student = browser.new_context(locale="kk-KZ").new_page()
    site_server.sign_in(student, base, STUDENT, PASSWORD, "/kk/courses/fire-safety/schedule/")
    row = student.locator("tr", has=student.locator("#fs-webinar-1"))
    expect(row).to_contain_text("Жану үшбұрышы")
    expect(student.locator("body")).not_to_contain_text("127.0.0.1")  # the meeting link is not on the page
    shoot(student, "course-page")
    row.get_by_role("link", name="Сабаққа қосылу").click()
    expect(student.locator("h1")).to_have_text("Жану үшбұрышы")
    shoot(student, "join")
    student.get_by_role("button", name="Сабаққа қосылу").click()
    student.wait_for_url(f"{base}/kk/")  # the meeting (here: the site's home)
    student.goto(f"{base}/schedules/?lang=kk")
    expect(student.locator("#class-fire-safety-fs-webinar-1")).to_contain_text("Жану үшбұрышы")
    shoot(student, "mine")
    student.goto(
        f"{base}/schedules/plan?lang=kk"
    )  # the individual study plan from content/curricula/pb-21.yml
    expect(student.locator("#plan-fire-safety")).to_contain_text("2026-12-11")
    expect(student.locator("main")).to_contain_text("Білім беру бағдарламасын меңгерудің жеке кестесі")
    shoot(student, "plan")

    teacher = browser.new_context(locale="kk-KZ").new_page()
    target = "/teach/schedules/fire-safety/fs-webinar-1/attendance"
    site_server.sign_in(teacher, base, TEACHER, PASSWORD, target)
    listed = teacher.locator("tr", has_text=STUDENT)
    expect(listed).to_have_attribute("data-status", re.compile("present|late"))
    expect(listed).to_contain_text("қатысты")
    shoot(teacher, "attendance")
    listed.locator("select[name=status]").select_option("excused")
    listed.locator("input[name=reason]").fill("Медициналық анықтама № 17")
    listed.get_by_role("button", name="Сақтау").click()
    expect(teacher.locator("tr", has_text=STUDENT)).to_have_attribute("data-status", "excused")
    expect(teacher.locator("tr", has_text=STUDENT)).to_contain_text("Медициналық анықтама № 17")
    teacher.goto(f"{base}/kk/staff-training/schedule/")
    expect(teacher.locator("h1")).to_contain_text("Профессорлық-оқытушылық құрамды оқыту кестесі")
    expect(teacher.locator("table")).to_contain_text("№ 2 оқу корпусы, 305 аудитория")
    shoot(teacher, "staff-training")


def test_the_office_marks_a_student_accommodated_and_the_plan_changes(
    browser: Browser, live_served: str
) -> None:
    """R9 from the academic office's pages: the header's menu, the group's list, the student's page
    (keyboard only for the form), then the student's printable plan turns asynchronous."""
    base = live_served
    office = browser.new_context(locale="kk-KZ").new_page()
    site_server.sign_in(office, base, OFFICE, PASSWORD, "/my/")
    office.get_by_role("link", name="Жеке жоспарлар").first.click()
    office.wait_for_url(re.compile(r"/schedules/office/"))
    office.locator("#group").select_option("ПБ-21")
    office.get_by_role("button", name="Көрсету").click()
    row = office.locator("tr", has_text="Мадина Серікова")
    expect(row).to_contain_text("—")  # not accommodated yet
    shoot(office, "office-group")
    assert serious_violations(office) == {}
    row.get_by_role("link", name="Мадина Серікова").focus()
    office.keyboard.press("Enter")
    expect(office.locator("h1")).to_contain_text("Мадина Серікова")
    office.locator("#document_ref").focus()
    office.keyboard.type("ВКК анықтамасы № 17, 2026-12-01")
    office.locator("#starts").fill("2026-12-01")  # a date field's day, month and year take Tab each
    office.locator("#ends").fill("2026-12-20")
    office.locator("#ends").press("Enter")  # the form is sent from the keyboard
    expect(office.get_by_role("status")).to_have_text("Асинхронды оқу белгіленді.")
    expect(office.locator("table.office-history")).to_contain_text("Асинхронды оқу белгіленді (R9)")
    expect(office.locator("#history-zone")).to_contain_text("Астана уақыты (UTC+5)")
    office.locator("summary", has_text="Мерзімінен бұрын аяқтау").focus()
    office.keyboard.press("Enter")  # a <details> opens from the keyboard
    expect(office.get_by_label("Асинхронды оқудың соңғы күні")).to_be_visible()
    shoot(office, "office-student")
    assert serious_violations(office) == {}
    office.get_by_role("link", name="Жеке оқу жоспары (басып шығаруға)").click()
    expect(office.locator("#plan-fire-safety")).to_have_attribute("data-asynchronous", "yes")

    student = browser.new_context(locale="kk-KZ").new_page()
    site_server.sign_in(student, base, STUDENT, PASSWORD, "/schedules/plan?lang=kk")
    student.emulate_media(media="print")  # the printable plan
    fire = student.locator("#plan-fire-safety")
    expect(fire).to_have_attribute("data-asynchronous", "yes")
    expect(fire).to_contain_text("Асинхронды: жазылған дәрістер мен өзіндік жұмыс (R9)")
    expect(student.locator("main")).to_contain_text("ВКК анықтамасы № 17, 2026-12-01")
    expect(student.locator("main")).not_to_contain_text("Оқу бөлімі:")  # the office's link is not theirs
    practice = student.locator("#class-fire-safety-fs-practice-1")  # 9 December: in the period
    expect(practice).to_have_attribute("data-asynchronous", "yes")
    expect(practice.get_by_role("link")).to_have_text(
        "Асинхронды: «Заттардың өрт қауіптілігі» сабағы (сабақтың бейнежазбасы жарияланса, сонда болады)"
    )  # the example course has no recording yet: the lesson where it will be
    shoot(student, "plan-accommodated")
    assert serious_violations(student) == {}
    practice.get_by_role("link").click()
    student.wait_for_url(f"{base}/kk/courses/fire-safety/**/hazard-properties/")
