"""Settings of assignments: where uploads are stored (outside the web root), the flood limit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from pydantic import Field, NonNegativeInt

from quiz_service.core.config import OquSettings, SettingsError, apply_settings


class AssignmentSettings(OquSettings):
    # None: VAR_DIR/uploads/assignments. Never inside SITE_DIR: the files are the students'.
    upload_dir: Path | None = None
    # Uploads per student and assignment in an hour before 429 (0 turns the limit off).
    upload_limit_per_hour: NonNegativeInt = 60
    # Hours before a due date when a student who has not handed in is reminded by e-mail (an
    # assignment's `remind_before_hours` wins; 0 turns the reminders off).
    assignment_remind_hours: float = Field(default=48, ge=0, le=24 * 30)

    def to_config(self) -> dict[str, Any]:
        return {
            "UPLOAD_DIR": self.upload_dir,
            "UPLOAD_LIMIT_PER_HOUR": self.upload_limit_per_hour,
            "ASSIGNMENT_REMIND_BEFORE": timedelta(hours=self.assignment_remind_hours),
        }


def configure(app: Flask, environ: Mapping[str, str] | None = None) -> None:
    apply_settings(app.config, AssignmentSettings, environ)
    if app.config.get("UPLOAD_DIR") is None:
        app.config["UPLOAD_DIR"] = Path(app.config["VAR_DIR"]) / "uploads" / "assignments"
    upload_dir = Path(app.config["UPLOAD_DIR"]).resolve()
    site_dir = Path(app.config["SITE_DIR"]).resolve()
    if upload_dir == site_dir or site_dir in upload_dir.parents:
        raise SettingsError(f"OQU_UPLOAD_DIR: {upload_dir} is inside the site ({site_dir}); put it outside")
    app.config["UPLOAD_DIR"] = upload_dir
