"""SMTP settings: defaults, then OQU_SMTP_* environment variables, then `create_app`'s."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from pydantic import PositiveFloat, PositiveInt

from quiz_service.core.config import OquSettings, apply_settings


class MailSettings(OquSettings):
    smtp_host: str = "localhost"
    smtp_port: PositiveInt = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    # "starttls" upgrades a plain connection, "ssl" connects with TLS (port 465), "none" for a local relay.
    smtp_security: str = "none"
    smtp_from: str = "oqu <noreply@localhost>"
    smtp_timeout_seconds: PositiveFloat = 30
    # How long a claimed message is kept from other workers while one sends it; a worker killed
    # mid-send gives it up after this (keep it above the SMTP timeout).
    smtp_claim_seconds: PositiveFloat = 120

    def to_config(self) -> dict[str, Any]:
        if self.smtp_security not in ("none", "starttls", "ssl"):
            from quiz_service.core.config import SettingsError

            raise SettingsError("OQU_SMTP_SECURITY: one of none, starttls, ssl")
        return {
            "SMTP_HOST": self.smtp_host,
            "SMTP_PORT": self.smtp_port,
            "SMTP_USER": self.smtp_user,
            "SMTP_PASSWORD": self.smtp_password,
            "SMTP_SECURITY": self.smtp_security,
            "SMTP_FROM": self.smtp_from,
            "SMTP_TIMEOUT": self.smtp_timeout_seconds,
            "SMTP_CLAIM_SECONDS": self.smtp_claim_seconds,
        }


def configure(app: Flask, environ: Mapping[str, str] | None = None) -> None:
    apply_settings(app.config, MailSettings, environ)
