"""The gradebook as CSV and XLSX (formula injection neutralised by core.export, T16/T40)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response

from quiz_service.assignments import gradebook as book
from quiz_service.assignments.content import CourseAssessment
from quiz_service.assignments.texts import ASSIGN
from quiz_service.core import export
from quiz_service.core.i18n import request_language, texts_for


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def shown_cell(cell: book.Cell, said: Mapping[str, str]) -> export.Cell:
    """A cell's value, or the word for an excused item, an attestation awaiting its proctor, or
    attendance with no class held yet."""
    if cell.excused:
        return said["excused"]
    if cell.note is not None:
        return said[f"note.{cell.note}"]
    return rounded(cell.percent)


def gradebook_table(found: CourseAssessment, sheet: book.Sheet, lang: str) -> export.Table:
    said = texts_for(ASSIGN, lang)
    items = [item for _, item in sheet.gradebook.items()]
    categories = [c.category for c in sheet.gradebook.categories]
    header = [said["student"], said["email"], said["group"]]
    header += [f"{item.key} (%)" for item in items]
    header += [said[f"category.{c}"] + " (%)" for c in categories]
    header += [said["total"], said["letter"], said["gpa"], said["result"]]
    rows: list[list[export.Cell]] = []
    for student in sheet.students:
        cells, total = sheet.cells[student.id], sheet.totals[student.id]
        row: list[export.Cell] = [student.full_name or "", student.email, student.group or ""]
        row += [shown_cell(cells[i.key], said) for i in items]
        row += [rounded(total.categories.get(c)) for c in categories]
        band = total.band
        shown_total = said["note.awaiting"] if total.awaiting else rounded(total.percent)
        row += [shown_total, band.letter if band else "", band.gpa if band else None]
        row += [(said["passed"] if band.passed else said["failed"]) if band else ""]
        rows.append(row)
    return export.Table(title=found.course, header=header, rows=rows)


def _download(content: bytes, media_type: str, name: str) -> Response:
    response = Response(content, 200, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"  # students' names and grades
    return response


def csv_response(found: CourseAssessment, sheet: book.Sheet) -> Response:
    table = gradebook_table(found, sheet, request_language())
    name = export.attachment_name(found.course, "gradebook", extension="csv")
    return _download(export.to_csv(table), export.CSV_MEDIA_TYPE, name)


def xlsx_response(found: CourseAssessment, sheet: book.Sheet) -> Response:
    table = gradebook_table(found, sheet, request_language())
    name = export.attachment_name(found.course, "gradebook", extension="xlsx")
    return _download(export.to_xlsx([table]), export.XLSX_MEDIA_TYPE, name)
