"""Alembic environment: runs on the engine handed over in `config.attributes`."""

from __future__ import annotations

from alembic import context

import auth.models  # noqa: F401  (every module with models is imported here)
import quiz_service.quizzes.models  # noqa: F401
from quiz_service.core.db import WRITE_OPTION, Base


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
