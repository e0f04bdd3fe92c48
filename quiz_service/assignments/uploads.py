"""Uploaded files: checked by their content (never by their name), their size and number, then
stored outside the web root under a server-made name (T30).

What the bytes are is decided by `filetype` (magic numbers; for office files, the parts inside
the zip), not by the name or the browser's Content-Type. An office file is a zip: its
directory is read (nothing is unpacked) and refused when it would unpack to more than
`MAX_UNPACKED` bytes, more than `MAX_MEMBERS` parts, or more than `MAX_RATIO` times its size
(a zip bomb). A plain archive (zip, rar, 7z, gz, tar) is refused as such. An image is refused
when its header names more than `MAX_PIXELS` pixels (40,000 x 40,000 PNG). Text must be UTF-8
without NUL. A polyglot (a JPEG that is also HTML) is stored as what its magic number says and
served as an attachment with `nosniff`, so no browser runs it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype
from PIL import Image

from quiz_service.core.domain import Invalid

# Our kinds (assignments' `files.types`) -> the media type `filetype` finds for them.
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "jpg": "image/jpeg",
    "png": "image/png",
    "txt": "text/plain",
}
KIND_OF = {media_type: kind for kind, media_type in MEDIA_TYPES.items()}
ZIPPED = frozenset({"docx", "xlsx", "pptx", "odt"})
ARCHIVES = frozenset({"zip", "rar", "7z", "gz", "bz2", "xz", "tar", "zst", "lz", "cab", "ar", "Z"})
MAX_UNPACKED = 200 * 1024 * 1024
MAX_MEMBERS = 5_000
MAX_RATIO = 100
MAX_PIXELS = 50_000_000  # 50 megapixels: any photo of a plan, never a decompression bomb
NAME_LIMIT = 120
ALIASES = {"jpg": {"jpg", "jpeg"}}
UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]+")


class FileTooLarge(Invalid):
    """Larger than the assignment allows (the API answers 413)."""


@dataclass(frozen=True)
class CheckedFile:
    name: str  # cleaned, for display and the download's name
    kind: str
    media_type: str
    size: int
    sha256: str


def clean_name(raw: str, kind: str) -> str:
    """The last part of whatever path the browser sent, without control or reserved characters,
    ending in the extension of what the content is."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = UNSAFE_NAME.sub("_", name).strip().lstrip(".").strip()
    stem, dot, extension = name.rpartition(".")
    if not dot or extension.lower() not in ALIASES.get(kind, {kind}):
        stem = name
    stem = stem[: NAME_LIMIT - len(kind) - 1].rstrip(" .") or "file"
    return f"{stem}.{kind}"


def check_file(data: bytes, raw_name: str, allowed: list[str], max_bytes: int) -> CheckedFile:
    """The file if it is one of `allowed` kinds by its content and within the size, else Invalid."""
    if not data:
        raise Invalid("file_empty", "The file is empty.")
    if len(data) > max_bytes:
        raise FileTooLarge("file_too_large", f"The file is larger than {max_bytes / 1048576:g} MB.")
    kind = kind_of(data)
    if kind not in allowed:
        shown = kind or "unknown"
        raise Invalid("file_type", f"The file's content is {shown}; allowed: {', '.join(allowed)}.")
    if kind in ZIPPED:
        check_zip(data)
    if kind in ("jpg", "png"):
        check_image(data)
    return CheckedFile(
        name=clean_name(raw_name, kind),
        kind=kind,
        media_type=MEDIA_TYPES[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def kind_of(data: bytes) -> str | None:
    """Our kind of the content: by magic number; text when it is UTF-8 and no magic matched."""
    found = filetype.guess(data)
    if found is not None:
        if found.extension in ARCHIVES:
            raise Invalid("file_archive", "Archives are not accepted: upload the files themselves.")
        return KIND_OF.get(found.mime)
    if data.startswith(b"PK\x03\x04"):
        raise Invalid("file_archive", "Archives are not accepted: upload the files themselves.")
    return "txt" if is_text(data) else None


def is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def check_zip(data: bytes) -> None:
    """An office file's zip directory: refused if it would unpack too far (nothing is unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise Invalid("file_broken", "The file is damaged: it cannot be read.") from None
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED or unpacked > MAX_RATIO * max(len(data), 1):
        raise Invalid("file_bomb", "The file would unpack to far more than its size: it is refused.")


def check_image(data: bytes) -> None:
    """Only the header is read: a 40,000 x 40,000 image is refused before any pixel is decoded."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Image.DecompressionBombError:
        raise Invalid("file_pixels", "The image has far too many pixels.") from None
    except (OSError, ValueError):
        raise Invalid("file_broken", "The image is damaged: it cannot be read.") from None
    if width * height > MAX_PIXELS:
        raise Invalid("file_pixels", f"The image has {width} x {height} pixels: too many.")


def new_stored_name() -> str:
    return secrets.token_hex(16)


def stored_path(folder: Path, stored: str) -> Path:
    """Where a stored name lives: the name is ours (hex), never the user's."""
    if not re.fullmatch(r"[0-9a-f]{32}", stored):
        raise ValueError("not a stored name")
    return folder / stored[:2] / stored


def store(folder: Path, data: bytes) -> str:
    """Write the bytes under a new server-made name (fsynced, then renamed into place)."""
    stored = new_stored_name()
    target = stored_path(folder, stored)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    with partial.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)
    return stored


def remove(folder: Path, stored: str) -> None:
    stored_path(folder, stored).unlink(missing_ok=True)
