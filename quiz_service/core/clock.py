"""The service's clock: `now()` in a request, set by tests as `app.extensions["oqu_clock"]`.

Service functions never read it: they take `now` as an argument, and the views pass `now()`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app

from quiz_service.core.db import utcnow

Clock = Callable[[], datetime]
EXTENSION = "oqu_clock"


def init_app(app: Flask) -> None:
    app.extensions.setdefault(EXTENSION, utcnow)


def now() -> datetime:
    clock: Clock = current_app.extensions.get(EXTENSION, utcnow)
    return clock()
