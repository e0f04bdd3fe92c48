"""Whole numbers in URLs (`<int:attempt_id>`) bounded as the database's ids are.

An id past the bound is no row of ours: the route answers 404 in the one error shape (the
styled page outside /api/), never a 500 from the query (SQLite's OverflowError past 64 bits,
PostgreSQL's out-of-range error past its 32-bit `integer`). Registered on the app before any
blueprint, so that every `<int:…>` of every blueprint is bounded.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

MAX_ROW_ID = 2**31 - 1  # PostgreSQL's `integer`, the type of every id column


class RowIdConverter(IntegerConverter):
    """`int` in routes: 0 to MAX_ROW_ID unless the rule says otherwise (`<int(max=9):n>`)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = RowIdConverter
