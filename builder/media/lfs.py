"""Git LFS pointers: a media file that was committed to LFS but never pulled is a tiny text file."""

from __future__ import annotations

from pathlib import Path

LFS_SIGNATURE = b"version https://git-lfs.github.com/spec/"
_MAX_POINTER_SIZE = 1024  # git-lfs pointers are about 130 bytes; the spec caps them at 1024


def is_lfs_pointer(path: Path) -> bool:
    try:
        if path.stat().st_size > _MAX_POINTER_SIZE:
            return False
        with path.open("rb") as handle:
            return handle.read(len(LFS_SIGNATURE)) == LFS_SIGNATURE
    except OSError:
        return False


LFS_MESSAGE = "is a Git LFS pointer; run git lfs pull"
