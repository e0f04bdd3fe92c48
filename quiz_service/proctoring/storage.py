"""Files of proctoring: outside the web root, under names the server makes, checked by content.

A photo or a snapshot must be a JPEG, PNG or WebP by its bytes (not by its name or the type the
client claims), within the pixel limit read from its header before any decoding, and is then
re-encoded as a JPEG: whatever was glued to it (an HTML or script "polyglot", EXIF with a
location) does not survive. A room scan must be a WebM or MP4 by its bytes.
"""

from __future__ import annotations

import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import filetype
from PIL import Image, UnidentifiedImageError

from quiz_service.core.domain import Invalid
from quiz_service.proctoring.models import MediaKind

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
CLIP_TYPES = frozenset({"video/webm", "video/mp4"})


@dataclass(frozen=True)
class Stored:
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None


def new_name(kind: MediaKind) -> str:
    """A name nobody can guess or choose: the kind, then 32 random hex digits."""
    return f"{kind.value}-{secrets.token_hex(16)}"


def media_path(root: Path, name: str) -> Path:
    return root / "media" / name[-2:] / name


def part_path(root: Path, token: str) -> Path:
    return root / "parts" / token


def append_chunk(root: Path, token: str, offset: int, data: bytes) -> None:
    path = part_path(root, token)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "r+b" if path.exists() else "wb") as file:
        file.seek(offset)
        file.write(data)
        file.truncate(offset + len(data))
        file.flush()
        os.fsync(file.fileno())


def finish_upload(root: Path, token: str, kind: MediaKind, max_pixels: int) -> Stored:
    """Check the assembled part by content, store it under a new name; the part is removed."""
    part = part_path(root, token)
    try:
        return store_whole(root, part.read_bytes(), kind, max_pixels)
    finally:
        part.unlink(missing_ok=True)


def store_whole(root: Path, data: bytes, kind: MediaKind, max_pixels: int) -> Stored:
    """Check an upload's bytes by content and store them under a new name. An upload sent in
    one chunk (every snapshot) comes here straight, with no part file written and synced."""
    if kind == MediaKind.ROOM_SCAN:
        content_type, width, height, body = _clip(data), None, None, data
    else:
        body, width, height = _image(data, max_pixels)
        content_type = "image/jpeg"
    name = new_name(kind)
    target = media_path(root, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    temporary.write_bytes(body)
    temporary.replace(target)
    return Stored(name, content_type, len(body), width, height)


def _clip(data: bytes) -> str:
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in CLIP_TYPES:
        raise Invalid("unsupported_media", "The room scan must be a WebM or MP4 video.")
    return str(kind.mime)


def _image(data: bytes, max_pixels: int) -> tuple[bytes, int, int]:
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in IMAGE_TYPES:
        raise Invalid("unsupported_media", "A photo must be a JPEG, PNG or WebP image.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size  # from the header: nothing decoded yet
            if width * height > max_pixels or max(width, height) > 8192:
                raise Invalid(
                    "too_many_pixels", f"The image is {width}x{height}; at most {max_pixels} pixels."
                )
            image.load()
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85)
    except Image.DecompressionBombError:
        raise Invalid("too_many_pixels", f"The image has more than {max_pixels} pixels.") from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise Invalid("unsupported_media", "The image cannot be read.") from None
    return out.getvalue(), width, height


def remove_media(root: Path, name: str) -> None:
    media_path(root, name).unlink(missing_ok=True)
