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
import multiprocessing
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from quiz_service.footprint import store
from quiz_service.footprint.checkpoints import Checkpoint, is_signed_by
from quiz_service.footprint.merkle import EMPTY_ROOT, LEAF_PREFIX, NODE_PREFIX, Frontier, node_hash
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


CHUNK = 1 << 16  # records a worker checks at a time: a power of two, so each chunk is a subtree


@dataclass
class Chunk:
    """What one run of records (from `start`, a multiple of its size) showed: how many were good,
    the first problem, and the roots of its perfect subtrees at the end and at each checkpoint's size."""

    start: int
    count: int
    problem: Problem | None
    stack: list[bytes]
    stacks: dict[int, list[bytes]]


def check_rows(rows: Iterable[Row], start: int, sizes: frozenset[int]) -> Chunk:
    """The hot loop: each record in order, its number, its leaf hash, folded into subtrees."""
    sha256, position = hashlib.sha256, 0
    stack: list[bytes] = []
    stacks: dict[int, list[bytes]] = {}
    problem = None
    for seq, record, stored_hash in rows:
        expected = start + position
        if seq != expected or not record.startswith(b'{"seq":%d,' % seq):
            problem = row_problem(seq, record, expected)
            break
        node = sha256(LEAF_PREFIX + record).digest()
        if node.hex() != stored_hash:
            problem = Problem("altered", seq, f"record {seq} was altered (its bytes do not match its hash)")
            break
        merged = position
        while merged & 1:
            node = sha256(NODE_PREFIX + stack.pop() + node).digest()
            merged >>= 1
        stack.append(node)
        position += 1
        if start + position in sizes:
            stacks[start + position] = stack[:]
    return Chunk(start, position, problem, stack, stacks)


def verify_log(
    rows: Iterable[Row], checkpoints: list[Checkpoint], key: Ed25519PublicKey, head: int | None = None
) -> Report:
    """Every record in order against every checkpoint, in this process; `head` is the number of
    records the log's head row counts (what was appended since the latest checkpoint: cut off, it
    is still missed)."""
    return verify_chunks(lambda sizes: [check_rows(rows, 0, sizes)], None, checkpoints, key, head)


def verify_sqlite(
    path: str,
    checkpoints: list[Checkpoint],
    key: Ed25519PublicKey,
    head: int | None,
    workers: int,
    chunk: int | None = None,
) -> Report:
    """`verify_log` of a SQLite log, its chunks checked by `workers` processes side by side
    (each reads its own range of the rowid), folded here in order: the same report."""

    chunk = chunk or CHUNK

    def chunks(sizes: frozenset[int]) -> Iterator[Chunk]:
        with closing(store.read_only(path)) as connection:
            first, last = connection.execute("SELECT min(seq), max(seq) FROM footprint_statements").fetchone()
        if first != 0 or workers < 2 or last < chunk:  # small, or wrong from its first record
            yield check_rows(store.sqlite_rows(path), 0, sizes)
            return
        starts = range(0, last + 1, chunk)
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        try:
            yield from pool.map(
                check_sqlite_chunk, [path] * len(starts), starts, [chunk] * len(starts), [sizes] * len(starts)
            )
        finally:
            pool.shutdown(cancel_futures=True)  # a problem found: the chunks after it are not needed

    return verify_chunks(chunks, chunk, checkpoints, key, head)


def check_sqlite_chunk(path: str, start: int, size: int, sizes: frozenset[int]) -> Chunk:
    """A worker's part: `size` records from `start` on (a gap at its end shows as the next
    chunk's first record in its place)."""
    return check_rows(store.sqlite_rows(path, start, size), start, sizes)


def verify_chunks(
    chunks_for: Callable[[frozenset[int]], Iterable[Chunk]],
    chunk_size: int | None,
    checkpoints: list[Checkpoint],
    key: Ed25519PublicKey,
    head: int | None,
) -> Report:
    """The chunks in order: checkpoints' roots from the subtrees of the chunks before and the
    chunk's own at that size; the first problem, in record order, is the one named."""
    report = Report()
    signed = unique_signed(checkpoints, key, report)
    by_size: dict[int, list[Checkpoint]] = {}
    for checkpoint in signed:
        by_size.setdefault(checkpoint.tree_size, []).append(checkpoint)
    above, matched_size, records = Frontier(), 0, 0  # `above`: the full chunks' roots
    for chunk in chunks_for(frozenset(by_size)):
        records = chunk.start + chunk.count
        for size in sorted(chunk.stacks):
            problem = check_roots(
                fold(above.subtrees() + chunk.stacks[size]), size, by_size[size], matched_size
            )
            if problem is not None:
                break
            matched_size = size
        else:
            problem = chunk.problem
        if problem is not None:
            report.problems.append(problem)
            break
        if chunk_size is None or chunk.count < chunk_size:
            break
        above.add(chunk.stack[0])
    report.records = records
    if not report.problems:
        check_truncation(records, signed, report)
    if not report.problems and head is not None and head > records:
        message = (f"record {records} and later are missing: the log has {records} records, "
                   f"its head counts {head} (truncated after the latest checkpoint)")  # fmt: skip
        report.problems.append(Problem("truncated", records, message))
    return report


def fold(stack: list[bytes]) -> bytes:
    """The root of a tree from the roots of its perfect subtrees, largest first."""
    if not stack:
        return EMPTY_ROOT
    root = stack[-1]
    for left in reversed(stack[:-1]):
        root = node_hash(left, root)
    return root


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


def check_roots(root: bytes, size: int, checkpoints: list[Checkpoint], matched_size: int) -> Problem | None:
    for checkpoint in checkpoints:
        if checkpoint.root != root:
            first, last = matched_size, size - 1
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
