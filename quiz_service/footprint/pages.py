"""The student's page of their own footprint: /footprint/ (latest statements, download, how to verify)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, current_app, g
from sqlalchemy import func, select

from quiz_service.core import db
from quiz_service.core.errors import error_page
from quiz_service.core.i18n import request_language, texts_for
from quiz_service.core.pages import render_page, signed_in_page
from quiz_service.footprint import checkpoints, store
from quiz_service.footprint.texts import FOOTPRINT

bp = Blueprint("footprint_pages", __name__, template_folder="templates")
LOCAL_ZONE = ZoneInfo("Asia/Almaty")
SHOWN = 20
# The verbs the page names in words; any other is shown by the last part of its IRI.
NAMED_VERBS = ("experienced", "completed", "terminated", "played", "paused", "seeked", "logged-in", "logged-out",
               "attempted", "answered", "scored", "downloaded", "searched", "voided", "submit")  # fmt: skip


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@dataclass(frozen=True)
class Line:
    when: str
    what: str
    activity: str


@dataclass(frozen=True)
class Signed:
    size: int
    when: str


def local_time(moment: datetime) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")


def line_of(statement: dict[str, Any], words: Any) -> Line:
    verb = statement["verb"]["id"].rstrip("/").rsplit("/", 1)[-1]
    what = words[f"verb.{verb}"] if verb in NAMED_VERBS else verb
    target = statement["object"]
    names = target.get("definition", {}).get("name", {})
    activity = names.get(request_language()) or next(iter(names.values()), None) or target.get("id", "")
    moment = datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00"))
    return Line(local_time(moment), what, activity)


@bp.get("/footprint/")
@signed_in_page(lambda error: error_page(404))
def footprint_page() -> Response:
    words = texts_for(FOOTPRINT, request_language())
    with db.statement_connection() as connection:
        count = connection.execute(
            select(func.count()).select_from(store.STATEMENTS).where(store.STATEMENTS.c.user_id == g.user.id)
        ).scalar_one()
        query = (
            select(store.STATEMENTS.c.record)
            .where(store.STATEMENTS.c.user_id == g.user.id)
            .order_by(store.STATEMENTS.c.seq.desc())
            .limit(SHOWN)
        )
        rows = [
            line_of(json.loads(record)["statement"], words) for record in connection.execute(query).scalars()
        ]
        latest = checkpoints.latest(connection)
    signed, public_key = None, ""
    if latest is not None:
        moment = datetime.fromisoformat(latest.time.replace("Z", "+00:00"))
        signed = Signed(latest.tree_size, local_time(moment))
        public_key = (
            (current_app.config["FOOTPRINT_DIR"] / checkpoints.PUBLIC_KEY).read_text(encoding="ascii").strip()
        )
    return render_page(
        "footprint/page.html", w=words, rows=rows, count=count, checkpoint=signed, public_key=public_key
    )
