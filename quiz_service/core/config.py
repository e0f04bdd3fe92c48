"""Settings of the service: defaults, then the environment, then the caller's overrides.

Relative folders are taken from the current folder (the site), as git and mkdocs do.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_KEY_FILE = "secret_key"
DATABASE_FILE = "oqu.sqlite3"

# What no variable sets (ServiceSettings below reads the OQU_* ones).
DEFAULTS: dict[str, Any] = {
    "SESSION_COOKIE_NAME": "oqu_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,  # `oqu serve` on a loopback address turns it off
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "MAX_CONTENT_LENGTH": 1024 * 1024,
}

FOLDERS = ("SITE_DIR", "SERVICE_DIR", "SEARCH_DIR", "VAR_DIR")


class SettingsError(ValueError):
    """An OQU_* variable with a value that cannot be used; the message names the variable."""


class OquSettings(BaseSettings):
    """Settings read from OQU_<FIELD> variables (pydantic-settings); an empty variable is unset.

    Each part of the service declares its own model and says, in `to_config`, which app
    settings it fills.
    """

    model_config = SettingsConfigDict(env_prefix="OQU_", env_ignore_empty=True, extra="ignore")

    def to_config(self) -> dict[str, Any]:
        raise NotImplementedError


class ServiceSettings(OquSettings):
    database_url: str | None = None  # None: SQLite at VAR_DIR/oqu.sqlite3
    secret_key: str | None = None  # None: generated once into VAR_DIR/secret_key
    site_dir: Path = Path("build/site")
    service_dir: Path = Path("build/service")
    search_dir: Path = Path("build/search")
    var_dir: Path = Path("var")
    # SQLite's durability: FULL (the default) syncs the log to disk at every commit, so an
    # acknowledged answer survives a power cut; OFF leaves that to the operating system (a killed
    # process still loses nothing) and is what the test suite uses to spare a disk sync per commit.
    sqlite_synchronous: Literal["FULL", "NORMAL", "OFF"] = "FULL"
    time_zone: str = (
        "Asia/Almaty"  # the site's zone: times shown to people (a course's schedule may name its own)
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name, e.g. Asia/Almaty)") from None
        return value

    def to_config(self) -> dict[str, Any]:
        return {name.upper(): value for name, value in self.model_dump().items()}


SettingsModel = TypeVar("SettingsModel", bound=OquSettings)


def read_settings(model: type[SettingsModel], environ: Mapping[str, str] | None = None) -> SettingsModel:
    """The model read from the environment (or `environ`); every bad value named by its variable."""
    try:
        if environ is None:
            return model()
        prefix = "OQU_"
        names = [name for name in model.model_fields if environ.get(prefix + name.upper())]
        given = {name: environ[prefix + name.upper()] for name in names}
        return model(**given)
    except ValidationError as error:
        problems = [f"OQU_{str(item['loc'][0]).upper()}: {item['msg']}" for item in error.errors()]
        raise SettingsError("; ".join(problems)) from None


def load_config(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Defaults, then the environment, then `overrides`; folders made absolute."""
    config = dict(DEFAULTS)
    config.update(read_settings(ServiceSettings, environ).to_config())
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


def apply_settings(
    config: dict[str, Any], model: type[OquSettings], environ: Mapping[str, str] | None = None
) -> None:
    """Fill in each setting of `model` that the config does not have yet (the caller's overrides
    win): the environment variable when it is set, else the model's default."""
    for key, value in read_settings(model, environ).to_config().items():
        config.setdefault(key, value)
