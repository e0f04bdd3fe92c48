"""The jobs table: the transactional outbox and the queue the workers claim from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quiz_service.core.db import Base, UTCDateTime

PENDING, RUNNING, DONE, DEAD = "pending", "running", "done", "dead"
STATES = (PENDING, RUNNING, DONE, DEAD)


class Job(Base):
    """One job: written in the transaction that asks for it, claimed by a worker under a lease.

    `pending` until `run_at`; `running` while a worker holds it (`claim` is that run's token,
    `lease_until` when it is given up if the worker stops renewing it: kill -9, a lost host);
    `done`; or `dead` after its last attempt failed (`oqu jobs retry ID` makes it pending again).
    `key`, when set, is unique: the same job asked twice is one job (a periodic job's period).
    """

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_jobs_state_run_at", "state", "run_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)  # JSON
    key: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int]
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(String(32))
    worker: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
