"""The gradebook: totals against figures worked out by hand (weights, a missing item, an excused
item, overrides, a lock), the grading scale's edges, the student's own page, CSV and XLSX read
back with formulas neutralised (T16, T40)."""
# ruff: noqa: F811

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from assignment_fixtures import (  # noqa: F401 (fixtures, imported by name)
    BEFORE,
    GRADEBOOK,
    Clock,
    People,
    app_config,
    clock,
    people,
)
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from auth.models import User
from builder.assignments import scale_manifest
from builder.schema import GradingScale
from quiz_service.assignments.content import Band, Gradebook
from quiz_service.assignments.gradebook import Cell, band_for, category_percent, course_total, quiz_percent
from quiz_service.core import db
from quiz_service.quizzes.models import Attempt, AttemptState

BOOK = "/api/v1/teach/gradebook/fire-safety"
SCALE = [Band.model_validate(band) for band in scale_manifest(GradingScale(), ["kk", "ru"])]


# -- the arithmetic, by hand --------------------------------------------------------------------


def test_weighted_categories_missing_and_excused_items() -> None:
    book = Gradebook.model_validate(GRADEBOOK)
    # current: quiz 90 (x1), evacuation 80 (x2) -> 250/3; intermediate: report 80 -> 0.6*83.33 + 0.4*80 = 82
    full = course_total(
        book,
        SCALE,
        {
            "quiz:combustion-check": Cell(90),
            "assignment:evacuation-plan": Cell(80),
            "assignment:report": Cell(80),
        },
        None,
    )
    assert full.categories["current"] == pytest.approx(250 / 3)
    assert full.percent == pytest.approx(82.0)
    assert (full.band.letter, full.band.gpa, full.band.passed) == ("B", 3.0, True)
    # the quiz missing counts 0: current 160/3; total 0.6*53.33 + 32 = 64 -> C-
    missing = course_total(
        book, SCALE, {"assignment:evacuation-plan": Cell(80), "assignment:report": Cell(80)}, None
    )
    assert missing.percent == pytest.approx(64.0) and missing.band.letter == "C-"
    # the report excused: intermediate left out, current carries the total alone
    excused = course_total(
        book,
        SCALE,
        {
            "quiz:combustion-check": Cell(None),
            "assignment:evacuation-plan": Cell(100),
            "assignment:report": Cell(None, excused=True),
        },
        None,
    )
    assert excused.categories["intermediate"] is None
    assert excused.percent == pytest.approx(200 / 3) and excused.band.letter == "C"
    # the quiz excused inside its category: evacuation carries current
    inside = course_total(
        book,
        SCALE,
        {
            "quiz:combustion-check": Cell(None, excused=True),
            "assignment:evacuation-plan": Cell(70),
            "assignment:report": Cell(100),
        },
        None,
    )
    assert inside.percent == pytest.approx(0.6 * 70 + 0.4 * 100)
    overridden = course_total(book, SCALE, {}, Cell(91, overridden=True))
    assert (overridden.percent, overridden.band.letter, overridden.overridden) == (91, "A-", True)


def test_the_scale_edges() -> None:
    assert [band_for(SCALE, p).letter for p in (100, 95, 94.5, 94.49, 90, 89.49, 50, 49.5, 49.49, 25, 24.4, 0)] == [
        "A", "A", "A", "A-", "A-", "B+", "D", "D", "FX", "FX", "F", "F",
    ]  # fmt: skip
    assert [band_for(SCALE, p).passed for p in (50, 49.4)] == [True, False]
    assert band_for(SCALE, None) is None
    assert category_percent([(1, Cell(None, excused=True))]) is None


def test_a_quiz_counts_by_its_grading_method() -> None:
    attempts = [(1, 6.0, 10.0), (2, 9.0, 10.0), (3, 7.5, 10.0)]
    assert quiz_percent(attempts, "highest") == 90
    assert quiz_percent(attempts, "first") == 60
    assert quiz_percent(attempts, "last") == 75
    assert quiz_percent(attempts, "average") == pytest.approx(75)
    assert quiz_percent([], "highest") is None


# -- the gradebook in the service -----------------------------------------------------------------


