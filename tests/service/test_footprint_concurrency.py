"""T28: 500 parallel appends through two gunicorn processes give one gap-free sequence, on SQLite
and PostgreSQL; a statement sent to both processes at once is recorded once; the log verifies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from flask import Flask
from footprint_helpers import SITE, statement
from gunicorn_services import gunicorn_services, service_env
from sqlalchemy import func, select

from auth.models import User
from quiz_service.core import db
from quiz_service.footprint import checkpoints, jobs, store
from quiz_service.footprint.models import FootprintStatement
from quiz_service.footprint.verify import verify_log

APPENDS = 500
REPEATED = 20


def test_parallel_appends_from_two_processes_make_one_gap_free_sequence(
    app: Flask, app_config: dict[str, Any], make_user: Callable[..., User], make_token: Callable[..., str]
) -> None:
    tokens = [make_token(make_user()) for _ in range(8)]
    env = service_env(app_config, OQU_FOOTPRINT_SITE_URL=SITE)
    sent = [(index, statement()) for index in range(APPENDS)]
    repeated = [statement() for _ in range(REPEATED)]
    # each repeated statement goes to both processes: by the same student, at (nearly) the same time
    sends = sent + [(index * 2 + copy, body) for index, body in enumerate(repeated) for copy in (0, 1)]
    with gunicorn_services(env, count=2) as bases:

        def post(item: tuple[int, dict[str, Any]]) -> int:
            index, body = item
            headers = {"Authorization": f"Bearer {tokens[(index // 2) % len(tokens)]}"}
            response = requests.post(
                f"{bases[index % 2]}/api/v1/statements", json=body, headers=headers, timeout=60
            )
            return response.status_code

        with ThreadPoolExecutor(16) as pool:
            statuses = Counter(pool.map(post, sends))
    assert statuses == Counter({200: APPENDS + 2 * REPEATED})
    with app.app_context():
        reader = db.session()
        seqs = list(reader.scalars(select(FootprintStatement.seq).order_by(FootprintStatement.seq)))
        assert seqs == list(range(APPENDS + REPEATED))
        assert (
            reader.scalar(select(func.count(func.distinct(FootprintStatement.statement_id))))
            == APPENDS + REPEATED
        )
        with db.engine().connect() as connection:
            assert store.log_size(connection) == APPENDS + REPEATED
        signed = jobs.checkpoint_now()
        assert signed is not None and signed.tree_size == APPENDS + REPEATED
        with db.engine().connect() as connection:
            key = checkpoints.published_key(app.config["FOOTPRINT_DIR"])
            report = verify_log(store.all_rows(connection), checkpoints.stored_checkpoints(connection), key)
        assert report.ok and report.records == APPENDS + REPEATED
