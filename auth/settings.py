"""Settings of sign-in, sessions and limits: defaults, then OQU_* environment variables.

`create_app(test_config)` keys win over both, as for the service's own settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask
from pydantic import NonNegativeInt, PositiveFloat, PositiveInt

from quiz_service.core.config import OquSettings, apply_settings


class AuthSettings(OquSettings):
    """OQU_OIDC_*, OQU_SESSION_IDLE_MINUTES, OQU_SIGN_IN_*, OQU_REDIS_URL, OQU_PROXY_HOPS, …"""

    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scope: str = "openid email profile"
    oidc_redirect_uri: str | None = None
    oidc_role_claim: str | None = None
    oidc_group_claim: str | None = None
    oidc_create_accounts: bool = True
    oidc_provider_name: str | None = None
    oidc_timeout_seconds: PositiveFloat = 10
    session_idle_minutes: PositiveInt = 120
    sign_in_window_minutes: PositiveInt = 15
    sign_in_account_limit: PositiveInt = 5
    sign_in_address_limit: PositiveInt = 50
    # Where the sign-in counters live: Redis when set (redis://host:6379/0), else the database.
    redis_url: str | None = None
    # How many proxies (nginx, a load balancer) stand in front and set X-Forwarded-For/-Proto:
    # the client's address in the sign-in log and the limits comes from them, never from
    # a header the client could set itself when no proxy is there.
    proxy_hops: NonNegativeInt = 0
    password_reset_hours: PositiveInt = 72

    def to_config(self) -> dict[str, Any]:
        same = {name.upper(): getattr(self, name) for name in self.model_fields if name.startswith("oidc_")}
        return same | {
            "OIDC_TIMEOUT_SECONDS": self.oidc_timeout_seconds,
            "SESSION_IDLE_TIMEOUT": timedelta(minutes=self.session_idle_minutes),
            "SIGN_IN_WINDOW": timedelta(minutes=self.sign_in_window_minutes),
            "SIGN_IN_ACCOUNT_LIMIT": self.sign_in_account_limit,
            "SIGN_IN_ADDRESS_LIMIT": self.sign_in_address_limit,
            "REDIS_URL": self.redis_url,
            "PROXY_HOPS": self.proxy_hops,
            "PASSWORD_RESET_LIFETIME": timedelta(hours=self.password_reset_hours),
        }


def configure(app: Flask, environ: Mapping[str, str] | None = None) -> None:
    """Fill in each auth setting the app does not have yet: environment, else default."""
    apply_settings(app.config, AuthSettings, environ)


def oidc_configured(config: Mapping[str, Any]) -> bool:
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))