def took_quiz(app: Flask, user_id: int, scores: list[float]) -> None:
    with app.app_context(), db.write_transaction() as writer:
        for number, points in enumerate(scores, start=1):
            writer.add(
                Attempt(
                    user_id=user_id, course="fire-safety", quiz="combustion-check", version="v1", lang="kk",
                    number=number, state=AttemptState.FINISHED, seed=1, questions="[]", started_at=BEFORE,
                    finished_at=BEFORE, points=points, max_points=10.0,
                )
            )  # fmt: skip


def hand_in_and_grade(
    client: FlaskClient, people: People, student: dict[str, str], assignment: str, grade: dict[str, Any]
) -> int:
    base = f"/api/v1/assignments/fire-safety/{assignment}"
    client.put(f"{base}/draft", json={"text": "Жұмыс"}, headers=student)
    submission = client.post(f"{base}/submit", headers=student).json["versions"][-1]["id"]
    teach = f"/api/v1/teach/assignments/fire-safety/{assignment}"
    graded = client.put(f"{teach}/submissions/{submission}/grade", json=grade, headers=people.teacher)
    assert graded.status_code == 200, graded.json
    return int(submission)


@pytest.fixture
def graded_class(
    app: Flask, client: FlaskClient, people: People, make_user: Callable[..., User]
) -> dict[str, int]:
    """Айгерім: quiz 6 and 9 of 10, evacuation 80, report 40/50. Данияр: no quiz, evacuation 100,
    report excused. A third student named like a formula took nothing."""
    took_quiz(app, people.ids["student"], [6.0, 9.0])
    hand_in_and_grade(
        client, people, people.student, "evacuation-plan", {"levels": {"routes": 0, "proposals": 2}}
    )
    hand_in_and_grade(client, people, people.student, "report", {"points": 40})
    hand_in_and_grade(
        client, people, people.classmate, "evacuation-plan", {"levels": {"routes": 2, "proposals": 2}}
    )
    injected = make_user(
        email="formula@oqu.example.kz", full_name='=HYPERLINK("http://x";"y")', group="ӨҚ-21"
    )
    excuse = client.put(
        f"{BOOK}/overrides",
        json={"student": "daniyar@oqu.example.kz", "item": "assignment:report", "excused": True},
        headers=people.teacher,
    )
    assert excuse.status_code == 204, excuse.json
    return {"formula": injected.id}


def rows_by_email(client: FlaskClient, people: People) -> dict[str, dict[str, Any]]:
    shown = client.get(BOOK, headers=people.teacher)
    assert shown.status_code == 200, shown.json
    return {row["student"]: row for row in shown.json["students"]}


def test_course_totals_by_hand(client: FlaskClient, people: People, graded_class: dict[str, int]) -> None:
    rows = rows_by_email(client, people)
    aigerim, daniyar, formula = (
        rows["aigerim@oqu.example.kz"],
        rows["daniyar@oqu.example.kz"],
        rows["formula@oqu.example.kz"],
    )
    assert aigerim["total"] == pytest.approx(82.0) and (
        aigerim["letter"],
        aigerim["gpa"],
        aigerim["passed"],
    ) == ("B", 3.0, True)
    assert daniyar["total"] == pytest.approx(200 / 3) and daniyar["letter"] == "C"
    assert [c["excused"] for c in daniyar["cells"]] == [False, False, True]
    assert formula["total"] == 0 and (formula["letter"], formula["passed"]) == ("F", False)
    assert "outsider@oqu.example.kz" not in rows  # not enrolled, nothing handed in


