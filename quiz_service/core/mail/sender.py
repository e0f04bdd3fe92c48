"""The `mail.send` job: claim the message, hand it to SMTP, record that it was sent.

Exactly once, as far as a program can promise it:

- one row per key (unique), so a sender asking twice makes one message;
- a worker claims the row with a conditional write (`sent_at IS NULL` and no live claim, the
  row count checked) before it opens an SMTP conversation, so two workers never send it side
  by side, and a message marked sent is never sent again (a rerun of the job finds it sent);
- a worker killed before the server's "250 OK" to the message's final dot has delivered
  nothing (an SMTP server takes responsibility only with that reply, RFC 5321 §4.1.1.4);
  after its claim runs out (`OQU_SMTP_CLAIM_SECONDS`) another worker sends it;
- the one window left is a kill after the server's "250" and before the `sent_at` commit
  (microseconds of work, no I/O but the commit): the message is then sent a second time, with
  the same Message-ID, which mail clients and most servers treat as the same message.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, cast

from flask import current_app
from sqlalchemy import Engine, Table, select, update

from quiz_service.core import db
from quiz_service.core.db import utcnow
from quiz_service.core.jobs.registry import JobRun, job
from quiz_service.core.mail.models import MailMessage

JOB = "mail.send"
TABLE = cast(Table, MailMessage.__table__)
log = logging.getLogger("oqu.mail")


class MessageBusy(RuntimeError):
    """Another worker holds the message (or held it and died): the job tries again later."""


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    recipient: str
    subject: str
    body: str
    lang: str
    token: str


def worker_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def claim(writer: Engine, key: str, now: datetime, hold: timedelta) -> Claimed | None:
    """Take the unsent message `key` for this process; None when it is sent or held by another."""
    token = worker_token()
    statement = (
        update(TABLE)
        .where(
            TABLE.c.key == key,
            TABLE.c.sent_at.is_(None),
            (TABLE.c.sending_until.is_(None)) | (TABLE.c.sending_until < now),
        )
        .values(sending_by=token[:100], sending_until=now + hold, sends=TABLE.c.sends + 1)
        .returning(TABLE.c.id, TABLE.c.key, TABLE.c.recipient, TABLE.c.subject, TABLE.c.body, TABLE.c.lang)
    )
    with writer.begin() as connection:
        row = connection.execute(statement).first()
    if row is None:
        return None
    return Claimed(row.id, row.key, row.recipient, row.subject, row.body, row.lang, token[:100])


def mark_sent(writer: Engine, claimed: Claimed, now: datetime) -> bool:
    """False when the claim was lost meanwhile (this worker was slower than the claim's length)."""
    statement = (
        update(TABLE)
        .where(TABLE.c.id == claimed.id, TABLE.c.sending_by == claimed.token, TABLE.c.sent_at.is_(None))
        .values(sent_at=now, sending_by=None, sending_until=None)
    )
    with writer.begin() as connection:
        return bool(connection.execute(statement).rowcount)


def give_back(writer: Engine, claimed: Claimed) -> None:
    """SMTP refused or failed before accepting: the message is free for the next attempt at once."""
    statement = (
        update(TABLE)
        .where(TABLE.c.id == claimed.id, TABLE.c.sending_by == claimed.token)
        .values(sending_by=None, sending_until=None)
    )
    with writer.begin() as connection:
        connection.execute(statement)


def is_sent(statements: Engine, key: str) -> bool:
    with statements.connect() as connection:
        sent = connection.execute(select(TABLE.c.sent_at).where(TABLE.c.key == key)).scalar_one_or_none()
    return sent is not None


def message_id(key: str, sender: str) -> str:
    """The same Message-ID for every send of one message (a second copy is recognisably the same)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def email_of(claimed: Claimed, config: Any, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["SMTP_FROM"]
    message["To"] = claimed.recipient
    message["Subject"] = claimed.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(claimed.key, config["SMTP_FROM"])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(claimed.body)
    message["Content-Language"] = claimed.lang  # after set_content, which replaces the Content-* headers
    return message


def deliver(message: EmailMessage, config: Any) -> None:
    """One SMTP conversation; returns when the server accepted the message (else raises)."""
    host, port, timeout = config["SMTP_HOST"], int(config["SMTP_PORT"]), float(config["SMTP_TIMEOUT"])
    security = config["SMTP_SECURITY"]
    client = (
        smtplib.SMTP_SSL(host, port, timeout=timeout)
        if security == "ssl"
        else smtplib.SMTP(host, port, timeout=timeout)
    )
    with client:
        if security == "starttls":
            client.starttls()
        if config.get("SMTP_USER"):
            client.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        client.send_message(message)


@job(JOB)
def send_queued_mail(run: JobRun) -> None:
    """Send the message `run.payload["key"]` unless it was sent; a rerun after a kill sends it once."""
    key = str(run.payload["key"])
    database, config = db.database(), current_app.config
    now = utcnow()
    claimed = claim(database.writer_engine, key, now, timedelta(seconds=float(config["SMTP_CLAIM_SECONDS"])))
    if claimed is None:
        if is_sent(database.statement_engine, key):
            return
        raise MessageBusy(f"message {key} is being sent by another worker (or its worker died): later")
    try:
        deliver(email_of(claimed, config, now), config)
    except (OSError, smtplib.SMTPException):
        give_back(database.writer_engine, claimed)
        raise
    if not mark_sent(database.writer_engine, claimed, utcnow()):
        log.warning("message %s was sent after its claim ran out: another worker may send it too", key)
