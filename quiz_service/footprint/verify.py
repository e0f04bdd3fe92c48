"""`oqu footprint verify`: the whole log against every signed checkpoint.

Each record is read as stored and checked in order: its number follows the previous one
(else a record is missing), its bytes say its own number (else records were reordered), its
bytes hash to its stored leaf hash (else it was altered). At each checkpoint's size the root
of the records so far must be the signed root (else records were rewritten with their hashes
recomputed), and no checkpoint may count more records than the log has (else the newest were
cut off: truncated). A checkpoint whose signature fails the site's public key was forged.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from quiz_service.footprint.checkpoints import Checkpoint, is_signed_by
from quiz_service.footprint.merkle import LEAF_PREFIX, Frontier
from quiz_service.footprint.store import Row

SEQ_PREFIX = re.compile(rb'^\{"seq":(\d+),')


@dataclass(frozen=True)
class Problem:
    kind: str  # altered, missing, reordered, rewritten, truncated, forged
    seq: int | None
    message: str


@dataclass
class Report:
    records: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_log(
    rows: Iterable[Row], checkpoints: list[Checkpoint], key: Ed25519PublicKey, head: int | None = None
) -> Report:
    """Every record in order against every checkpoint; `head` is the number of records the log's
    head row counts (what was appended since the latest checkpoint: cut off, it is still missed)."""
    report = Report()
    signed = unique_signed(checkpoints, key, report)
    by_size: dict[int, list[Checkpoint]] = {}
    for checkpoint in signed:
        by_size.setdefault(checkpoint.tree_size, []).append(checkpoint)
    frontier, matched_size = Frontier(), 0
    sha256 = hashlib.sha256
    for expected, (seq, record, stored_hash) in enumerate(rows):  # the hot loop: a million records in seconds
        if seq != expected or not record.startswith(b'{"seq":%d,' % seq):
            report.problems.append(row_problem(seq, record, expected))
            break
        leaf = sha256(LEAF_PREFIX + record).digest()
        if leaf.hex() != stored_hash:
            report.problems.append(
                Problem("altered", seq, f"record {seq} was altered (its bytes do not match its hash)")
            )
            break
        frontier.add(leaf)
        if frontier.size in by_size:
            problem = check_roots(frontier, by_size[frontier.size], matched_size)
            if problem is not None:
                report.problems.append(problem)
                break
            matched_size = frontier.size
    report.records = frontier.size
    if not report.problems:
        check_truncation(frontier.size, signed, report)
    if not report.problems and head is not None and head > frontier.size:
        message = (f"record {frontier.size} and later are missing: the log has {frontier.size} records, "
                   f"its head counts {head} (truncated after the latest checkpoint)")  # fmt: skip
        report.problems.append(Problem("truncated", frontier.size, message))
    return report


def unique_signed(checkpoints: list[Checkpoint], key: Ed25519PublicKey, report: Report) -> list[Checkpoint]:
    """The checkpoints (file and database, each once) whose signature holds; a forged one is a problem."""
    seen: dict[tuple[str, bytes], Checkpoint] = {}
    for checkpoint in checkpoints:
        seen.setdefault((checkpoint.note, checkpoint.signature), checkpoint)
    signed = []
    for checkpoint in seen.values():
        if is_signed_by(checkpoint, key):
            signed.append(checkpoint)
        else:
            message = f"{checkpoint.describe()}: its signature does not match the site's public key (forged or rewritten)"
            report.problems.append(Problem("forged", None, message))
    report.checkpoints = len(signed)
    return signed


def row_problem(seq: int, record: bytes, expected: int) -> Problem:
    """What is wrong with a record out of its place (the slow path: once, to name it)."""
    if seq != expected:
        return Problem("missing", expected, f"record {expected} is missing (the next one is {seq})")
    said = SEQ_PREFIX.match(record)
    if said is None:
        return Problem("altered", expected, f"record {expected} was altered (it is not a footprint record)")
    return Problem("reordered", expected,
                   f"record {expected} holds record {int(said[1])}: records were reordered or renumbered")  # fmt: skip


def check_roots(frontier: Frontier, checkpoints: list[Checkpoint], matched_size: int) -> Problem | None:
    root = frontier.root()
    for checkpoint in checkpoints:
        if checkpoint.root != root:
            first, last = matched_size, frontier.size - 1
            message = (f"records {first}–{last} do not match {checkpoint.describe()}: a record among them "
                       "was rewritten with its hashes recomputed")  # fmt: skip
            return Problem("rewritten", first, message)
    return None


def check_truncation(size: int, checkpoints: list[Checkpoint], report: Report) -> None:
    longest = max(checkpoints, key=lambda checkpoint: checkpoint.tree_size, default=None)
    if longest is not None and longest.tree_size > size:
        message = (f"record {size} and later are missing: the log has {size} records, "
                   f"{longest.describe()} counts {longest.tree_size} (truncated)")  # fmt: skip
        report.problems.append(Problem("truncated", size, message))
