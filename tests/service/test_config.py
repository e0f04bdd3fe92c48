"""create_app's settings: defaults, then OQU_* variables, then the caller's; the embedded default."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from quiz_service import create_app
from quiz_service.cli import main as oqu
from quiz_service.core.config import SettingsError, load_config, read_or_create_secret


def test_embedded_default_is_sqlite_and_a_secret_in_var(
    site_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OQU_DATABASE_URL", "OQU_SECRET_KEY", "OQU_VAR_DIR", "OQU_SITE_DIR"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    secret_file = site_folder / "var" / "secret_key"
    assert app.config["DATABASE_URL"] == f"sqlite:///{site_folder / 'var' / 'oqu.sqlite3'}"
    assert app.config["SITE_DIR"] == site_folder / "build" / "site"
    assert app.config["SECRET_KEY"] == secret_file.read_text().strip()
    assert len(app.config["SECRET_KEY"]) >= 64
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]
    engine = app.extensions["oqu_db"].engine
    assert inspect(engine).get_table_names() == []  # create_app never migrates
    engine.dispose()


def test_environment_then_overrides() -> None:
    environ = {"OQU_SITE_DIR": "/srv/site", "OQU_VAR_DIR": "/srv/var", "OQU_SECRET_KEY": "from-env"}
    config = load_config({"VAR_DIR": "/tmp/override"}, environ=environ)
    assert config["SITE_DIR"] == Path("/srv/site")
    assert config["VAR_DIR"] == Path("/tmp/override")
    assert config["SECRET_KEY"] == "from-env"
    assert config["SERVICE_DIR"] == Path.cwd() / "build" / "service"


def test_sqlite_syncs_every_commit_unless_told_otherwise(
    site_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FULL by default (an acknowledged answer survives a power cut); the suite runs with OFF."""
    monkeypatch.delenv("OQU_SQLITE_SYNCHRONOUS")
    for wanted, code in ((None, 2), ("NORMAL", 1), ("OFF", 0)):
        if wanted:
            monkeypatch.setenv("OQU_SQLITE_SYNCHRONOUS", wanted)
        engine = create_app().extensions["oqu_db"].engine
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == code
        engine.dispose()
    monkeypatch.setenv("OQU_SQLITE_SYNCHRONOUS", "sometimes")
    with pytest.raises(SettingsError, match="OQU_SQLITE_SYNCHRONOUS"):
        create_app()


def _secret_in(path: str) -> str:
    return read_or_create_secret(Path(path))


def test_workers_starting_together_share_one_secret(tmp_path: Path) -> None:
    path = str(tmp_path / "var" / "secret_key")
    with multiprocessing.get_context("fork").Pool(8) as pool:
        secrets = pool.map(_secret_in, [path] * 32)
    assert len(set(secrets)) == 1
    assert sorted(item.name for item in (tmp_path / "var").iterdir()) == ["secret_key"]


def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OQU_SESSION_IDLE_MINUTES", "екі сағат")
    with pytest.raises(SettingsError) as raised:
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    assert str(raised.value).startswith("OQU_SESSION_IDLE_MINUTES: Input should be a valid integer")
    monkeypatch.delenv("OQU_SESSION_IDLE_MINUTES")
    monkeypatch.setenv("OQU_GUESS_LIMIT", "-3")
    with pytest.raises(SettingsError, match=r"^OQU_GUESS_LIMIT: Input should be greater than or equal to 0$"):
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})


def test_oqu_commands_say_which_variable_is_wrong(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "build" / "site").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OQU_SIGN_IN_ACCOUNT_LIMIT", "бес")
    result = CliRunner().invoke(oqu, ["users", "tokens", "kursant@oqu.example.kz"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: OQU_SIGN_IN_ACCOUNT_LIMIT: Input should be a valid integer")
