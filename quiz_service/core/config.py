"""Settings of the service: defaults, then the environment, then the caller's overrides.

Relative folders are taken from the current folder (the site), as git and mkdocs do.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

SECRET_KEY_FILE = "secret_key"
DATABASE_FILE = "oqu.sqlite3"

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: SQLite at VAR_DIR/oqu.sqlite3
    "SECRET_KEY": None,  # None: generated once into VAR_DIR/secret_key
    "SITE_DIR": "build/site",
    "SERVICE_DIR": "build/service",
    "SEARCH_DIR": "build/search",
    "VAR_DIR": "var",
    "SESSION_COOKIE_NAME": "oqu_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,  # `oqu serve` on a loopback address turns it off
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "MAX_CONTENT_LENGTH": 1024 * 1024,
}

# Environment variable -> setting.
ENVIRONMENT = {
    "OQU_DATABASE_URL": "DATABASE_URL",
    "OQU_SECRET_KEY": "SECRET_KEY",
    "OQU_SITE_DIR": "SITE_DIR",
    "OQU_SERVICE_DIR": "SERVICE_DIR",
    "OQU_SEARCH_DIR": "SEARCH_DIR",
    "OQU_VAR_DIR": "VAR_DIR",
}

FOLDERS = ("SITE_DIR", "SERVICE_DIR", "SEARCH_DIR", "VAR_DIR")


def load_config(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Defaults, then the environment, then `overrides`; folders made absolute."""
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    config.update({key: environ[name] for name, key in ENVIRONMENT.items() if environ.get(name)})
    config.update(overrides or {})
    for key in FOLDERS:
        config[key] = Path(config[key]).absolute()
    return config


def complete_config(config: dict[str, Any]) -> dict[str, Any]:
    """Fill in the embedded defaults: SQLite and a secret key, both kept in VAR_DIR."""
    var_dir: Path = config["VAR_DIR"]
    if not config["DATABASE_URL"]:
        var_dir.mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{var_dir / DATABASE_FILE}"
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = read_or_create_secret(var_dir / SECRET_KEY_FILE)
    return config


def read_or_create_secret(path: Path) -> str:
    """The secret in `path`, created once (mode 0600) even when workers start together."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _create_secret(path)
    return path.read_text(encoding="ascii").strip()


def _create_secret(path: Path) -> None:
    # Written aside, then linked into place: a reader never sees a half-written file.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)
    except FileExistsError:
        pass  # another worker was first; its secret wins
    finally:
        temporary.unlink(missing_ok=True)


# A feature's own settings: key -> (environment variable, default, parser of the variable's text)
Settings = Mapping[str, tuple[str, Any, Callable[[str], Any]]]


def apply_settings(
    config: dict[str, Any], settings: Settings, environ: Mapping[str, str] | None = None
) -> None:
    """Fill in each setting the config does not have yet (the caller's overrides win): the
    environment variable when it is set, else the default."""
    environ = os.environ if environ is None else environ
    for key, (variable, default, parse) in settings.items():
        if key not in config:
            raw = environ.get(variable)
            config[key] = parse(raw) if raw else default
