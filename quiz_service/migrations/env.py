"""Alembic environment: runs on the engine handed over in `config.attributes`.

Every package's `models` module is imported (found by `migrations.model_modules`), so that
the metadata holds every table: a new feature's models need no line here.
"""

from __future__ import annotations

from importlib import import_module

from alembic import context

from quiz_service.core import migrations
from quiz_service.core.db import WRITE_OPTION, Base

for module in migrations.model_modules():
    import_module(module)


def run_migrations() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        writer = connection.execution_options(**{WRITE_OPTION: True})
        context.configure(
            connection=writer,
            target_metadata=Base.metadata,
            render_as_batch=writer.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("oqu migrations run online only: use `oqu db upgrade`")
run_migrations()
