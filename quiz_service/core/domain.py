"""Domain errors: what service code raises when it refuses, in the domain's terms.

A service function never speaks HTTP: it raises `NotFound`, `Conflict`, `Invalid`,
`Forbidden` or `TooMany` with a stable `code` (clients and tests read it) and a message
for people. The core's error handlers (`errors.py`) turn each into the one error shape
`{"error": {"code", "message"}}` with its status (`errors.STATUS_OF`), in one place.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal: `code` for programs, `message` for people, `retry_after` seconds when waiting helps."""

    def __init__(self, code: str, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


class NotFound(DomainError):
    """There is no such thing, or it is not the caller's to see (as missing as one that does not exist)."""


class Forbidden(DomainError):
    """The caller may not do this."""


class Conflict(DomainError):
    """Not now: the state of things refuses it (a closed attempt, a stale save, no attempts left)."""


class Invalid(DomainError):
    """The request cannot be: a value out of range, a response that does not fit the question."""


class TooMany(DomainError):
    """Too many of these in a while; `retry_after` says when."""
