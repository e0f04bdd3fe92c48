"""The footprint's tables: statements in one gap-free sequence, signed checkpoints, the head.

`footprint_statements` and `footprint_checkpoints` are append-only: triggers refuse UPDATE
and DELETE on SQLite and PostgreSQL (migration 0009), and on PostgreSQL the service's database
user is granted only SELECT and INSERT on them (docs/footprint.md). `footprint_head` is the one
row every appender locks: it numbers the statements without a gap across processes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from quiz_service.core.db import Base, UTCDateTime


class FootprintStatement(Base):
    """One xAPI statement as recorded: `record` holds the canonical bytes of the Merkle leaf
    (`{"seq": …, "statement": {…}}`, keys sorted, UTF-8); `leaf_hash` = SHA-256(0x00 || record)."""

    __tablename__ = "footprint_statements"
    __table_args__ = (Index("ix_footprint_statements_user_id_seq", "user_id", "seq"),)

    # SQLite: INTEGER PRIMARY KEY is the rowid itself (one B-tree less per append, migration 0015).
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False
    )
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int | None] = mapped_column(Integer)  # None: a statement of the service itself
    verb: Mapped[str] = mapped_column(Text)
    object_id: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(64))  # what a repeated id is compared by
    record: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))


class FootprintCheckpoint(Base):
    """A signed checkpoint: the note (origin, tree size, root hash, time) and its Ed25519 signature.

    Also appended to the checkpoint file outside the database (`FOOTPRINT_DIR`)."""

    __tablename__ = "footprint_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(128))  # hex


class FootprintHead(Base):
    """The one row (id 1): how many statements the log has. Appenders lock it, so numbers never skip."""

    __tablename__ = "footprint_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)


class FootprintForwarding(Base):
    """How far one external LRS (by its statements endpoint) has received the log: every
    statement before `next_seq` was accepted there (docs/footprint.md, "Forwarding")."""

    __tablename__ = "footprint_forwarding"

    target: Mapped[str] = mapped_column(String(500), primary_key=True)
    next_seq: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
