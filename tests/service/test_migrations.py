"""Alembic migrations: the one schema path for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import Result
from sqlalchemy import inspect, make_url

import auth.models  # noqa: F401  (registers the models in the metadata)
from quiz_service.core import db, migrations


def test_upgrade_builds_the_schema_of_the_models(empty_database_url: str) -> None:
    engine = db.make_engine(empty_database_url)
    try:
        assert migrations.current_revision(engine) is None
        migrations.upgrade(engine)
        assert migrations.is_up_to_date(engine)
        assert {"users", "api_tokens"} <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.Base.metadata) == []
    finally:
        engine.dispose()


def test_upgrade_twice_and_downgrade_to_nothing(empty_database_url: str) -> None:
    engine = db.make_engine(empty_database_url)
    try:
        migrations.upgrade(engine)
        migrations.upgrade(engine)
        command.downgrade(migrations.alembic_config(engine), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrations.upgrade(engine)
        assert migrations.is_up_to_date(engine)
    finally:
        engine.dispose()


def test_oqu_db_upgrade(run_oqu: Callable[..., Result], empty_database_url: str) -> None:
    result = run_oqu("db", "upgrade", database_url=empty_database_url)
    assert result.exit_code == 0, result.output
    shown = make_url(empty_database_url).render_as_string(hide_password=True)
    assert result.stdout == f"{shown} is up to date (revision {migrations.head_revision()}).\n"


def test_oqu_db_upgrade_uses_var_by_default(run_oqu: Callable[..., Result], site_folder: Path) -> None:
    result = run_oqu("db", "upgrade", database_url="")
    assert result.exit_code == 0, result.output
    database = site_folder / "var" / "oqu.sqlite3"
    assert result.stdout == f"sqlite:///{database} is up to date (revision {migrations.head_revision()}).\n"
    assert database.is_file()
