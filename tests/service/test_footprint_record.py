"""T27: the verifiable record. `oqu footprint verify` passes a clean log and names the record of
each tampering (modify, delete, reorder, truncate the newest, rewrite with recomputed hashes);
an exported footprint verifies offline and fails after any one byte changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient
from footprint_helpers import SITE, statement
from sqlalchemy import TextClause, text

from auth.models import User
from quiz_service.core import db
from quiz_service.core.jobs.registry import REGISTRY
from quiz_service.footprint import checkpoints, export, jobs, verify
from quiz_service.footprint.merkle import leaf_hash
from quiz_service.footprint.store import canonical


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return app_config | {"FOOTPRINT_SITE_URL": SITE}


@pytest.fixture
def oqu(
    run_oqu: Callable[..., Result], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    monkeypatch.setenv("OQU_FOOTPRINT_SITE_URL", SITE)
    # SQLite's log is checked by two worker processes in chunks: chunks of 4 records here, so
    # that the checkpoints (at 5 and 10) and the tampered records fall inside and across them.
    monkeypatch.setattr(verify, "CHUNK", 4)
    return lambda *args: run_oqu("footprint", *args, database_url=database_url)


@pytest.fixture
def students(
    make_user: Callable[..., User], make_token: Callable[..., str]
) -> list[tuple[User, dict[str, str]]]:
    users = [make_user(), make_user()]
    return [(user, {"Authorization": f"Bearer {make_token(user)}"}) for user in users]


@pytest.fixture
def log(
    client: FlaskClient,
    students: list[tuple[User, dict[str, str]]],
    oqu: Callable[..., Result],
    site_folder: Path,
) -> Path:
    """12 statements of two students; checkpoints signed at 5 and at 10 (the last 2 not yet)."""
    for count in (5, 5, 2):
        for index in range(count):
            headers = students[index % 2][1]
            assert client.post("/api/v1/statements", json=statement(), headers=headers).status_code == 200
        if count == 5:
            signed = oqu("checkpoint")
            assert signed.exit_code == 0, signed.output
    return site_folder / "var" / "footprint"


def tamper(app: Flask, *changes: str | TextClause) -> None:
    """What someone with the database's owner rights could do: the append-only triggers off first."""
    with app.app_context(), db.engine().begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE footprint_statements DISABLE TRIGGER USER"))
            connection.execute(text("ALTER TABLE footprint_checkpoints DISABLE TRIGGER USER"))
        else:
            for table in ("footprint_statements", "footprint_checkpoints"):
                for action in ("update", "delete"):
                    connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{action}"))
        for change in changes:
            connection.execute(text(change) if isinstance(change, str) else change)


def record_of(app: Flask, seq: int) -> str:
    with app.app_context(), db.engine().connect() as connection:
        found: str = connection.execute(
            text(f"SELECT record FROM footprint_statements WHERE seq = {seq}")
        ).scalar_one()
        return found


def rewritten(app: Flask, seq: int) -> TextClause:
    """Record `seq` with its result changed, and its leaf hash recomputed to match."""
    record = json.loads(record_of(app, seq))
    record["statement"]["result"]["completion"] = False
    data = canonical(record)
    change = text("UPDATE footprint_statements SET record = :record, leaf_hash = :leaf WHERE seq = :seq")
    return change.bindparams(record=data.decode(), leaf=leaf_hash(data).hex(), seq=seq)


def test_a_clean_log_verifies(log: Path, oqu: Callable[..., Result]) -> None:
    result = oqu("verify")
    assert result.exit_code == 0, result.output
    assert "12 records verified against 2 signed checkpoints" in result.output
    assert (log / "checkpoints.jsonl").read_text().count("\n") == 2
    assert (log / "checkpoint.txt").read_text().splitlines()[1] == "10"


def test_the_database_refuses_changes_until_its_triggers_are_dropped(app: Flask, log: Path) -> None:
    for change in (
        "UPDATE footprint_checkpoints SET tree_size = 1",
        "DELETE FROM footprint_statements WHERE seq = 11",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            app.app_context(),
            db.engine().begin() as connection,
        ):
            connection.execute(text(change))


def test_a_modified_record_is_named(app: Flask, log: Path, oqu: Callable[..., Result]) -> None:
    tamper(
        app, "UPDATE footprint_statements SET record = replace(record, 'PT4M12S', 'PT9M12S') WHERE seq = 3"
    )
    result = oqu("verify")
    assert result.exit_code == 1
    assert "footprint: record 3 was altered (its bytes do not match its hash)" in result.output


def test_a_deleted_record_is_named(app: Flask, log: Path, oqu: Callable[..., Result]) -> None:
    tamper(app, "DELETE FROM footprint_statements WHERE seq = 4")
    result = oqu("verify")
    assert result.exit_code == 1
    assert "footprint: record 4 is missing (the next one is 5)" in result.output


def test_reordered_records_are_named(app: Flask, log: Path, oqu: Callable[..., Result]) -> None:
    tamper(app, "UPDATE footprint_statements SET seq = 100 WHERE seq = 2",
           "UPDATE footprint_statements SET seq = 2 WHERE seq = 3",
           "UPDATE footprint_statements SET seq = 3 WHERE seq = 100")  # fmt: skip
    result = oqu("verify")
    assert result.exit_code == 1
    assert "footprint: record 2 holds record 3: records were reordered or renumbered" in result.output


