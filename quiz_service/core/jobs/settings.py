"""Settings of the background jobs: defaults, then OQU_* environment variables, then `create_app`'s."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import timedelta

from flask import Flask

from quiz_service.core.config import Settings, apply_settings


class SettingError(ValueError):
    """A setting's value cannot be used; the message names the variable."""


def seconds(variable: str) -> Callable[[str], timedelta]:
    def parse(text: str) -> timedelta:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value <= 0:
            raise SettingError(f"{variable} must be a positive number of seconds, not {text!r}")
        return timedelta(seconds=value)

    return parse


def count(variable: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.strip().isdigit() or int(text) < 1:
            raise SettingError(f"{variable} must be a whole number of at least 1, not {text!r}")
        return int(text)

    return parse


def modules(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


# setting: (environment variable, default, parser)
SETTINGS: Settings = {
    # How long a worker waits between looks at the queue when it found nothing to do.
    "JOBS_POLL": ("OQU_JOBS_POLL_SECONDS", timedelta(seconds=1), seconds("OQU_JOBS_POLL_SECONDS")),
    # A running job's lease; its worker renews it every third of it. A job whose lease ran
    # out (its worker was killed, its host lost) is claimed again by another worker.
    "JOBS_LEASE": ("OQU_JOBS_LEASE_SECONDS", timedelta(seconds=60), seconds("OQU_JOBS_LEASE_SECONDS")),
    # Attempts before a failing job is dead (listed by `oqu jobs failed`), unless the job says.
    "JOBS_MAX_ATTEMPTS": ("OQU_JOBS_MAX_ATTEMPTS", 5, count("OQU_JOBS_MAX_ATTEMPTS")),
    # The wait before the first retry; it doubles at each retry, up to an hour.
    "JOBS_BACKOFF": ("OQU_JOBS_BACKOFF_SECONDS", timedelta(seconds=10), seconds("OQU_JOBS_BACKOFF_SECONDS")),
    # More modules whose @job and @periodic functions the worker runs (comma-separated).
    "JOBS_MODULES": ("OQU_JOBS_MODULES", (), modules),
}

SETTING_TYPES = {"JOBS_POLL": timedelta, "JOBS_LEASE": timedelta, "JOBS_BACKOFF": timedelta}


def configure(app: Flask, environ: Mapping[str, str] | None = None) -> None:
    """Fill in each jobs setting the app does not have yet: environment, else default."""
    apply_settings(app.config, SETTINGS, environ)
    for key, kind in SETTING_TYPES.items():
        value = app.config[key]
        if isinstance(value, int | float):  # create_app(test_config) may give plain seconds
            app.config[key] = seconds(key)(str(value))
        elif not isinstance(value, kind):
            raise SettingError(f"{key} must be a number of seconds, not {value!r}")
