"""Signed checkpoints: the tree's size and root at a moment, signed with the site's Ed25519 key.

A checkpoint is a note in the style of C2SP tlog-checkpoint (origin, tree size, root hash in
base64, then `time …`), signed as it is, byte for byte. Each is kept in the database and
appended to `FOOTPRINT_DIR/checkpoints.jsonl`, a file outside the database that the academic
office archives or publishes; `checkpoint.txt` beside it is the latest one. The key pair is
made on first use in `FOOTPRINT_DIR` (`signing-key.pem`, readable by the service only;
`public-key.txt`, the key to publish).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Table, insert, select
from sqlalchemy.engine import Connection

from quiz_service.footprint import store
from quiz_service.footprint.merkle import Frontier
from quiz_service.footprint.models import FootprintCheckpoint

CHECKPOINTS = cast(Table, FootprintCheckpoint.__table__)
SIGNING_KEY = "signing-key.pem"
PUBLIC_KEY = "public-key.txt"
CHECKPOINT_LOG = "checkpoints.jsonl"
LATEST = "checkpoint.txt"


# -- the key pair -------------------------------------------------------------------------


def signing_key(folder: Path) -> Ed25519PrivateKey:
    """The site's private key, made (with its public key beside it) the first time."""
    path = folder / SIGNING_KEY
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())  # fmt: skip
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago
            return signing_key(folder)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        (folder / PUBLIC_KEY).write_text(public_hex(key.public_key()) + "\n", encoding="ascii")
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    return loaded


def public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def public_key_from_hex(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(strict_hex(text.strip(), 32))


def published_key(folder: Path) -> Ed25519PublicKey:
    return public_key_from_hex((folder / PUBLIC_KEY).read_text(encoding="ascii"))


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(bytes.fromhex(public_hex(key))).hexdigest()[:16]


def strict_hex(text: str, length: int | None = None) -> bytes:
    """Bytes from lowercase hexadecimal only (one text per value: no other case, no spaces)."""
    value = bytes.fromhex(text)
    if value.hex() != text or (length is not None and len(value) != length):
        raise ValueError(f"not {length or ''} bytes of lowercase hexadecimal: {text[:20]!r}")
    return value


# -- the checkpoint -----------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    note: str
    signature: bytes

    @property
    def lines(self) -> list[str]:
        return self.note.split("\n")

    @property
    def tree_size(self) -> int:
        return int(self.lines[1])

    @property
    def root(self) -> bytes:
        return base64.b64decode(self.lines[2], validate=True)

    @property
    def time(self) -> str:
        return self.lines[3].removeprefix("time ")

    def to_json(self) -> dict[str, Any]:
        return {"note": self.note, "signature": self.signature.hex()}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Checkpoint:
        checkpoint = cls(str(value["note"]), strict_hex(str(value["signature"]), 64))
        check_note(checkpoint.note)
        return checkpoint

    def describe(self) -> str:
        return f"the checkpoint of {self.time} ({self.tree_size} records)"


def origin_of(site_url: str) -> str:
    parts = urlsplit(site_url)
    return f"{parts.netloc}{parts.path.rstrip('/')}/footprint"


def note_of(origin: str, size: int, root: bytes, moment: datetime) -> str:
    time = moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\ntime {time}\n"


def check_note(note: str) -> None:
    lines = note.split("\n")
    if len(lines) != 5 or lines[4] != "" or not lines[1].isdigit() or not lines[3].startswith("time "):
        raise ValueError("not a checkpoint note")
    if base64.b64encode(base64.b64decode(lines[2], validate=True)).decode() != lines[2]:
        raise ValueError("the root hash is not canonical base64")


def sign(key: Ed25519PrivateKey, origin: str, size: int, root: bytes, moment: datetime) -> Checkpoint:
    note = note_of(origin, size, root, moment)
    return Checkpoint(note, key.sign(note.encode()))


def is_signed_by(checkpoint: Checkpoint, key: Ed25519PublicKey) -> bool:
    try:
        key.verify(checkpoint.signature, checkpoint.note.encode())
    except InvalidSignature:
        return False
    return True


# -- made by the periodic job -------------------------------------------------------------


def root_at(connection: Connection, size: int) -> bytes:
    """The root over the first `size` records' stored leaf hashes (only the hashes are read: a
    record whose bytes no longer match its hash is named by `oqu footprint verify` all the same)."""
    frontier = Frontier()
    for leaf in store.leaf_hashes(connection, size):
        frontier.add(leaf)
    return frontier.root()


def latest(connection: Connection) -> Checkpoint | None:
    query = select(CHECKPOINTS.c.note, CHECKPOINTS.c.signature).order_by(CHECKPOINTS.c.id.desc()).limit(1)
    row = connection.execute(query).first()
    return None if row is None else Checkpoint(row.note, bytes.fromhex(row.signature))


def stored_checkpoints(connection: Connection) -> list[Checkpoint]:
    query = select(CHECKPOINTS.c.note, CHECKPOINTS.c.signature).order_by(CHECKPOINTS.c.id)
    return [Checkpoint(row.note, bytes.fromhex(row.signature)) for row in connection.execute(query)]


def make_checkpoint(reader: Connection, folder: Path, site_url: str, now: datetime) -> Checkpoint | None:
    """Sign the log as it is (the committed records: numbered without gaps, never changed), unless
    the latest checkpoint already has its size; written to the file, then to the database."""
    size = store.log_size(reader)
    last = latest(reader)
    if last is not None and last.tree_size == size:
        return None
    key = signing_key(folder)
    checkpoint = sign(key, origin_of(site_url), size, root_at(reader, size), now)
    append_to_file(folder, checkpoint)
    return checkpoint


def save(writer: Connection, checkpoint: Checkpoint, key: Ed25519PublicKey, now: datetime) -> None:
    values = {
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root.hex(),
        "signed_at": now,
        "key_id": key_id(key),
        "note": checkpoint.note,
        "signature": checkpoint.signature.hex(),
    }
    writer.execute(insert(CHECKPOINTS).values(values))


def append_to_file(folder: Path, checkpoint: Checkpoint) -> None:
    """One JSON line more in checkpoints.jsonl (flushed to disk), and checkpoint.txt replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    line = json.dumps(checkpoint.to_json(), ensure_ascii=False) + "\n"
    with (folder / CHECKPOINT_LOG).open("a", encoding="utf-8") as file:
        file.write(line)
        file.flush()
        os.fsync(file.fileno())
    signature_line = f"— {origin_line(checkpoint)} {base64.b64encode(checkpoint.signature).decode()}\n"
    temporary = folder / (LATEST + ".tmp")
    temporary.write_text(checkpoint.note + "\n" + signature_line, encoding="utf-8")
    temporary.replace(folder / LATEST)


def origin_line(checkpoint: Checkpoint) -> str:
    return checkpoint.lines[0]


def file_checkpoints(folder: Path) -> list[Checkpoint]:
    path = folder / CHECKPOINT_LOG
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Checkpoint.from_json(json.loads(line)) for line in lines if line.strip()]
