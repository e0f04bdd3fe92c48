"""The mail outbox: e-mail asked for inside a transaction, sent by `oqu worker` exactly once.

    from quiz_service.core import mail

    with db.write_transaction() as writer:
        ...
        mail.queue_mail(writer, mail.Message(key="booking:12:booked", to="a@b.kz", subject=..., body=..., lang="kk"))

The message's row and its `mail.send` job commit with the change or not at all; the `key`
makes asking twice one message. See docs/consultations.md#e-mail for what "exactly once" means
here (and the one window where it cannot be promised).
"""

from __future__ import annotations

from flask import Flask

from quiz_service.core.mail import settings
from quiz_service.core.mail.outbox import Message, queue_mail

__all__ = ["Message", "init_app", "queue_mail"]


def init_app(app: Flask) -> None:
    settings.configure(app)
