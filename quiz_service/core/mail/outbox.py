"""Asking for a message: its row and its `mail.send` job, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from quiz_service.core import jobs
from quiz_service.core.db import utcnow
from quiz_service.core.mail import sender
from quiz_service.core.mail.models import MailMessage

TABLE = cast(Table, MailMessage.__table__)
MAX_KEY = 200


@dataclass(frozen=True)
class Message:
    key: str  # the caller's idempotency key: the same key is one message, whatever the retries
    to: str
    subject: str
    body: str
    lang: str


def queue_mail(writer: Session | Connection, message: Message) -> bool:
    """Send `message` once the transaction commits; False when its key was asked for already."""
    if not message.key or len(message.key) > MAX_KEY:
        raise ValueError(f"a message key has 1 to {MAX_KEY} characters: {message.key!r}")
    connection = writer.connection() if isinstance(writer, Session) else writer
    values = {
        "key": message.key,
        "recipient": message.to,
        "subject": message.subject[:300],
        "body": message.body,
        "lang": message.lang,
        "created_at": utcnow(),
        "sends": 0,
    }
    # RETURNING, not rowcount: PostgreSQL's driver gives a rowcount of -1 (true) for an insert that
    # SQLAlchemy sent with RETURNING for its primary key, even when the conflict inserted nothing.
    added = connection.execute(_insert(connection.dialect.name), values).first() is not None
    if added:
        jobs.enqueue(connection, sender.JOB, {"key": message.key}, key=f"mail:{message.key}")
    return added


@cache
def _insert(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(TABLE).on_conflict_do_nothing(index_elements=[TABLE.c.key]).returning(TABLE.c.id)
