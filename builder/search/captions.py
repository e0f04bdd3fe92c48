"""Caption cues for the search index, read from the WebVTT or SRT files beside a lesson's video.

A caption file is named `<video-stem>.<lang>.vtt` (or `.srt`) next to the video. Only what
search needs is read: each cue's start second and its text, tags removed. A file that cannot be
read as captions gives no cues rather than failing the build (the media step reports it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CAPTION_SUFFIXES = (".vtt", ".srt")
_TIMING_RE = re.compile(
    r"^\s*(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})\s*-->\s*(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
)
_TAG_RE = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Cue:
    start: float
    text: str


def caption_files(video: Path) -> dict[str, Path]:
    """Language -> caption file beside `video` (WebVTT preferred over SRT for one language)."""
    found: dict[str, Path] = {}
    if not video.parent.is_dir():
        return found
    for suffix in reversed(CAPTION_SUFFIXES):
        for path in sorted(video.parent.glob(f"{video.stem}.*{suffix}")):
            lang = path.name[len(video.stem) + 1 : -len(suffix)]
            if re.fullmatch(r"[a-z]{2}", lang):
                found[lang] = path
    return found


def read_cues(path: Path) -> list[Cue]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    return parse_cues(text)


def parse_cues(text: str) -> list[Cue]:
    """Cues of a WebVTT or SRT document, in order; NOTE/STYLE blocks and cue settings ignored."""
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = block.strip("\n").split("\n")
        timing = next((i for i, line in enumerate(lines) if _TIMING_RE.match(line)), None)
        if timing is None:
            continue
        match = _TIMING_RE.match(lines[timing])
        assert match is not None
        hours, minutes, seconds, millis = match.group(1, 2, 3, 4)
        start = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis.ljust(3, "0")) / 1000
        body = " ".join(_TAG_RE.sub("", line).strip() for line in lines[timing + 1 :])
        if body.strip():
            cues.append(Cue(start, " ".join(body.split())))
    return cues
