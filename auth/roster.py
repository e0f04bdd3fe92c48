"""Reading a CSV list of users (the registrar's roster): every bad row is reported.

Columns, in any order, with a header row: email, full_name, role, group, dl_category.
UTF-8 (with or without Excel's BOM); comma or semicolon separated. An empty group means
none; an empty dl_category means `none`.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from auth.models import DLCategory, Role

COLUMNS = ("email", "full_name", "role", "group", "dl_category")
MAX_LENGTHS = {"email": 254, "full_name": 200, "group": 64}

E = TypeVar("E", Role, DLCategory)


class EmailError(ValueError):
    """Not an email address."""


def normalize_email(raw: str) -> str:
    """The address in lowercase; EmailError when it does not look like one."""
    email = raw.strip().lower()
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain.strip(".")) or "@" in domain or _has_space(email):
        raise EmailError(f"{raw.strip()!r} is not an email address")
    return email


def _has_space(text: str) -> bool:
    return any(character.isspace() or ord(character) < 0x20 for character in text)


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    full_name: str
    role: Role
    group: str | None
    dl_category: DLCategory


def read_roster(data: bytes, filename: str) -> tuple[list[RosterRow], list[str]]:
    """The rows of a roster and the problems found, each as `FILE:LINE: message`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return [], [f'{filename}:{line}: not UTF-8 text; save the file as "CSV UTF-8"']
    rows: list[RosterRow] = []
    problems: list[str] = []
    for line, row, row_problems in _check_rows(text):
        problems.extend(f"{filename}:{line}: {problem}" for problem in row_problems)
        if row is not None:
            rows.append(row)
    return rows, problems


def _check_rows(text: str) -> Iterator[tuple[int, RosterRow | None, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader, None)
        header_problems = _check_header(header)
        if header_problems or header is None:
            yield 1, None, header_problems
            return
        yield from _check_records(reader, header)
    except csv.Error as error:
        yield reader.line_num, None, [f"not valid CSV: {error}"]


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return ";" if ";" in first_line and "," not in first_line else ","


def _check_header(header: list[str] | None) -> list[str]:
    if not header or not any(cell.strip() for cell in header):
        return [f"the file is empty; expected the columns {', '.join(COLUMNS)}"]
    names = [cell.strip() for cell in header]
    problems = [f"column {name!r} appears twice" for name in COLUMNS if names.count(name) > 1]
    problems += [_unknown(name, "column") for name in names if name not in COLUMNS]
    problems += [f"missing column {name!r}" for name in COLUMNS if name not in names]
    return problems


def _unknown(value: str, what: str) -> str:
    close = difflib.get_close_matches(value, COLUMNS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown {what} {value!r}{hint}"


def _check_records(reader: Any, header: list[str]) -> Iterator[tuple[int, RosterRow | None, list[str]]]:
    names = [cell.strip() for cell in header]
    first_lines: dict[str, int] = {}
    end = reader.line_num  # the header's last line
    for cells in reader:
        start, end = end + 1, reader.line_num  # a quoted field may span lines
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(names):
            yield start, None, [f"expected {len(names)} fields, found {len(cells)}"]
            continue
        row, problems = _check_record(start, dict(zip(names, cells, strict=True)))
        if row is not None and row.email in first_lines:
            problems.append(f"email {row.email!r} is already on line {first_lines[row.email]}")
            row = None
        elif row is not None:
            first_lines[row.email] = start
        yield start, row, problems


def _check_record(line: int, record: dict[str, str]) -> tuple[RosterRow | None, list[str]]:
    values = {key: value.strip() for key, value in record.items()}
    problems = [
        f"{key} is longer than {limit} characters"
        for key, limit in MAX_LENGTHS.items()
        if len(values[key]) > limit
    ]
    email = _email(values["email"], problems)
    if not values["full_name"]:
        problems.append("full_name is empty")
    role = _choice(Role, values["role"], "role", problems)
    category = _choice(DLCategory, values["dl_category"] or "none", "dl_category", problems)
    if problems or email is None or role is None or category is None:
        return None, problems
    row = RosterRow(line, email, values["full_name"], role, values["group"] or None, category)
    return row, []


def _email(value: str, problems: list[str]) -> str | None:
    try:
        return normalize_email(value)
    except EmailError as error:
        problems.append(f"email {error}")
        return None


def _choice(kind: type[E], value: str, column: str, problems: list[str]) -> E | None:
    try:
        return kind(value)
    except ValueError:
        allowed = [member.value for member in kind]
        close = difflib.get_close_matches(value, allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"{column} {value!r} is not one of {', '.join(allowed)}{hint}")
        return None
