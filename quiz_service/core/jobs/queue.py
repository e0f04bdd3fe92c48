"""The queue's statements: enqueue in the caller's transaction, claim under a lease, finish.

Everything is one table in the service's own database, so that "enqueued only if the
transaction commits" holds on SQLite and PostgreSQL alike: the job's row is written by the
transaction that asks for it. A worker claims a due row (pending and due, or running with
its lease run out) in a short transaction of its own (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so
workers on several hosts never take the same row; SQLite: `BEGIN IMMEDIATE` serialises them),
runs it outside any transaction, then marks it done, or pending again after a back-off, or dead.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Table, and_, bindparam, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from quiz_service.core.db import utcnow
from quiz_service.core.jobs.models import DEAD, DONE, PENDING, RUNNING, Job
from quiz_service.core.jobs.registry import REGISTRY, JobRun

TABLE = cast(Table, Job.__table__)
MAX_BACKOFF = timedelta(hours=1)
MAX_ERROR = 4000


def enqueue(
    writer: Session | Connection,
    name: str,
    payload: Mapping[str, Any] | None = None,
    *,
    key: str | None = None,
    run_at: datetime | None = None,
) -> None:
    """Ask for the job `name` in `writer`'s transaction: it exists only if that commits.

    With a `key`, asking again for a job with the same key does nothing (while the first is
    kept). The payload is JSON: ids and small values, never secrets.
    """
    REGISTRY.get(name)  # a typo fails here, not in the worker
    connection = writer.connection() if isinstance(writer, Session) else writer
    now = utcnow()
    values = {
        "name": name,
        "payload": json.dumps(dict(payload or {}), ensure_ascii=False),
        "key": key,
        "run_at": run_at or now,
        "created_at": now,
    }
    connection.execute(_insert(connection.dialect.name), values)


@cache
def _insert(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new = insert(TABLE).values(
        name=bindparam("name"),
        payload=bindparam("payload"),
        key=bindparam("key"),
        state=PENDING,
        attempts=0,
        run_at=bindparam("run_at"),
        created_at=bindparam("created_at"),
    )
    return new.on_conflict_do_nothing(index_elements=[TABLE.c.key])


def _due(now: datetime) -> Any:
    return or_(
        and_(TABLE.c.state == PENDING, TABLE.c.run_at <= now),
        and_(TABLE.c.state == RUNNING, TABLE.c.lease_until < now),
    )


def answers(statements: Engine) -> None:
    """Read the queue's table once (raises when it cannot be read: the database away, no table)."""
    with statements.connect() as connection:
        connection.execute(select(TABLE.c.id).limit(1)).first()


def has_due_job(statements: Engine, now: datetime) -> bool:
    """A cheap read first: an idle worker takes no write lock."""
    with statements.connect() as connection:
        return connection.execute(select(TABLE.c.id).where(_due(now)).limit(1)).first() is not None


@dataclass(frozen=True)
class Claimed:
    run: JobRun
    claim: str


def claim_next(writer: Engine, worker: str, lease: timedelta) -> Claimed | None:
    """Take the next due job under a lease, counting the attempt; None if there is none."""
    now = utcnow()
    token = secrets.token_hex(16)
    chosen = (
        select(TABLE.c.id)
        .where(_due(now))
        .order_by(TABLE.c.run_at, TABLE.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(TABLE)
        .where(TABLE.c.id == chosen)
        .values(
            state=RUNNING,
            attempts=TABLE.c.attempts + 1,
            lease_until=now + lease,
            claim=token,
            worker=worker[:100],
        )
        .returning(TABLE.c.id, TABLE.c.name, TABLE.c.payload, TABLE.c.attempts, TABLE.c.key)
    )
    with writer.begin() as connection:
        row = connection.execute(statement).first()
    if row is None:
        return None
    return Claimed(JobRun(row.id, row.name, json.loads(row.payload), row.attempts, row.key), token)


def renew_lease(writer: Engine, claimed: Claimed, lease: timedelta) -> bool:
    """Keep a long job: False when the lease was lost (another worker took the job)."""
    statement = (
        update(TABLE)
        .where(TABLE.c.id == claimed.run.id, TABLE.c.claim == claimed.claim)
        .values(lease_until=utcnow() + lease)
    )
    with writer.begin() as connection:
        return bool(connection.execute(statement).rowcount)


def mark_done(writer: Engine, claimed: Claimed) -> bool:
    values = {"state": DONE, "finished_at": utcnow(), "lease_until": None, "claim": None, "last_error": None}
    return _finish(writer, claimed, values)


def mark_failed(writer: Engine, claimed: Claimed, error: str, max_attempts: int, backoff: timedelta) -> bool:
    """Pending again after the back-off (doubling at each attempt), or dead after the last attempt."""
    now, attempt = utcnow(), claimed.run.attempt
    values: dict[str, Any] = {"lease_until": None, "claim": None, "last_error": error[-MAX_ERROR:]}
    if attempt >= max_attempts:
        values |= {"state": DEAD, "finished_at": now}
    else:
        values |= {"state": PENDING, "run_at": now + retry_delay(backoff, attempt)}
    return _finish(writer, claimed, values)


def retry_delay(backoff: timedelta, attempt: int) -> timedelta:
    return min(backoff * 2 ** min(attempt - 1, 20), MAX_BACKOFF)


def _finish(writer: Engine, claimed: Claimed, values: dict[str, Any]) -> bool:
    """False when this run no longer holds the job (its lease ran out and another worker took it)."""
    statement = update(TABLE).where(TABLE.c.id == claimed.run.id, TABLE.c.claim == claimed.claim)
    with writer.begin() as connection:
        return bool(connection.execute(statement.values(values)).rowcount)


def enqueue_period(writer: Engine, name: str, key: str, payload: str, now: datetime) -> bool:
    """The periodic job's row for this period, unless a worker wrote it already (its key is unique)."""
    values = {"name": name, "payload": payload, "key": key, "run_at": now, "created_at": now}
    with writer.begin() as connection:
        return bool(connection.execute(_insert(connection.dialect.name), values).rowcount)


def has_key(statements: Engine, key: str) -> bool:
    with statements.connect() as connection:
        return connection.execute(select(TABLE.c.id).where(TABLE.c.key == key)).first() is not None


# -- what `oqu jobs` shows and does -------------------------------------------------------


def listed(reader: Session, state: str | None = None, limit: int = 50) -> list[Job]:
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if state is not None:
        query = query.where(Job.state == state)
    return list(reader.scalars(query))


class JobNotRetryable(LookupError):
    pass


def retry(writer: Session, job_id: int) -> Job:
    """Run a dead job again from its first attempt."""
    found = writer.get(Job, job_id, with_for_update=True)
    if found is None:
        raise JobNotRetryable(f"there is no job {job_id}")
    if found.state != DEAD:
        raise JobNotRetryable(f"job {job_id} is {found.state}, not dead: only dead jobs are retried")
    found.state, found.attempts, found.run_at = PENDING, 0, utcnow()
    found.finished_at = found.claim = found.lease_until = None
    return found


def purge_done(writer: Session, before: datetime) -> int:
    """Forget done jobs that finished before `before` (a periodic job's key then may not come back:
    its period is over)."""
    result = cast(
        CursorResult[Any], writer.execute(delete(Job).where(Job.state == DONE, Job.finished_at < before))
    )
    return int(result.rowcount or 0)
