"""Whether the service can answer requests now: each part that depends on something outside
the process (the database, Redis, the job queue) registers a check; `GET /api/v1/ready`
reports them all, so that a load balancer sends no traffic to a host that cannot serve it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from flask import Flask, current_app

State = Literal["ok", "down", "not_used"]
Check = Callable[[], State]
EXTENSION = "oqu_readiness"


def register(app: Flask, name: str, check: Check) -> None:
    app.extensions.setdefault(EXTENSION, {})[name] = check


def report() -> dict[str, State]:
    """Each dependency's state, by name; a check that fails counts as down."""
    checks: dict[str, Check] = current_app.extensions.get(EXTENSION, {})
    states: dict[str, State] = {}
    for name, check in checks.items():
        try:
            states[name] = check()
        except Exception:  # a broken check must not make the readiness endpoint a 500
            current_app.logger.exception("readiness check %s failed", name)
            states[name] = "down"
    return states


def is_ready(states: dict[str, State]) -> bool:
    return all(state != "down" for state in states.values())
