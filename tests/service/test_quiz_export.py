"""Results export (CSV and XLSX) read back as a spreadsheet would: values, no formulas (T16), Cyrillic.

The class and its answers are those of test_quiz_statistics.py (same fixtures): five students,
one of them twice, grading method `average`, pass mark 50 %.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import test_quiz_statistics as shared
from flask.testing import FlaskClient
from openpyxl import load_workbook

from quiz_service.quizzes.reports.export import (
    Table,
    attachment_name,
    neutralise,
    neutralise_for_csv,
    to_csv,
    to_xlsx,
)

# The fixtures of the statistics tests: the same bundle, class and teacher.
app_config, publish, clock = shared.app_config, shared.publish, shared.clock
bearer_of, teacher, class_took_exam = shared.bearer_of, shared.teacher, shared.class_took_exam

URL = "/api/v1/teach/quizzes/fire-safety/exam/results"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_KK = [
    "Аты-жөні",
    "Электрондық пошта",
    "Тобы",
    "Талпыныс",
    "Күйі",
    "Басталды (UTC+5)",
    "Аяқталды (UTC+5)",
    "Ұзақтығы (мин)",
    "Балл",
    "Ең жоғары балл",
    "Пайыз",
    "Нәтижесі",
    "С1 /1",
    "С2 /1",
    "С3 /1",
    "С4 /1",
    "Тест бағасы (%)",
]


def test_csv_has_one_row_per_attempt_with_formulas_neutralised(
    client: FlaskClient, teacher: dict[str, str], class_took_exam: None
) -> None:
    response = client.get(f"{URL}.csv", headers=teacher)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="fire-safety-exam-results.csv"'
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the Cyrillic right
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == HEADER_KK
    names = [row[0] for row in rows[1:]]
    assert names == [
        "'+cmd|' /C calc'!A0",
        '\'=HYPERLINK("http://x","y")',
        "Айгерім Сапарова",
        "Дәулет Серікұлы",
        "Нұрлан Әбенов",
        "Нұрлан Әбенов",
    ]
    by_name = {(row[0], row[3]): row for row in rows[1:]}
    assert by_name[("Айгерім Сапарова", "1")] == [
        "Айгерім Сапарова",
        "student1@oqu.example.kz",
        "ӨҚ-21",
        "1",
        "аяқталды",
        "2026-12-14 14:00:00",  # Asia/Almaty, UTC+5
        "2026-12-14 14:12:00",
        "12.0",
        "4.0",
        "4.0",
        "100.0",
        "өтті",
        "1.0",
        "1.0",
        "1.0",
        "1.0",
        "100.0",
    ]
    first, second = by_name[("Нұрлан Әбенов", "1")], by_name[("Нұрлан Әбенов", "2")]
    assert first[8:17] == [
        "3.0",
        "4.0",
        "75.0",
        "өтті",
        "1.0",
        "1.0",
        "1.0",
        "0.0",
        "87.5",
    ]  # average 75, 100
    assert second[8:17] == ["4.0", "4.0", "100.0", "өтті", "1.0", "1.0", "1.0", "1.0", "87.5"]
    command = by_name[("'+cmd|' /C calc'!A0", "1")]
    assert command[2] == "'-ӨҚ-22"  # a group starting with "-" is text too
    assert command[10:12] == ["25.0", "өтпеді"]


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers(
    client: FlaskClient, teacher: dict[str, str], class_took_exam: None
) -> None:
    response = client.get(f"{URL}.xlsx?lang=ru", headers=teacher)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == 'attachment; filename="fire-safety-exam-results.xlsx"'
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Результаты", "Оценки"]
    sheet = book["Результаты"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.data_type for cell in cells if cell.data_type == "f"] == []
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["ФИО", "Электронная почта", "Группа", "Попытка"]
    assert header[12:] == ["В1 /1", "В2 /1", "В3 /1", "В4 /1", "Оценка за тест (%)"]
    rows = {(row[0].value, row[3].value): row for row in sheet.iter_rows(min_row=2)}
    hyperlink = rows[('\'=HYPERLINK("http://x","y")', 1)]
    assert (hyperlink[0].data_type, hyperlink[4].value, hyperlink[11].value) == ("s", "завершена", "сдано")
    assert [cell.value for cell in hyperlink[8:11]] == [2, 4, 50]
    assert all(isinstance(cell.value, int | float) and cell.data_type == "n" for cell in hyperlink[7:11])
    assert rows[("'+cmd|' /C calc'!A0", 1)][0].data_type == "s"
    aigerim = rows[("Айгерім Сапарова", 1)]
    assert aigerim[5].value == datetime(2026, 12, 14, 14, 0) and aigerim[5].is_date
    assert aigerim[7].value == 12
    grades = [[cell.value for cell in row] for row in book["Оценки"].iter_rows()]
    assert grades[0] == ["ФИО", "Электронная почта", "Группа", "Оценка за тест (%)", "Итог"]
    assert ["Нұрлан Әбенов", "student2@oqu.example.kz", "ӨҚ-21", 87.5, "сдано"] in grades
    assert ["Дәулет Серікұлы", "student5@oqu.example.kz", "ӨҚ-22", 25, "не сдано"] in grades
    assert len(grades) == 6


def test_an_empty_quiz_exports_its_header_only(
    client: FlaskClient, teacher: dict[str, str], publish: Any
) -> None:
    publish()
    response = client.get(f"{URL}.csv?lang=en", headers=teacher)
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows == [
        [
            "Full name",
            "Email",
            "Group",
            "Attempt",
            "State",
            "Started (UTC+5)",
            "Finished (UTC+5)",
            "Duration (min)",
            "Points",
            "Maximum points",
            "Percent",
            "Result",
            "Q1 /1",
            "Q2 /1",
            "Q3 /1",
            "Q4 /1",
            "Quiz grade (%)",
        ]
    ]


# -- the pure part -------------------------------------------------------------------------


DANGEROUS = [
    "=1+1",
    "+7 701 000 00 00",
    "-2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "  =1",
    '=HYPERLINK("http://x","y")',
]


def test_every_formula_start_is_neutralised_and_numbers_are_kept() -> None:
    assert [neutralise(text) for text in DANGEROUS] == ["'" + text for text in DANGEROUS]
    assert [neutralise(value) for value in ("Айгерім", "a=b", "", -2, 3.5, None)] == [
        "Айгерім",
        "a=b",
        "",
        -2,
        3.5,
        None,
    ]


def test_xlsx_writes_no_formula_and_no_error_cell() -> None:
    table = Table(
        "Нәтижелер", ["Аты-жөні", "Балл"], [[text, -1.5] for text in [*DANGEROUS, "#N/A", "бел\x07гі"]]
    )
    sheet = load_workbook(io.BytesIO(to_xlsx([table])))["Нәтижелер"]
    values = [
        (row[0].value, row[0].data_type, row[1].value, row[1].data_type) for row in sheet.iter_rows(min_row=2)
    ]
    assert values == [
        # XML reads a bare carriage return back as a line feed; the quote is what matters
        *(("'" + text.replace("\r", "\n"), "s", -1.5, "n") for text in DANGEROUS),
        ("#N/A", "s", -1.5, "n"),
        ("белгі", "s", -1.5, "n"),  # a control character XML cannot hold is dropped
    ]


def test_csv_round_trips_quotes_commas_and_line_breaks() -> None:
    rows: list[list[Any]] = [['Аты "лақап", екінші\nжол', 2.5, None, datetime(2026, 12, 14, 14, 5, 9)]]
    data = to_csv(Table("t", ["a", "b", "c", "d"], rows))
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [
        ["a", "b", "c", "d"],
        ['Аты "лақап", екінші\nжол', "2.5", "", "2026-12-14 14:05:09"],
    ]


def test_attachment_names_are_plain() -> None:
    assert (
        attachment_name("fire-safety", "exam", "results", extension="csv") == "fire-safety-exam-results.csv"
    )
    assert attachment_name('a"b\r\nc', "../ж", extension="xlsx") == "a_b_c.xlsx"
    assert attachment_name("", extension="csv") == "export.csv"


def test_the_api_describes_the_files_it_sends(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for name, media_type in (("csv", "text/csv"), ("xlsx", XLSX)):
        described = paths[f"/api/v1/teach/quizzes/{{course}}/{{quiz}}/results.{name}"]["get"]
        assert described["responses"]["200"]["content"] == {
            media_type: {"schema": {"type": "string", "format": "binary"}}
        }
        assert [p["name"] for p in described["parameters"]] == ["course", "quiz", "lang"]


# -- T40: a formula after a separator, for Excel that splits on `;` (issue #10, finding 5) ----

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
AFTER_SEPARATORS = [
    "Айгерім;=2+3",
    'Сапарова; =HYPERLINK("http://x";"y")',
    "Дәулет,+cmd|' /C calc'!A0",
    'ӨҚ-21;"=1+1',
    "Нұрлан\t@SUM(A1)",
    "Әбенов\n-2+3",
    "Серікұлы;;\t=1",
]


def formula_cells(data: bytes, separator: str) -> list[str]:
    """The cells a spreadsheet splitting on `separator` would take for a formula (numbers aside)."""
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=separator)
    cells = [cell.lstrip(' "') for row in rows for cell in row]
    return [cell for cell in cells if cell.startswith(FORMULA_STARTS) and not is_number(cell)]


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_csv_read_back_on_commas_or_semicolons_holds_no_formula() -> None:
    rows: list[list[Any]] = [
        [text, "student1@oqu.example.kz", text, 1, -1.5, 50.0] for text in AFTER_SEPARATORS
    ]
    data = to_csv(Table("Нәтижелер", ["Аты-жөні;=1+1", "Пошта", "Тобы", "Талпыныс", "Балл", "Пайыз"], rows))
    assert formula_cells(data, ",") == [] and formula_cells(data, ";") == []
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [row[0] for row in read[1:]] == [neutralise_for_csv(text) for text in AFTER_SEPARATORS]
    assert read[1][3:] == ["1", "-1.5", "50.0"]  # numbers stay numbers


def test_every_text_field_is_quoted_and_numbers_are_not() -> None:
    data = to_csv(Table("t", ["Аты-жөні", "Балл"], [["Айгерім Сапарова", 4.0], [None, 2]]))
    assert data.decode("utf-8-sig").splitlines() == ['"Аты-жөні","Балл"', '"Айгерім Сапарова",4.0', '"",2']


def test_a_formula_after_a_separator_gets_its_quote_and_plain_text_is_kept() -> None:
    assert [neutralise_for_csv(text) for text in AFTER_SEPARATORS] == [
        "Айгерім;'=2+3",
        'Сапарова; \'=HYPERLINK("http://x";"y")',
        "Дәулет,'+cmd|' /C calc'!A0",
        "ӨҚ-21;\"'=1+1",
        "Нұрлан\t'@SUM(A1)",
        "Әбенов\n'-2+3",
        "Серікұлы;;'\t'=1",
    ]
    kept = ["Айгерім Сапарова", "ӨҚ-21", "a=b; c", "Әл-Фараби, 1-курс", 3.5, None]
    assert [neutralise_for_csv(value) for value in kept] == kept


def test_the_results_csv_of_a_student_named_with_a_formula_after_a_semicolon_holds_no_formula(
    client: FlaskClient,
    teacher: dict[str, str],
    clock: Any,
    publish: Any,
    bearer_of: Any,
) -> None:
    publish(grading="average")
    headers = bearer_of(full_name="Айгерім;=2+3", group="ӨҚ-21,=1+1", email="aigerim@oqu.example.kz")
    shared.take(client, headers, clock, shared.RIGHT)
    data = client.get(f"{URL}.csv", headers=teacher).data
    assert formula_cells(data, ",") == [] and formula_cells(data, ";") == []
    row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))[1]
    assert row[:3] == ["Айгерім;'=2+3", "aigerim@oqu.example.kz", "ӨҚ-21,'=1+1"]
