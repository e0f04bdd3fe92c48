"""Captions and chapters as WebVTT: SRT is converted, VTT is checked, chapters come from front matter."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from builder.schema import Chapter

_SRT_TIME = r"(\d{1,2}):(\d{2}):(\d{2})[,.](\d{3})"
_VTT_TIME = r"(?:(\d{1,2}):)?(\d{2}):(\d{2})\.(\d{3})"
_SRT_TIMING_RE = re.compile(rf"^{_SRT_TIME}\s+-->\s+{_SRT_TIME}(?:\s+.*)?$")
_VTT_TIMING_RE = re.compile(rf"^{_VTT_TIME}\s+-->\s+{_VTT_TIME}(?:\s+.*)?$")
_ALLOWED_TAG_RE = re.compile(r"</?(?:i|b|u)>")
_SSA_TAG_RE = re.compile(r"\{\\[^}]*\}")


class CaptionError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def read_captions(text: str, suffix: str) -> list[Cue]:
    """Cues of an `.srt` or `.vtt` file; CaptionError names the line of the first problem."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if suffix == ".vtt":
        if not lines[0].startswith("WEBVTT"):
            raise CaptionError(1, "a WebVTT file must start with 'WEBVTT'")
        return _cues(lines, _VTT_TIMING_RE, start=1)
    return _cues(lines, _SRT_TIMING_RE, start=0)


def _cues(lines: list[str], timing: re.Pattern[str], start: int) -> list[Cue]:
    cues: list[Cue] = []
    index = start
    while index < len(lines):
        block_start = index
        while index < len(lines) and lines[index].strip():
            index += 1
        block = lines[block_start:index]
        index += 1
        if not block or block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        cues.append(_cue(block, block_start + 1, timing))
    if not cues:
        raise CaptionError(1, "no captions found (expected '00:00:01,000 --> 00:00:04,000' cues)")
    return cues


def _cue(block: list[str], line: int, timing: re.Pattern[str]) -> Cue:
    looks_like_timing = "-->" in block[0] or re.match(r"^\d+:\d", block[0])
    at = 0 if looks_like_timing or len(block) == 1 else 1  # else the first line is the cue's number or id
    match = timing.match(block[at].strip())
    if match is None:
        raise CaptionError(
            line + at, f"bad cue timing '{block[at].strip()}' (expected 00:00:01,000 --> 00:00:04,000)"
        )
    numbers = [int(part or 0) for part in match.groups()]
    begin, end = _seconds(numbers[:4]), _seconds(numbers[4:])
    if end <= begin:
        raise CaptionError(line + at, "a caption must end after it starts")
    text = "\n".join(block[at + 1 :]).strip()
    return Cue(begin, end, text)


def _seconds(parts: list[int]) -> float:
    hours, minutes, seconds, millis = parts
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def cue_text(text: str) -> str:
    """Caption text safe in WebVTT: <i>, <b>, <u> kept, every other '<' and '&' escaped."""
    text = _SSA_TAG_RE.sub("", text).replace("&", "&amp;")
    kept = _ALLOWED_TAG_RE.findall(text)
    parts = _ALLOWED_TAG_RE.split(text)
    escaped = [part.replace("<", "&lt;").replace(">", "&gt;").replace("-->", "--&gt;") for part in parts]
    return "".join(piece for pair in zip(escaped, [*kept, ""], strict=True) for piece in pair)


def to_webvtt(cues: Sequence[Cue]) -> str:
    blocks = [f"{timestamp(c.start)} --> {timestamp(c.end)}\n{cue_text(c.text)}" for c in cues]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def chapter_problems(chapters: Sequence[Chapter], duration: float) -> list[str]:
    problems = []
    previous = -1
    for chapter in chapters:
        if chapter.seconds <= previous:
            problems.append(
                f"chapter '{chapter.title}' at {chapter.start} must start after the one before it"
            )
        if duration and chapter.seconds >= duration:
            problems.append(f"chapter '{chapter.title}' at {chapter.start} starts after the video ends")
        previous = chapter.seconds
    return problems


def chapters_webvtt(chapters: Sequence[Chapter], duration: float) -> str:
    ends = [c.seconds for c in chapters[1:]] + [max(duration, chapters[-1].seconds + 1)]
    return to_webvtt([Cue(c.seconds, end, c.title) for c, end in zip(chapters, ends, strict=True)])


def thumbnails_webvtt(image: str, every: float, count: int, width: int, height: int, duration: float) -> str:
    """A metadata track pointing each stretch of the video at its frame in the thumbnail strip."""
    blocks = []
    for index in range(count):
        start, end = index * every, min((index + 1) * every, duration)
        if start >= duration:
            break
        blocks.append(
            f"{timestamp(start)} --> {timestamp(end)}\n{image}#xywh={index * width},0,{width},{height}"
        )
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"
