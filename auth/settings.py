"""Settings of sign-in, sessions and limits: defaults, then OQU_* environment variables.

`create_app(test_config)` keys win over both, as for the service's own settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

from quiz_service.core.config import Settings, apply_settings

# setting: (environment variable, default, parser)
SETTINGS: Settings = {
    "OIDC_ISSUER": ("OQU_OIDC_ISSUER", None, str),
    "OIDC_CLIENT_ID": ("OQU_OIDC_CLIENT_ID", None, str),
    "OIDC_CLIENT_SECRET": ("OQU_OIDC_CLIENT_SECRET", None, str),
    "OIDC_SCOPE": ("OQU_OIDC_SCOPE", "openid email profile", str),
    "OIDC_REDIRECT_URI": ("OQU_OIDC_REDIRECT_URI", None, str),
    "OIDC_ROLE_CLAIM": ("OQU_OIDC_ROLE_CLAIM", None, str),
    "OIDC_GROUP_CLAIM": ("OQU_OIDC_GROUP_CLAIM", None, str),
    "OIDC_CREATE_ACCOUNTS": (
        "OQU_OIDC_CREATE_ACCOUNTS",
        True,
        lambda text: text.lower() in {"1", "true", "yes"},
    ),
    "OIDC_PROVIDER_NAME": ("OQU_OIDC_PROVIDER_NAME", None, str),
    "OIDC_TIMEOUT_SECONDS": ("OQU_OIDC_TIMEOUT_SECONDS", 10, float),
    "SESSION_IDLE_TIMEOUT": (
        "OQU_SESSION_IDLE_MINUTES",
        timedelta(hours=2),
        lambda text: timedelta(minutes=int(text)),
    ),
    "SIGN_IN_WINDOW": (
        "OQU_SIGN_IN_WINDOW_MINUTES",
        timedelta(minutes=15),
        lambda text: timedelta(minutes=int(text)),
    ),
    "SIGN_IN_ACCOUNT_LIMIT": ("OQU_SIGN_IN_ACCOUNT_LIMIT", 5, int),
    "SIGN_IN_ADDRESS_LIMIT": ("OQU_SIGN_IN_ADDRESS_LIMIT", 50, int),
    # Where the sign-in counters live: Redis when set (redis://host:6379/0), else the database.
    "REDIS_URL": ("OQU_REDIS_URL", None, str),
    # How many proxies (nginx, a load balancer) stand in front and set X-Forwarded-For/-Proto:
    # the client's address in the sign-in log and the limits comes from them, never from
    # a header the client could set itself when no proxy is there.
    "PROXY_HOPS": ("OQU_PROXY_HOPS", 0, int),
    "PASSWORD_RESET_LIFETIME": (
        "OQU_PASSWORD_RESET_HOURS",
        timedelta(hours=72),
        lambda text: timedelta(hours=int(text)),
    ),
}


def configure(app: Flask, environ: Mapping[str, str] | None = None) -> None:
    """Fill in each auth setting the app does not have yet: environment, else default."""
    apply_settings(app.config, SETTINGS, environ)


def oidc_configured(config: Mapping[str, Any]) -> bool:
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))