def test_overrides_and_locks(client: FlaskClient, people: People, graded_class: dict[str, int]) -> None:
    put = lambda **body: client.put(f"{BOOK}/overrides", json=body, headers=people.teacher)  # noqa: E731
    assert put(student="formula@oqu.example.kz", item="quiz:combustion-check", percent=50).status_code == 204
    assert rows_by_email(client, people)["formula@oqu.example.kz"]["total"] == pytest.approx(0.6 * 50 / 3)
    assert (
        put(student="aigerim@oqu.example.kz", item="assignment:evacuation-plan", locked=True).status_code
        == 204
    )
    rows = client.get(
        "/api/v1/teach/assignments/fire-safety/evacuation-plan/queue", headers=people.teacher
    ).json["rows"]
    mine = next(r for r in rows if r["student"] == "aigerim@oqu.example.kz")["submission_id"]
    regraded = client.put(
        f"/api/v1/teach/assignments/fire-safety/evacuation-plan/submissions/{mine}/grade",
        json={"levels": {"routes": 2, "proposals": 2}},
        headers=people.teacher,
    )
    assert regraded.json["points"] == 100
    aigerim = rows_by_email(client, people)["aigerim@oqu.example.kz"]
    cell = next(c for c in aigerim["cells"] if c["item"] == "assignment:evacuation-plan")
    assert (cell["percent"], cell["locked"]) == (80, True) and aigerim["total"] == pytest.approx(82.0)
    assert put(student="daniyar@oqu.example.kz", item="total", percent=70).status_code == 204
    daniyar = rows_by_email(client, people)["daniyar@oqu.example.kz"]
    assert (daniyar["total"], daniyar["letter"], daniyar["total_overridden"]) == (70, "C+", True)
    assert put(student="daniyar@oqu.example.kz", item="total").status_code == 204  # cleared
    assert rows_by_email(client, people)["daniyar@oqu.example.kz"]["total"] == pytest.approx(200 / 3)
    assert put(student="daniyar@oqu.example.kz", item="total", percent=101).status_code == 422
    assert put(student="daniyar@oqu.example.kz", item="quiz:nope", percent=1).status_code == 404
    assert (
        client.put(
            f"{BOOK}/overrides",
            json={"student": "daniyar@oqu.example.kz", "item": "total", "percent": 1},
            headers=people.other_teacher,
        ).status_code
        == 403
    )


def test_a_student_sees_released_grades_and_the_total_once_all_are_shown(
    client: FlaskClient, people: People, graded_class: dict[str, int]
) -> None:
    mine = client.get("/api/v1/grades/fire-safety", headers=people.student).json
    assert len(mine["students"]) == 1 and mine["students"][0]["student"] == "aigerim@oqu.example.kz"
    cells = {c["item"]: c["percent"] for c in mine["students"][0]["cells"]}
    assert cells == {
        "quiz:combustion-check": 90,
        "assignment:evacuation-plan": None,
        "assignment:report": None,
    }
    assert mine["students"][0]["total"] is None
    for assignment in ("evacuation-plan", "report"):
        client.post(
            f"/api/v1/teach/assignments/fire-safety/{assignment}/release", json={}, headers=people.teacher
        )
    mine = client.get("/api/v1/grades/fire-safety", headers=people.student).json["students"][0]
    assert mine["total"] == pytest.approx(82.0) and mine["letter"] == "B"
    assert client.get("/api/v1/grades/fire-safety", headers=people.teacher).status_code == 403
    assert client.get("/api/v1/grades/fire-safety", headers=people.outsider).status_code == 403
    assert client.get(BOOK, headers=people.student).status_code == 403


def test_exports_read_back_with_formulas_neutralised(
    client: FlaskClient, people: People, graded_class: dict[str, int]
) -> None:
    got = client.get(f"{BOOK}/export.csv?lang=ru", headers=people.teacher)
    assert (
        got.status_code == 200
        and got.headers["Content-Disposition"] == 'attachment; filename="fire-safety-gradebook.csv"'
    )
    rows = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Обучающийся", "Электронная почта", "Группа"]
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["formula@oqu.example.kz"][0].startswith("'=HYPERLINK")
    assert float(by_email["aigerim@oqu.example.kz"][rows[0].index("Итоговый балл по курсу")]) == 82.0
    assert by_email["daniyar@oqu.example.kz"][5] == "по уважительной причине"
    book = load_workbook(io.BytesIO(client.get(f"{BOOK}/export.xlsx", headers=people.teacher).data))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    formula_row = next(row for row in values if row[1] == "formula@oqu.example.kz")
    assert (
        formula_row[0].startswith("'=")
        and sheet.cell(row=values.index(formula_row) + 1, column=1).data_type == "s"
    )
    assert client.get(f"{BOOK}/export.csv", headers=people.other_teacher).status_code == 403


def test_the_bundle_file_is_read_again_after_a_build(
    app_config: dict[str, Any], client: FlaskClient, people: People, clock: Clock
) -> None:
    path = app_config["SERVICE_DIR"] / "assignments" / "fire-safety.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["assignments"][0]["due"] = (BEFORE + timedelta(days=30)).isoformat()
    path.write_text(json.dumps(data), encoding="utf-8")
    import os

    os.utime(path, ns=(1, 10**18))
    shown = client.get("/api/v1/assignments/fire-safety/evacuation-plan", headers=people.student).json
    assert shown["due"].startswith("2027-01-14")
