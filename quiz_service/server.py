"""The one server for the demo and for production: gunicorn, started from `oqu serve`.

Each worker process makes its own app (and so its own database connections): nothing that
holds a connection crosses gunicorn's fork.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

THREADS_PER_WORKER = 4  # a slow client (a beacon, a large video range) does not hold a whole worker


class Gunicorn(BaseApplication):  # gunicorn has no type hints (ignore_missing_imports)
    """gunicorn with its settings given here instead of read from a command line."""

    def __init__(self, make_app: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.make_app = make_app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.make_app()


def gunicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "bind": [bind],
        "workers": workers,
        "worker_class": "gthread",
        "threads": THREADS_PER_WORKER,
        "preload_app": False,  # each worker makes its own app after the fork
        "graceful_timeout": 10,
        "proc_name": "oqu",
    }


def run_gunicorn(make_app: Callable[[], Flask], host: str, port: int, workers: int) -> None:
    """Serve until stopped (Ctrl+C or SIGTERM); returns when gunicorn's arbiter exits."""
    Gunicorn(make_app, gunicorn_options(host, port, workers)).run()
