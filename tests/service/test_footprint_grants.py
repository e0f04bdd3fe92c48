"""On PostgreSQL the documented GRANTs leave the service's role able to read and append the footprint,
never to change, delete or truncate it, nor to turn its triggers off (docs/footprint.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from quiz_service.core.db import utcnow
from quiz_service.footprint import store

DOCS = Path(__file__).parents[2] / "docs" / "footprint.md"
SITE = "https://oqu.academy.example.kz/"


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def service_role(database_url: str) -> Iterator[Engine]:
    """The documented SQL run by the owner; an engine that connects as the service's role."""
    block = re.search(r"```sql\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert block, "no SQL block in docs/footprint.md"
    owner = create_engine(database_url)
    with owner.begin() as connection:
        connection.execute(text("DROP ROLE IF EXISTS oqu_service"))
        for sql in block[1].replace("'…'", "'service-secret'").split(";"):
            lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
            if "".join(lines).strip():
                connection.execute(text("\n".join(lines)))
    service = create_engine(make_url(database_url).set(username="oqu_service", password="service-secret"))
    yield service
    service.dispose()
    with owner.begin() as connection:
        connection.execute(text("DROP OWNED BY oqu_service"))
        connection.execute(text("DROP ROLE oqu_service"))
    owner.dispose()


def test_the_service_role_appends_and_reads_but_never_changes(service_role: Engine) -> None:
    statement = {
        "id": "6fa459ea-ee8a-4ca4-894e-db77e160355e",
        "actor": store.user_agent(SITE, 1),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": SITE},
    }
    entry = store.Entry(statement, 1)
    saved = store.Entry(statement | {"id": "9b2e4c1a-5d3f-4e8b-a6c7-0f1e2d3c4b5a"}, 1)
    with service_role.begin() as connection:
        assert store.append(connection, [entry], utcnow(), SITE).new == 1
        store.append_one(connection, saved, utcnow(), SITE)  # the answer save's one statement
    with service_role.connect() as connection:
        assert [seq for seq, _, _ in store.all_rows(connection)] == [0, 1]
    refused = {
        "UPDATE footprint_statements SET verb = 'x'": "permission denied",
        "DELETE FROM footprint_statements": "permission denied",
        "TRUNCATE footprint_statements": "permission denied",
        "DELETE FROM footprint_checkpoints": "permission denied",
        "ALTER TABLE footprint_statements DISABLE TRIGGER USER": "must be owner",
        "DROP TRIGGER footprint_statements_append_only ON footprint_statements": "must be owner",
    }
    for sql, message in refused.items():
        with pytest.raises(DBAPIError, match=message), service_role.begin() as connection:
            connection.execute(text(sql))
