"""Consultations' settings: OQU_CONSULT_* environment variables, then `create_app`'s."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from pydantic import NonNegativeInt, PositiveFloat

from quiz_service.consultations.service import Policy
from quiz_service.core.config import OquSettings, apply_settings


class ConsultationSettings(OquSettings):
    # How long a seat freed by a cancellation is held for the first waiting student.
    consult_hold_minutes: PositiveFloat = 120
    # Live bookings a student may hold in one course at a time (0: no limit).
    consult_course_limit: NonNegativeInt = 3
    # How long before a consultation its reminder is sent.
    consult_reminder_hours: PositiveFloat = 24

    def to_config(self) -> dict[str, Any]:
        return {
            "CONSULT_HOLD": timedelta(minutes=self.consult_hold_minutes),
            "CONSULT_COURSE_LIMIT": self.consult_course_limit,
            "CONSULT_REMINDER_BEFORE": timedelta(hours=self.consult_reminder_hours),
        }


def configure(app: Flask, environ: Mapping[str, str] | None = None) -> None:
    apply_settings(app.config, ConsultationSettings, environ)


def policy() -> Policy:
    config = current_app.config
    return Policy(hold=config["CONSULT_HOLD"], course_limit=int(config["CONSULT_COURSE_LIMIT"]))
