"""Settings of the background jobs: defaults, then OQU_* environment variables, then `create_app`'s."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask
from pydantic import PositiveFloat, PositiveInt

from quiz_service.core.config import OquSettings, SettingsError, apply_settings

SettingError = SettingsError  # what `oqu worker` catches: a value that names its variable


class JobSettings(OquSettings):
    # How long a worker waits between looks at the queue when it found nothing to do.
    jobs_poll_seconds: PositiveFloat = 1
    # A running job's lease; its worker renews it every third of it. A job whose lease ran
    # out (its worker was killed, its host lost) is claimed again by another worker.
    jobs_lease_seconds: PositiveFloat = 60
    # Attempts before a failing job is dead (listed by `oqu jobs failed`), unless the job says.
    jobs_max_attempts: PositiveInt = 5
    # The wait before the first retry; it doubles at each retry, up to an hour.
    jobs_backoff_seconds: PositiveFloat = 10
    # More modules whose @job and @periodic functions the worker runs (comma-separated).
    jobs_modules: str = ""

    def to_config(self) -> dict[str, Any]:
        return {
            "JOBS_POLL": timedelta(seconds=self.jobs_poll_seconds),
            "JOBS_LEASE": timedelta(seconds=self.jobs_lease_seconds),
            "JOBS_MAX_ATTEMPTS": self.jobs_max_attempts,
            "JOBS_BACKOFF": timedelta(seconds=self.jobs_backoff_seconds),
            "JOBS_MODULES": tuple(name.strip() for name in self.jobs_modules.split(",") if name.strip()),
        }


DURATIONS = ("JOBS_POLL", "JOBS_LEASE", "JOBS_BACKOFF")


def configure(app: Flask, environ: Mapping[str, str] | None = None) -> None:
    """Fill in each jobs setting the app does not have yet: environment, else default."""
    apply_settings(app.config, JobSettings, environ)
    for key in DURATIONS:
        value = app.config[key]
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            app.config[key] = timedelta(seconds=value)  # create_app(test_config) may give plain seconds
        elif not isinstance(value, timedelta) or value <= timedelta(0):
            raise SettingsError(f"{key} must be a positive number of seconds, not {value!r}")
