"""The 3-working-day rule (R7.1) in `oqu check`, the staff training schedule, the feeds and sheets."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import icalendar

from builder.curricula import contact_share
from builder.load import load_site
from builder.paper.document import staff_training_document
from builder.pipeline import build_site, check_content
from builder.publication import STATE_FILE, record_publications
from builder.schedules import course_view, schedule_ics, site_views, staff_view

COURSE = "content/courses/first-aid"
SCHEDULE = f"{COURSE}/schedule.yml"
STAFF = "content/staff-training/schedule.yml"

STAFF_YML = """\
title: {kk: ПОҚ-ты оқыту, ru: Обучение ППС, en: Staff training}
approved_by: {kk: Оқу жұмысы жөніндегі бастықтың орынбасары, ru: Заместитель начальника по учебной работе}
approved_on: 2026-12-04
teachers:
  - name: {kk: Динара Оспанова, ru: Динара Оспанова}
    email: d.ospanova@academy.example.kz
classes:
  - id: st-1
    title: {kk: Порталда курс жариялау, ru: Публикация курса}
    start: 2026-12-10 15:00
    end: "17:00"
    kind: staff-training
    place: {kk: "305 аудитория", ru: "Аудитория 305", en: "Room 305"}
    teacher: d.ospanova@academy.example.kz
