"""Request and response bodies of the statements API (the OpenAPI document comes from them).

The statements themselves are checked by `xapi.py` (xAPI 1.0.3 in full), not by these models:
they only say "a statement or a list of them" so that every refusal names its field the same way.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, RootModel

from quiz_service.core.openapi import RequestBody


class StatementsIn(RootModel[dict[str, Any] | list[Any]]):
    """One xAPI 1.0.3 statement, or a list of them (all recorded, or none)."""


class StatementIdsOut(RootModel[list[str]]):
    """The ids of the statements sent, in order (a repeated statement's too)."""


class StatementsQuery(RequestBody):
    statementId: str | None = None  # xAPI's parameter name
    after: int = Field(-1, ge=-1, description="The sequence number after which to list (from `more`).")
    limit: int = Field(100, ge=1, le=500)


class StatementResultOut(BaseModel):
    statements: list[dict[str, Any]]
    more: str = Field("", description="The address of the next page, empty at the end.")
