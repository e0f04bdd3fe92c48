"""Assignments and the gradebook in content: `oqu check` names each problem's file and line; the
built site shows the instructions and dates and nothing of the rubric's points a student earns,
the service bundle gets the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.pipeline import build_site, check_content

COURSE = "content/courses/first-aid"
ASSIGNMENT = """\
title: {kk: Жағдайды бағалау, ru: Оценка состояния}
instructions:
  kk: "Зардап шеккеннің жағдайын **бағалаңыз** және есеп жазыңыз."
  ru: "Оцените состояние пострадавшего и напишите отчёт."
lesson: assessment
due: 2026-12-18 18:00
cut_off: 2026-12-21 18:00
late: penalty_per_day
penalty_per_day: 10
online_text: true
files:
  types: [pdf, png]
  max_files: 2
grading:
  rubric:
    - id: steps
      title: {kk: Қадамдар, ru: Шаги}
      levels:
        - points: 0
          text: {kk: Жоқ, ru: Нет}
        - points: 10
          text: {kk: Толық, ru: Полностью}
outcomes: [on1]
"""
GRADEBOOK = """\
categories:
  - category: current
    weight: 60
    items:
      - assignment: assessment-report
  - category: final
    weight: 40
    items:
      - assignment: assessment-report
"""


def messages(root: Path) -> list[str]:
    _, problems = check_content(root)
    return [str(p) for p in problems.errors]


def write(root: Path, text: str, name: str = "assessment-report.yml") -> Path:
    path = root / COURSE / "assignments" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_assignment_and_gradebook_pass(minimal_site: Path) -> None:
    write(minimal_site, ASSIGNMENT)
    gradebook = GRADEBOOK.replace(
        "  - category: final\n    weight: 40\n    items:\n      - assignment: assessment-report\n", ""
    )
    (minimal_site / COURSE / "gradebook.yml").write_text(
        gradebook.replace("weight: 60", "weight: 100"), encoding="utf-8"
    )
    assert messages(minimal_site) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("late: penalty_per_day", "lates: penalty_per_day", "8: unknown key 'lates' (did you mean 'late'?)"),
        (
            "lesson: assessment",
            "lesson: asessment",
            "5: unknown lesson 'asessment' (did you mean 'assessment'?)",
        ),
        (
            "outcomes: [on1]",
            "outcomes: [on2]",
            "23: unknown outcome 'on2' (did you mean 'on1'?) (course outcomes: on1)",
        ),
        (
            "types: [pdf, png]",
            "types: [pdf, exe]",
            "12: 'types' must be one of 'pdf', 'docx', 'xlsx', 'pptx', 'odt', 'jpg', 'png' or 'txt', not 'exe'",
        ),
        ("due: 2026-12-18 18:00", "due: 2026-12-22 18:00", "1: 'cut_off' must not be earlier than 'due'"),
        (
            "penalty_per_day: 10\n",
            "",
            "1: 'penalty_per_day' (a percent above 0) goes with 'late: penalty_per_day' only",
        ),
        (
            "        - points: 10\n          text: {kk: Толық, ru: Полностью}\n",
            "",
            "18: 'levels' must have at least 2 item(s)",
        ),
        (
            "grading:\n",
            "grading:\n  points: 100\n",
            "14: 'grading': give either 'points' (the most a work can get) or a 'rubric', not both",
        ),
    ],
)
def test_check_names_the_line(minimal_site: Path, old: str, new: str, expected: str) -> None:
    assert old in ASSIGNMENT
    write(minimal_site, ASSIGNMENT.replace(old, new, 1))
    assert messages(minimal_site) == [f"{COURSE}/assignments/assessment-report.yml:{expected}"]


def test_refuse_after_cutoff_needs_a_cut_off_and_a_handing_in(minimal_site: Path) -> None:
    text = ASSIGNMENT.replace("late: penalty_per_day\npenalty_per_day: 10\n", "late: refuse_after_cutoff\n")
    write(minimal_site, text.replace("cut_off: 2026-12-21 18:00\n", ""))
    assert messages(minimal_site) == [
        f"{COURSE}/assignments/assessment-report.yml:1: 'late: refuse_after_cutoff' needs a 'cut_off'"
    ]
    no_way = ASSIGNMENT.replace("online_text: true\n", "").replace(
        "files:\n  types: [pdf, png]\n  max_files: 2\n", ""
    )
    write(minimal_site, no_way)
    assert messages(minimal_site) == [
        f"{COURSE}/assignments/assessment-report.yml:1: say how work is handed in: 'online_text: true', 'files', or both"
    ]


def test_bad_file_names_and_gradebook_problems(minimal_site: Path) -> None:
    write(minimal_site, ASSIGNMENT)
    write(minimal_site, "title: x\n", name="Bad Name.yml")
    (minimal_site / COURSE / "gradebook.yml").write_text(
        GRADEBOOK.replace("weight: 40", "weight: 30"), encoding="utf-8"
    )
    assert messages(minimal_site) == [
        f"{COURSE}/assignments/Bad Name.yml:1: not an assignment file: name it <assignment-id>.yml (a-z, 0-9, '-')",
        f"{COURSE}/gradebook.yml:1: 'categories': category weights must add up to 100, not 90",
    ]
    (minimal_site / COURSE / "assignments" / "Bad Name.yml").unlink()
    book = GRADEBOOK + "      - quiz: missing-quiz\n"
    (minimal_site / COURSE / "gradebook.yml").write_text(book, encoding="utf-8")
    assert messages(minimal_site) == [
        f"{COURSE}/gradebook.yml:9: 'assignment:assessment-report' is in the gradebook twice",
        f"{COURSE}/gradebook.yml:10: unknown quiz 'missing-quiz'",
    ]


def test_the_site_shows_instructions_the_bundle_keeps_the_rest(minimal_site: Path) -> None:
    write(minimal_site, ASSIGNMENT)
    build_site(minimal_site, minimal_site / "build", paper=False)
    site, service = minimal_site / "build" / "site", minimal_site / "build" / "service"
    lesson = (site / "kk/courses/first-aid/basics/assessment/index.html").read_text(encoding="utf-8")
    assert "<strong>бағалаңыз</strong>" in lesson  # the teacher's Markdown, rendered
    assert "Тапсыру мерзімі" in lesson and "2026 жылғы 18 желтоқсан, 18:00 (Астана уақыты, UTC+5)" in lesson
    assert "/assignments/first-aid/assessment-report?lang=kk" in lesson
    listed = (site / "ru/courses/first-aid/assignments/index.html").read_text(encoding="utf-8")
    assert "Оцените состояние пострадавшего" in listed and "Критерии оценивания" in listed
    home = (site / "kk/courses/first-aid/index.html").read_text(encoding="utf-8")
    assert "assignments/#assignment-assessment-report" in home
    private = json.loads((service / "assignments" / "first-aid.json").read_text(encoding="utf-8"))
    spec = private["assignments"][0]
    assert (spec["id"], spec["due"], spec["max_points"]) == (
        "assessment-report",
        "2026-12-18T18:00:00+05:00",
        10,
    )
    assert [band["letter"] for band in private["scale"]][:3] == ["A", "A-", "B+"]
    assert not any("submission" in p.name or "upload" in p.name for p in site.rglob("*"))


def test_attendance_in_the_gradebook_needs_live_classes(minimal_site: Path) -> None:
    write(minimal_site, ASSIGNMENT)
    book = """\
categories:
  - category: current
    weight: 100
    items:
      - assignment: assessment-report
      - attendance: true
        weight: 2
"""
    (minimal_site / COURSE / "gradebook.yml").write_text(book, encoding="utf-8")
    assert messages(minimal_site) == []  # first-aid has live classes in its schedule.yml
    (minimal_site / COURSE / "schedule.yml").unlink()
    assert messages(minimal_site) == [
        f"{COURSE}/gradebook.yml:6: 'attendance: true' needs live classes in the course's schedule.yml"
    ]
    wrong = book.replace("attendance: true", "attendance: false")
    (minimal_site / COURSE / "gradebook.yml").write_text(wrong, encoding="utf-8")
    assert len(messages(minimal_site)) == 1
    assert (
        "an item is one of 'quiz: <id>', 'assignment: <id>' or 'attendance: true'"
        in messages(minimal_site)[0]
    )
