"""The spreadsheet export moved to `quiz_service.core.export` (the gradebook uses it too);
this name stays for the quiz reports' imports."""

from __future__ import annotations

from quiz_service.core.export import (
    CSV_MEDIA_TYPE,
    FORMULA_STARTS,
    XLSX_MEDIA_TYPE,
    Cell,
    Table,
    attachment_name,
    neutralise,
    neutralise_for_csv,
    to_csv,
    to_xlsx,
)

__all__ = [
    "CSV_MEDIA_TYPE",
    "FORMULA_STARTS",
    "XLSX_MEDIA_TYPE",
    "Cell",
    "Table",
    "attachment_name",
    "neutralise",
    "neutralise_for_csv",
    "to_csv",
    "to_xlsx",
]
