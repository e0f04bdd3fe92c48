"""Tables to CSV and XLSX bytes, safe to open in a spreadsheet (T16, T40).

A text cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab or carriage
return first, also after spaces) gets a leading `'`: a student named `=HYPERLINK(…)` stays a
name. Numbers stay numbers. CSV is UTF-8 with a byte order mark, so that Excel reads Cyrillic
right; XLSX cells holding text are written as text, never as formulas.

In CSV every text field is quoted, and a formula start after any separator inside a text
(`,` `;` tab or a line break, then spaces or quotes) gets its `'` too: Kazakh and Russian Excel
split a CSV on `;`, reading this comma-separated file with the quoting lost, so `x;=2+3` would
become a cell `=2+3`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | datetime | None

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
UNSAFE_IN_NAMES = re.compile(r"[^A-Za-z0-9._-]+")
# A separator that some spreadsheet splits on, then spaces or quotes, then a formula start.
FORMULA_AFTER_SEPARATOR = re.compile(r"""([,;\t\r\n][ "]*)(?=[=+\-@\t\r])""")
SHEET_TITLE_LIMIT = 31  # Excel's own limit


@dataclass(frozen=True)
class Table:
    title: str  # the sheet's name in XLSX
    header: list[str]
    rows: list[list[Cell]]


def neutralise(value: Cell) -> Cell:
    """The value, with text that a spreadsheet would take for a formula turned into plain text."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_for_csv(value: Cell) -> Cell:
    """`neutralise`, and a formula start after any separator inside a text neutralised too."""
    value = neutralise(value)
    if isinstance(value, str):
        return FORMULA_AFTER_SEPARATOR.sub(r"\1'", value)
    return value


def to_csv(table: Table) -> bytes:
    """UTF-8 CSV with a byte order mark, every text field quoted; dates as `YYYY-MM-DD HH:MM:SS`."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([neutralise_for_csv(text) for text in table.header])
    for row in table.rows:
        writer.writerow([neutralise_for_csv(_csv_value(value)) for value in row])
    return out.getvalue().encode("utf-8-sig")


def _csv_value(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    return value


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table: a bold, frozen header row; text as text, numbers as numbers."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title))
        sheet.append([_xlsx_value(text) for text in table.header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_value(value) for value in row])
        _as_text_and_dates(sheet)
        sheet.freeze_panes = "A2"
        _fit_columns(sheet, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value: Cell) -> Cell:
    value = neutralise(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones: the caller gives local time
    return value


def _as_text_and_dates(sheet: object) -> None:
    """openpyxl guesses a formula from a leading `=` and an error from `#N/A`: text stays text."""
    for row in sheet.iter_rows():  # type: ignore[attr-defined]
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
            elif isinstance(cell.value, datetime):
                cell.number_format = XLSX_DATETIME_FORMAT


def _fit_columns(sheet: object, table: Table) -> None:
    for index, title in enumerate(table.header, start=1):
        longest = max([len(title), *(len(str(row[index - 1] or "")) for row in table.rows[:200])])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 8), 50)  # type: ignore[attr-defined]


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:SHEET_TITLE_LIMIT] or "Sheet"


def attachment_name(*parts: str, extension: str) -> str:
    """A file name that is safe in a Content-Disposition header and on any disk."""
    cleaned = (UNSAFE_IN_NAMES.sub("_", part).strip("._-") for part in parts)
    stem = "-".join(part for part in cleaned if part)
    return f"{stem or 'export'}.{extension}"
