"""A student's own footprint, verifiable offline: the statements with their inclusion proofs,
the signed checkpoint they are proven against, and the site's public key.

The file is JSON (UTF-8, compact, so that no byte of it is without meaning):

    {"format": "oqu-footprint/1", "public_key": hex, "checkpoint": {"note", "signature"},
     "records": [{"seq", "record", "statement", "proof": [hex, …]}, …],
     "pending": [{"seq", "record", "statement"}, …]}

`record` is the exact bytes of the Merkle leaf (`{"seq": n, "statement": {…}}`); `statement`
the same statement, to read. `pending` are the statements newer than the checkpoint (no proof
yet: the next checkpoint covers them).
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.engine import Connection

from quiz_service.core.domain import Conflict
from quiz_service.footprint import store
from quiz_service.footprint.checkpoints import (
    Checkpoint,
    is_signed_by,
    public_hex,
    public_key_from_hex,
    strict_hex,
)
from quiz_service.footprint.merkle import inclusion_proof, leaf_hash, levels_of, verify_inclusion

FORMAT = "oqu-footprint/1"
Json = Any


def export_of(
    connection: Connection, user_id: int, checkpoint: Checkpoint, key: Ed25519PublicKey
) -> dict[str, Json]:
    """The user's footprint proven against `checkpoint` (Conflict when the log no longer matches it)."""
    size = checkpoint.tree_size
    leaves = [leaf_hash(record) for seq, record, _ in store.all_rows(connection) if seq < size]
    levels = levels_of(leaves) if leaves else [[]]
    if len(leaves) != size or (levels[-1][0] if leaves else None) != (checkpoint.root if size else None):
        raise Conflict(
            "footprint_damaged",
            "The record does not match its latest checkpoint: run `oqu footprint verify`.",
        )
    records, pending = [], []
    for seq, record in own_records(connection, user_id):
        entry = {"seq": seq, "record": record, "statement": json.loads(record)["statement"]}
        if seq < size:
            records.append(entry | {"proof": [node.hex() for node in inclusion_proof(levels, seq)]})
        else:
            pending.append(entry)
    return {"format": FORMAT, "public_key": public_hex(key), "checkpoint": checkpoint.to_json(),
            "records": records, "pending": pending}  # fmt: skip


def own_records(connection: Connection, user_id: int) -> list[tuple[int, str]]:
    query = (
        select(store.STATEMENTS.c.seq, store.STATEMENTS.c.record)
        .where(store.STATEMENTS.c.user_id == user_id)
        .order_by(store.STATEMENTS.c.seq)
    )
    return [(row.seq, row.record) for row in connection.execute(query)]


def dumps(export: dict[str, Json]) -> bytes:
    return json.dumps(export, ensure_ascii=False, separators=(",", ":")).encode()


# -- checking one ------------------------------------------------------------------------


def verify_export(data: bytes, published: Ed25519PublicKey | None = None) -> list[str]:
    """What is wrong with an exported footprint (nothing: an empty list)."""
    try:
        export = json.loads(data.decode("utf-8"))
        return check_export(export, published)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        return [f"not a footprint export of oqu: {type(error).__name__}: {error}"]


def check_export(export: dict[str, Json], published: Ed25519PublicKey | None) -> list[str]:
    if (
        set(export) != {"format", "public_key", "checkpoint", "records", "pending"}
        or export["format"] != FORMAT
    ):
        return [f"not a {FORMAT} file"]
    key = public_key_from_hex(export["public_key"])
    if published is not None and public_hex(published) != public_hex(key):
        return ["the file's public key is not the site's published key"]
    checkpoint = Checkpoint.from_json(export["checkpoint"])
    if set(export["checkpoint"]) != {"note", "signature"} or not is_signed_by(checkpoint, key):
        return ["the checkpoint's signature does not hold"]
    problems = [problem for entry in export["records"] if (problem := check_record(entry, checkpoint))]
    problems += [problem for entry in export["pending"] if (problem := check_pending(entry, checkpoint))]
    return problems


def check_record(entry: dict[str, Json], checkpoint: Checkpoint) -> str | None:
    if set(entry) != {"seq", "record", "statement", "proof"}:
        return f"record {entry.get('seq')}: not a proven record"
    seq, record = entry["seq"], entry["record"]
    if json.loads(record) != {"seq": seq, "statement": entry["statement"]}:
        return f"record {seq}: the statement is not the recorded one"
    proof = [strict_hex(node, 32) for node in entry["proof"]]
    if not verify_inclusion(seq, checkpoint.tree_size, leaf_hash(record.encode()), proof, checkpoint.root):
        return f"record {seq}: not in the log signed by {checkpoint.describe()}"
    return None


def check_pending(entry: dict[str, Json], checkpoint: Checkpoint) -> str | None:
    if set(entry) != {"seq", "record", "statement"} or entry["seq"] < checkpoint.tree_size:
        return f"pending record {entry.get('seq')}: not a pending record"
    if json.loads(entry["record"]) != {"seq": entry["seq"], "statement": entry["statement"]}:
        return f"pending record {entry['seq']}: the statement is not the recorded one"
    return None