def test_the_newest_records_cut_off_are_named(app: Flask, log: Path, oqu: Callable[..., Result]) -> None:
    tamper(app, "DELETE FROM footprint_statements WHERE seq >= 8", "UPDATE footprint_head SET size = 8")
    result = oqu("verify")
    assert result.exit_code == 1
    assert "footprint: record 8 and later are missing: the log has 8 records" in result.output
    assert "counts 10 (truncated)" in result.output


def test_the_newest_records_cut_off_after_the_latest_checkpoint_are_named_by_the_head(
    app: Flask, log: Path, oqu: Callable[..., Result]
) -> None:
    tamper(app, "DELETE FROM footprint_statements WHERE seq >= 10")  # not signed yet; the head still says 12
    result = oqu("verify")
    assert result.exit_code == 1
    assert (
        "footprint: record 10 and later are missing: the log has 10 records, its head counts 12"
        in result.output
    )


def test_the_checkpoint_job_signs_once_per_size(app: Flask, log: Path) -> None:
    assert REGISTRY.get("footprint.checkpoint").every == timedelta(minutes=5)
    with app.app_context():
        made = jobs.checkpoint_now()
        assert made is not None and made.tree_size == 12
        assert jobs.checkpoint_now() is None  # nothing new: a second run of the job changes nothing
    assert (log / "checkpoints.jsonl").read_text().count("\n") == 3


def test_a_rewrite_with_recomputed_hashes_fails_the_checkpoint(
    app: Flask, log: Path, oqu: Callable[..., Result]
) -> None:
    tamper(app, rewritten(app, 7))
    result = oqu("verify")
    assert result.exit_code == 1
    assert "footprint: records 5–9 do not match the checkpoint of" in result.output
    assert "(10 records): a record among them was rewritten with its hashes recomputed" in result.output


def test_a_rewrite_with_checkpoints_signed_again_by_another_key_fails_the_signature(
    app: Flask, log: Path, oqu: Callable[..., Result]
) -> None:
    tamper(app, rewritten(app, 2))
    with app.app_context(), db.engine().connect() as connection:
        old = checkpoints.stored_checkpoints(connection)
        roots = {size: checkpoints.root_at(connection, size) for size in (5, 10)}
    forger = Ed25519PrivateKey.generate()
    forged = [checkpoints.sign(forger, c.lines[0], c.tree_size, roots[c.tree_size], db.utcnow()) for c in old]
    changes = [f"UPDATE footprint_checkpoints SET note = '{f.note}', signature = '{f.signature.hex()}' "
               f"WHERE tree_size = {f.tree_size}" for f in forged]  # fmt: skip
    tamper(app, *changes)
    (log / "checkpoints.jsonl").write_text("".join(json.dumps(f.to_json()) + "\n" for f in forged))
    result = oqu("verify")
    assert result.exit_code == 1
    assert (
        "(5 records): its signature does not match the site's public key (forged or rewritten)"
        in result.output
    )


def test_an_export_verifies_offline_and_fails_after_any_byte_changes(
    client: FlaskClient, log: Path, oqu: Callable[..., Result], students: list[tuple[User, dict[str, str]]],
    site_folder: Path,
) -> None:  # fmt: skip
    student, headers = students[0]
    out = site_folder / "footprint.json"
    assert oqu("export", "--student", student.email, "--out", str(out)).exit_code == 0
    data = out.read_bytes()
    assert data == client.get("/api/v1/me/footprint", headers=headers).data  # the student's own download
    exported = json.loads(data)
    assert [r["seq"] for r in exported["records"]] == [0, 2, 4, 5, 7, 9]
    assert [r["seq"] for r in exported["pending"]] == [10]
    result = oqu("verify-export", str(out), "--public-key", str(log / "public-key.txt"))
    assert result.exit_code == 0, result.output
    assert export.verify_export(data, checkpoints.published_key(log)) == []
    unchanged = []
    # Every byte of the key, the checkpoint and the first record; every 5th byte of the rest.
    second_record = data.index(b'{"seq":2,')
    for position in [*range(second_record), *range(second_record, len(data), 5)]:
        changed = data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]
        if not export.verify_export(changed):
            unchanged.append((position, data[max(0, position - 20) : position + 20]))
    assert unchanged == []
    flipped = out.with_name("changed.json")
    flipped.write_bytes(data.replace(b"PT4M12S", b"PT4M13S", 1))
    refused = oqu("verify-export", str(flipped))
    assert refused.exit_code == 1
    assert "footprint: record 0: the statement is not the recorded one" in refused.output


def test_an_export_is_refused_with_another_sites_key(
    log: Path, oqu: Callable[..., Result], students: Any, site_folder: Path
) -> None:
    out = site_folder / "footprint.json"
    assert oqu("export", "--student", students[0][0].email, "--out", str(out)).exit_code == 0
    other = site_folder / "other.txt"
    other.write_text(checkpoints.public_hex(Ed25519PrivateKey.generate().public_key()))
    result = oqu("verify-export", str(out), "--public-key", str(other))
    assert result.exit_code == 1
    assert "the file's public key is not the site's published key" in result.output
