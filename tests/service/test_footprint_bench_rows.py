"""The benchmark's fast generator writes the rows `store.row_of` would: the million records that
`oqu footprint verify` is measured on are real footprint records."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from quiz_service.footprint import store

BENCH = Path(__file__).resolve().parents[2] / "bench" / "footprint.py"


def bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("footprint_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("footprint_bench", module)
    spec.loader.exec_module(module)
    return module


def test_fast_rows_are_the_rows_of_row_of() -> None:
    bench = bench_module()
    now = datetime(2026, 12, 7, 9, 30, 1, 250000, tzinfo=UTC)
    for seq, fast in enumerate(bench.fast_rows(120, now)):
        body = bench.statement(seq) | {"id": str(uuid.UUID(int=seq + 1, version=4))}
        body["actor"] = store.user_agent(bench.SITE, seq % 50 + 1)
        row = store.row_of(seq, store.Entry(body, seq % 50 + 1), store.content_hash(body), now, bench.SITE)
        expected = (row["seq"], row["statement_id"], row["user_id"], row["verb"], row["object_id"],
                    "2026-12-07 09:30:01.250000", row["content_hash"], row["record"], row["leaf_hash"])  # fmt: skip
        assert fast == expected