"""


def approve(root: Path, on: str, policy: str = "") -> None:
    path = root / SCHEDULE
    path.write_text(
        f"approved_by: {{kk: Бастықтың орынбасары, ru: Заместитель начальника}}\napproved_on: {on}\n"
        + path.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    if policy:
        config = root / "site_config.yml"
        config.write_text(config.read_text(encoding="utf-8") + policy, encoding="utf-8")


def problems_of(root: Path, today: dt.date, out: Path | None = None) -> list[str]:
    _, problems = check_content(root, out, today)
    return [str(p) for p in problems.items if "lesson 'bandage'" not in p.message]


def test_published_within_three_working_days_is_fine(minimal_site: Path) -> None:
    approve(minimal_site, "2026-12-15")  # Tuesday; 16 December is off: 17, 18, 21
    assert problems_of(minimal_site, dt.date(2026, 12, 21)) == []


def test_late_publication_names_both_dates_as_a_warning(minimal_site: Path) -> None:
    approve(minimal_site, "2026-12-15")
    assert problems_of(minimal_site, dt.date(2026, 12, 22)) == [
        f"{SCHEDULE}:2: warning: schedule approved on 2026-12-15 is published on 2026-12-22 (this build): "
        "4 working days after approval, the limit is 3 (by 2026-12-21; R7.1)"
    ]


def test_site_policy_makes_it_an_error(minimal_site: Path) -> None:
    approve(minimal_site, "2026-03-19", "schedules:\n  late_publication: error\n")
    assert problems_of(minimal_site, dt.date(2026, 3, 27)) == []  # 20, 26, 27: Nauryz in between
    [error] = problems_of(minimal_site, dt.date(2026, 3, 30))
    assert error == (
        f"{SCHEDULE}:2: schedule approved on 2026-03-19 is published on 2026-03-30 (this build): "
        "4 working days after approval, the limit is 3 (by 2026-03-27; R7.1)"
    )


def test_first_publication_is_remembered_across_builds(minimal_site: Path, tmp_path: Path) -> None:
    approve(minimal_site, "2026-12-15")
    out = tmp_path / "build"
    site, _ = load_site(minimal_site)
    assert site is not None
    record_publications(site, out, dt.date(2026, 12, 18))
    record_publications(site, out, dt.date(2027, 2, 1))  # a later rebuild keeps the first date
    state = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    assert state == {f"{SCHEDULE}@2026-12-15": "2026-12-18"}
    assert problems_of(minimal_site, dt.date(2027, 2, 1), out) == []
    # a new approval is a new version: published now, late
    (minimal_site / SCHEDULE).write_text(
        (minimal_site / SCHEDULE).read_text(encoding="utf-8").replace("2026-12-15", "2027-01-20"),
        encoding="utf-8",
    )
    [late] = problems_of(minimal_site, dt.date(2027, 2, 1), out)
    assert "approved on 2027-01-20 is published on 2027-02-01 (this build)" in late


def test_missing_next_year_overrides_fail_the_check_after_1_december(minimal_site: Path) -> None:
    approve(minimal_site, "2027-12-01")
    errors = [p for p in problems_of(minimal_site, dt.date(2027, 12, 1)) if "not reviewed" in p]
    assert len(errors) == 1 and "kz_overrides.yml:1: Kazakhstan's moved working days for 2028" in errors[0]
    assert not [p for p in problems_of(minimal_site, dt.date(2027, 11, 30)) if "not reviewed" in p]


def test_staff_training_schedule_is_checked(minimal_site: Path) -> None:
    (minimal_site / "content" / "staff-training").mkdir()
    (minimal_site / STAFF).write_text(STAFF_YML, encoding="utf-8")
    assert problems_of(minimal_site, dt.date(2026, 12, 7)) == []
    (minimal_site / STAFF).write_text(STAFF_YML.replace("approved_on: 2026-12-04\n", ""), encoding="utf-8")
    assert problems_of(minimal_site, dt.date(2026, 12, 7)) == [
        f"{STAFF}:1: give both 'approved_by' and 'approved_on', or neither"
    ]
    (minimal_site / STAFF).write_text(STAFF_YML.replace("teacher: d.osp", "teacher: x.osp"), encoding="utf-8")
    assert problems_of(minimal_site, dt.date(2026, 12, 7)) == [
        f"{STAFF}:14: unknown teacher 'x.ospanova@academy.example.kz': name a teacher by the e-mail the "
        "schedule's 'teachers' gives (did you mean 'd.ospanova@academy.example.kz'?)"
    ]


def test_course_format_rules(minimal_site: Path) -> None:
    course = minimal_site / COURSE / "course.yml"
    text = course.read_text(encoding="utf-8")
    course.write_text(text.replace("format: synchronous", "format: mooc"), encoding="utf-8")
    assert problems_of(minimal_site, dt.date(2026, 12, 7)) == [
        f"{COURSE}/course.yml:4: a MOOC is open by definition (R2.9): 'format: mooc' needs 'access: open'"
    ]
    course.write_text(text.replace("format: synchronous", "format: asynchronous"), encoding="utf-8")
    [warning] = problems_of(minimal_site, dt.date(2026, 12, 7))
    assert warning.startswith(f"{COURSE}/course.yml:5: warning: asynchronous delivery is for MOOC")
    assert "(R9)" in warning
    course.write_text(
        text.replace("format: synchronous", "format: asynchronous").replace(
            "access: enrolled", "access: open"
        ),
        encoding="utf-8",
    )
    assert problems_of(minimal_site, dt.date(2026, 12, 7)) == []


def test_course_feed_parses_back_without_the_meeting_link(minimal_site: Path) -> None:
    site, _ = load_site(minimal_site)
    assert site is not None
    view = course_view(site.courses[0])
    feed = icalendar.Calendar.from_ical(schedule_ics(view, "kk", "https://oqu.example.kz/"))
    [event] = feed.walk("VEVENT")
    assert event["UID"] == "first-aid.webinar-1@oqu.example.kz"
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 3, 5, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=90)
    assert str(event["SUMMARY"]) == "Жағдайды бағалау"
    [zone] = feed.walk("VTIMEZONE")
    assert zone["TZID"] == "Asia/Almaty"
    raw = schedule_ics(view, "kk", None)
    assert b"secret-room-42" not in raw and b"meet.example.kz" not in raw
    assert schedule_ics(view, "kk", None) == raw  # the same schedule, the same bytes


def test_staff_training_sheet_and_feed(minimal_site: Path) -> None:
    (minimal_site / "content" / "staff-training").mkdir()
    (minimal_site / STAFF).write_text(STAFF_YML, encoding="utf-8")
    site, _ = load_site(minimal_site)
    assert site is not None and site.staff_training is not None
    assert [view.key for view in site_views(site)] == ["first-aid", "staff-training"]
    html = staff_training_document(site, "ru")
    assert "Утверждено: Заместитель начальника по учебной работе, 4 декабря 2026 г." in html
    assert "Аудитория 305" in html and "Динара Оспанова" in html and "15:00–17:00" in html
    feed = icalendar.Calendar.from_ical(schedule_ics(staff_view(site), "en", None))
    [event] = feed.walk("VEVENT")
    assert str(event["LOCATION"]) == "Room 305"
    assert event.decoded("DTSTART").astimezone(dt.UTC).hour == 10


CURRICULUM = "content/curricula/pb-21.yml"
CURRICULUM_YML = """\
group: ПБ-21
programme: {kk: Өрт қауіпсіздігі, ru: Пожарная безопасность}
terms:
  - term: 1
    starts: 2026-09-01
    ends: 2026-12-31
    courses:
      - course: first-aid
        contact: 10
        distance: 30
        deadlines:
          - {module: basics, due: 2026-12-11}
