"""Settings of the footprint: defaults, then OQU_* environment variables, then `create_app`'s."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from pydantic import PositiveFloat, PositiveInt, SecretStr

from quiz_service.core.config import OquSettings, apply_settings


class FootprintSettings(OquSettings):
    # The site's public address: the base of activity ids, of the actor's account and of the
    # checkpoints' origin. Recorded in every statement for good: set it before the first one.
    footprint_site_url: str = "https://oqu.invalid/"
    # Where the signed checkpoints are written outside the database (a file the academic office
    # archives or publishes) and the site's signing key pair lives. Default: VAR_DIR/footprint.
    footprint_dir: Path | None = None
    # Statements accepted in one POST.
    footprint_max_batch: PositiveInt = 100
    # An external LRS that receives every statement (xAPI `PUT …/statements?statementId=`), e.g.
    # https://lrs.example.kz/xapi/ ; empty: nothing is forwarded. Basic auth by key and secret.
    footprint_lrs_url: str = ""
    footprint_lrs_key: str = ""
    footprint_lrs_secret: SecretStr = SecretStr("")
    # Statements sent per run of the forwarding job (it runs every minute), and each request's timeout.
    footprint_lrs_batch: PositiveInt = 500
    footprint_lrs_timeout_seconds: PositiveFloat = 10

    def to_config(self) -> dict[str, Any]:
        return {
            "FOOTPRINT_LRS_URL": self.footprint_lrs_url,
            "FOOTPRINT_LRS_KEY": self.footprint_lrs_key,
            "FOOTPRINT_LRS_SECRET": self.footprint_lrs_secret.get_secret_value(),
            "FOOTPRINT_LRS_BATCH": self.footprint_lrs_batch,
            "FOOTPRINT_LRS_TIMEOUT": self.footprint_lrs_timeout_seconds,
            "FOOTPRINT_SITE_URL": self.footprint_site_url,
            "FOOTPRINT_DIR": self.footprint_dir,
            "FOOTPRINT_MAX_BATCH": self.footprint_max_batch,
        }


def configure(app: Flask, environ: Mapping[str, str] | None = None) -> None:
    apply_settings(app.config, FootprintSettings, environ)
    if not app.config["FOOTPRINT_DIR"]:
        app.config["FOOTPRINT_DIR"] = Path(app.config["VAR_DIR"]) / "footprint"
    app.config["FOOTPRINT_DIR"] = Path(app.config["FOOTPRINT_DIR"]).absolute()
    app.config["FOOTPRINT_SITE_URL"] = str(app.config["FOOTPRINT_SITE_URL"]).rstrip("/") + "/"
