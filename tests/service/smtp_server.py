"""A real SMTP server on loopback (aiosmtpd) that keeps what it accepted, for the mail tests.

It keeps a message only when it can still answer "250" to it: a client that died while the
server held the message (see `hold`) has been told nothing, so the message is dropped, as an
MTA drops a message whose final reply it could not send.
"""

from __future__ import annotations

import asyncio
import email
import email.header
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from site_server import free_port


@dataclass
class Inbox:
    received: list[Message] = field(default_factory=list)
    hold_subjects: set[str] = field(default_factory=set)  # hold a message whose subject has one of these
    held: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    dropped: int = 0
    holding: Any = None  # the server protocol of the held message's connection
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        subject = str(email.header.make_header(email.header.decode_header(message["Subject"] or "")))
        if any(part in subject for part in self.hold_subjects):
            self.hold_subjects.clear()  # only the first such message is held
            self.holding = server
            self.held.set()
            try:
                while not self.released.is_set():
                    await asyncio.sleep(0.01)
            except asyncio.CancelledError:  # aiosmtpd cancels the handler of a lost connection
                with self.lock:
                    self.dropped += 1
                raise
            if server.transport is None or server.transport.is_closing():
                with self.lock:
                    self.dropped += 1
                return "451 client gone before the reply"
        with self.lock:
            self.received.append(message)
        return "250 OK"

    def held_client_gone(self) -> bool:
        transport = self.holding.transport if self.holding is not None else None
        return transport is None or transport.is_closing()

    def subjects(self) -> list[str]:
        with self.lock:
            return [decoded(m["Subject"]) for m in self.received]

    def wait_for(self, count: int, timeout: float = 60) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"the SMTP server got {len(self.received)} messages, not {count}")


def decoded(header: str | None) -> str:
    return str(email.header.make_header(email.header.decode_header(header or "")))


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """(its inbox, its port) on 127.0.0.1."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        inbox.released.set()
        controller.stop()