"""


def write_curriculum(root: Path, text: str = CURRICULUM_YML) -> None:
    (root / "content" / "curricula").mkdir(exist_ok=True)
    (root / CURRICULUM).write_text(text, encoding="utf-8")


def test_curriculum_is_checked_against_the_courses(minimal_site: Path) -> None:
    write_curriculum(minimal_site)
    assert problems_of(minimal_site, dt.date(2026, 12, 7)) == []
    write_curriculum(
        minimal_site,
        CURRICULUM_YML.replace("course: first-aid", "course: first-aids").replace(
            "due: 2026-12-11", "due: 2027-01-11"
        ),
    )
    assert problems_of(minimal_site, dt.date(2026, 12, 7)) == [
        f"{CURRICULUM}:8: unknown course 'first-aids' (did you mean 'first-aid'?)"
    ]
    write_curriculum(
        minimal_site,
        CURRICULUM_YML.replace("module: basics, due: 2026-12-11", "module: basic, due: 2027-01-11"),
    )
    assert problems_of(minimal_site, dt.date(2026, 12, 7)) == [
        f"{CURRICULUM}:12: course 'first-aid' has no module 'basic' (did you mean 'basics'?)",
        f"{CURRICULUM}:12: warning: deadline 2027-01-11 of 'basic' is outside its term",
    ]


def test_contact_share_against_the_policy(minimal_site: Path) -> None:
    write_curriculum(minimal_site)  # 10 of 40 hours: 25 %
    config = minimal_site / "site_config.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + "curriculum: {min_contact_percent: 30, out_of_range: error}\n",
        encoding="utf-8",
    )
    assert problems_of(minimal_site, dt.date(2026, 12, 7)) == [
        f"{CURRICULUM}:1: group 'ПБ-21': 10 of 40 hours with direct teacher contact (25 %), "
        "the policy is 30–100 % (R5.3)"
    ]
    write_curriculum(minimal_site, CURRICULUM_YML.replace("        contact: 10\n        distance: 30\n", ""))
    site, _ = load_site(minimal_site)
    assert site is not None
    hours = site.courses[0].config.hours

    assert contact_share(site, site.curricula[0]) == (hours.contact, hours.contact + hours.distance)


def test_the_build_publishes_feeds_and_records_the_first_publication(minimal_site: Path) -> None:
    approve(minimal_site, "2026-12-04")
    out = minimal_site / "build"
    build_site(minimal_site, out, paper=False, today=dt.date(2026, 12, 8))
    state = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    assert state == {f"{SCHEDULE}@2026-12-04": "2026-12-08"}
    feed = icalendar.Calendar.from_ical((out / "site/ru/courses/first-aid/first-aid-ru.ics").read_bytes())
    assert [str(e["SUMMARY"]) for e in feed.walk("VEVENT")] == ["Оценка состояния"]
    page = (out / "site/kk/courses/first-aid/schedule/index.html").read_text(encoding="utf-8")
    assert 'href="/schedules/join/first-aid/webinar-1"' in page
    assert "Бекіткен: Бастықтың орынбасары, 2026 жылғы 4 желтоқсан" in page
    build_site(minimal_site, out, paper=False, today=dt.date(2026, 12, 20), publication=False)  # a preview
    assert json.loads((out / STATE_FILE).read_text(encoding="utf-8")) == state
