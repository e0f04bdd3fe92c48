"""Proctoring's settings: defaults, then OQU_* environment variables (create_app's keys win)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from pydantic import PositiveInt

from quiz_service.core.config import OquSettings, apply_settings


class ProctoringSettings(OquSettings):
    # Where photos, clips and snapshots live: never under the site's folder (None: VAR_DIR/proctoring).
    proctoring_dir: Path | None = None
    # Days after an attempt's session began when its recordings are deleted (a decided session
    # without an open appeal); the rows of incidents and decisions stay.
    proctoring_retention_days: PositiveInt = 90
    proctoring_quota_mb: PositiveInt = 200  # per attempt, all its uploads together
    proctoring_image_mb: PositiveInt = 3  # one photo or snapshot
    proctoring_clip_mb: PositiveInt = 60  # the room scan
    proctoring_max_pixels: PositiveInt = 16_000_000  # width x height of a photo
    proctoring_snapshots_per_minute: PositiveInt = 12
    proctoring_room_scan_seconds: PositiveInt = 15  # how long the check page records the room

    def to_config(self) -> dict[str, Any]:
        return {
            "PROCTORING_DIR": self.proctoring_dir,
            "PROCTORING_RETENTION_DAYS": self.proctoring_retention_days,
            "PROCTORING_QUOTA": self.proctoring_quota_mb * 1024 * 1024,
            "PROCTORING_IMAGE_BYTES": self.proctoring_image_mb * 1024 * 1024,
            "PROCTORING_CLIP_BYTES": self.proctoring_clip_mb * 1024 * 1024,
            "PROCTORING_MAX_PIXELS": self.proctoring_max_pixels,
            "PROCTORING_SNAPSHOTS_PER_MINUTE": self.proctoring_snapshots_per_minute,
            "PROCTORING_ROOM_SCAN_SECONDS": self.proctoring_room_scan_seconds,
        }


def configure(app: Flask, environ: Mapping[str, str] | None = None) -> None:
    apply_settings(app.config, ProctoringSettings, environ)
    if app.config.get("PROCTORING_DIR") is None:
        app.config["PROCTORING_DIR"] = Path(app.config["VAR_DIR"]) / "proctoring"
