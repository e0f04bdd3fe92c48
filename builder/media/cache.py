"""The content-addressed media cache under `build/media/`: one file per (source hash, settings)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Bump when an output's recipe changes in a way the settings do not show.
RECIPE_VERSION = "1"


class MediaCache:
    """`root/ab/abcdef…-name.ext`; written to `root/.tmp/` first and renamed, so never half-written."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / ".tmp"
        self._index_path = root / "sources.json"
        self._index: dict[str, str] | None = None
        self._lock = threading.Lock()
        self.used_digests: set[str] = set()

    def key(self, source_digest: str, recipe: dict[str, Any]) -> str:
        text = json.dumps({"source": source_digest, "recipe": recipe, "v": RECIPE_VERSION}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def path(self, key: str, name: str) -> Path:
        return self.root / key[:2] / f"{key}-{name}"

    @contextlib.contextmanager
    def writing(self, target: Path) -> Iterator[Path]:
        """A scratch path to write; renamed onto `target` only if the block finishes."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        scratch = self.tmp / f"{os.getpid()}-{threading.get_ident()}-{target.name}"
        try:
            yield scratch
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(scratch, target)
        finally:
            scratch.unlink(missing_ok=True)

    def write_text(self, target: Path, text: str) -> None:
        if target.is_file():
            return
        with self.writing(target) as scratch:
            scratch.write_text(text, encoding="utf-8")

    def source_digest(self, path: Path) -> str:
        """sha256 of a source file, remembered by (path, size, mtime) so a big video is read once."""
        stat = path.stat()
        stamp = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
        index = self._load_index()
        with self._lock:
            if stamp in index:
                self.used_digests.add(index[stamp])
                return index[stamp]
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        with self._lock:
            index[stamp] = digest.hexdigest()
            self.used_digests.add(digest.hexdigest())
        return digest.hexdigest()

    def _load_index(self) -> dict[str, str]:
        if self._index is None:
            try:
                self._index = json.loads(self._index_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._index = {}
        return self._index

    def save_index(self) -> None:
        used = self.used_digests
        index = {stamp: digest for stamp, digest in self._load_index().items() if digest in used}
        if not index and not self.root.exists():
            return  # a site without media gets no build/media/
        self.root.mkdir(parents=True, exist_ok=True)
        scratch = self._index_path.with_suffix(f".{os.getpid()}.tmp")
        scratch.write_text(json.dumps(index, indent=0, sort_keys=True), encoding="utf-8")
        os.replace(scratch, self._index_path)

    def prune(self, keep: set[Path]) -> None:
        """Forget outputs this build did not use, and scratch files of interrupted builds."""
        if self.tmp.is_dir():
            for scratch in self.tmp.iterdir():
                scratch.unlink(missing_ok=True)
        for path in self.root.glob("??/*"):
            if path not in keep:
                path.unlink(missing_ok=True)
