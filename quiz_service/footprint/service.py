"""Statements sent by a signed-in user: checked, given to their sender, appended.

The actor is always the signed-in user: a statement may leave it out (it is filled in) or name
the user by account, mbox or mbox_sha1sum; one naming anybody else is refused (403).
"""

from __future__ import annotations

import hashlib
import uuid as uuids
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from quiz_service.core.domain import Forbidden, Invalid
from quiz_service.footprint import store
from quiz_service.footprint.video import check_video
from quiz_service.footprint.xapi import VOIDED, StatementInvalid, check_statement, join

Json = Any


@dataclass(frozen=True)
class Sender:
    user_id: int
    email: str


def prepare(body: Json, sender: Sender, site_url: str, max_batch: int) -> list[store.Entry]:
    """The statements of a POST body (one or a list), each valid, with its id and the sender as actor."""
    listed = isinstance(body, list)
    items: Sequence[Json] = body if listed else [body]
    if listed and not items:
        raise Invalid("invalid_statement", "statements: send at least one statement")
    if len(items) > max_batch:
        raise Invalid(
            "too_many_statements", f"statements: at most {max_batch} in one request, not {len(items)}"
        )
    return [
        prepare_one(item, f"[{index}]" if listed else "", sender, site_url)
        for index, item in enumerate(items)
    ]


def prepare_one(item: Json, path: str, sender: Sender, site_url: str) -> store.Entry:
    if isinstance(item, dict) and "actor" not in item:
        item = {**item, "actor": store.user_agent(site_url, sender.user_id)}
    statement = check_statement(item, path)
    check_video(statement, path)
    if not is_sender(statement["actor"], sender, site_url):
        raise Forbidden(
            "actor_not_you", f"{join(path, 'actor')}: statements are recorded only for the signed-in user"
        )
    statement = dict(statement)
    statement.pop("stored", None)
    statement["actor"] = store.user_agent(site_url, sender.user_id)
    statement.setdefault("id", str(uuids.uuid4()))
    statement["id"] = statement["id"].lower()
    return store.Entry(statement, sender.user_id)


def is_sender(actor: dict[str, Json], sender: Sender, site_url: str) -> bool:
    if actor.get("objectType") == "Group":
        return False
    mailto = f"mailto:{sender.email.lower()}"
    if "account" in actor:
        account = actor["account"]
        return bool(
            account["homePage"].rstrip("/") == site_url.rstrip("/") and account["name"] == str(sender.user_id)
        )
    if "mbox" in actor:
        return bool(actor["mbox"].lower() == mailto)
    if "mbox_sha1sum" in actor:
        return bool(
            actor["mbox_sha1sum"].lower() == hashlib.sha1(mailto.encode()).hexdigest()
        )  # xAPI's identifier
    return False


def check_voided_targets(connection: Connection, entries: list[store.Entry], user_id: int) -> None:
    """A voiding statement voids one of the sender's own statements, and never a voiding one."""
    for index, entry in enumerate(entries):
        statement = entry.statement
        if statement["verb"]["id"] != VOIDED:
            continue
        target = store.statement_of(connection, user_id, statement["object"]["id"].lower())
        where = f"[{index}].object.id" if len(entries) > 1 else "object.id"
        if target is None:
            raise StatementInvalid(where, "no statement of yours has this id")
        if target["verb"]["id"] == VOIDED:
            raise StatementInvalid(where, "a voiding statement cannot be voided")


def record(
    connection: Connection, body: Json, sender: Sender, now: datetime, site_url: str, max_batch: int
) -> list[str]:
    """Check and append a POST's statements in the caller's transaction; their ids, in order."""
    entries = prepare(body, sender, site_url, max_batch)
    check_voided_targets(connection, entries, sender.user_id)
    return store.append(connection, entries, now, site_url).ids
