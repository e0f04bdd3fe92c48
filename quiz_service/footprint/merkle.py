"""A Merkle tree over the footprint's sequence, as RFC 6962 / RFC 9162 (Certificate Transparency).

leaf hash = SHA-256(0x00 || record bytes); node = SHA-256(0x01 || left || right). A tree of any
size is the CT tree: at every level pairs are hashed and a last node without a partner moves up
unchanged (the same root as RFC 9162's split at the largest power of two below the size).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(record: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + record).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


class Frontier:
    """The roots of the perfect subtrees of the leaves added so far (a compact range from 0):
    the tree's root at every size, in one pass and O(log n) memory. Adding leaf number n merges
    as many subtrees as n has trailing one bits."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []  # the subtrees' roots, largest first

    def add(self, leaf: bytes) -> None:
        position, node, stack = self.size, leaf, self._stack
        while position & 1:
            node = hashlib.sha256(NODE_PREFIX + stack.pop() + node).digest()
            position >>= 1
        stack.append(node)
        self.size += 1

    def subtrees(self) -> list[bytes]:
        """The roots of the perfect subtrees so far, largest first."""
        return list(self._stack)

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        root = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            root = node_hash(left, root)
        return root


def root_of(leaves: Iterable[bytes]) -> bytes:
    frontier = Frontier()
    for leaf in leaves:
        frontier.add(leaf)
    return frontier.root()


def levels_of(leaves: list[bytes]) -> list[list[bytes]]:
    """Every level of the tree, leaves first, root last (for inclusion proofs of many leaves)."""
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        levels.append(above)
    return levels


def inclusion_proof(levels: list[list[bytes]], index: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1: the sibling hashes from the leaf `index` up to the root."""
    proof = []
    for level in levels[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            proof.append(level[sibling])
        index >>= 1
    return proof


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: whether `proof` shows the leaf at `index` in the tree of `size` with `root`."""
    if index >= size:
        return False
    fn, sn, node = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            node = node_hash(node, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and node == root
