"""The outbox's messages: one row per message key, sent once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quiz_service.core.db import Base, UTCDateTime


class MailMessage(Base):
    """A message to send: written with the change that asks for it, marked sent after SMTP took it.

    `key` is the sender's idempotency key (`booking:12:booked`): asking again for the same key
    adds nothing. While a worker sends it, `sending_by` names that worker and `sending_until` is
    when others may take it over (the worker died); `sent_at` is set once SMTP accepted it.
    """

    __tablename__ = "mail_messages"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sends: Mapped[int] = mapped_column(default=0)  # SMTP conversations started for it
    sending_by: Mapped[str | None] = mapped_column(String(100))
    sending_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
