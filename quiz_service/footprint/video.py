"""The xAPI video profile (https://w3id.org/xapi/video): its extensions checked, played segments merged.

Played segments are `start[.]end` pairs joined by `[,]` (`0[.]5[,]12[.]22`), in seconds. The
progress a statement reports is the merged length of its segments over the video's length
(the profile's ratio), never the position of the slider: a student who seeks to the end has
not watched the video.
"""

from __future__ import annotations

import re
from typing import Any

from quiz_service.footprint.xapi import StatementInvalid, boolean, join, language_tag, number, string

PROFILE = "https://w3id.org/xapi/video"
VIDEO_TYPE = f"{PROFILE}/activity-type/video"
EXT = f"{PROFILE}/extensions/"
ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    f"{ADL}initialized": "initialized",
    f"{PROFILE}/verbs/played": "played",
    f"{PROFILE}/verbs/paused": "paused",
    f"{PROFILE}/verbs/seeked": "seeked",
    f"{ADL}interacted": "interacted",
    f"{ADL}completed": "completed",
    f"{ADL}terminated": "terminated",
}
VIDEO_ONLY_VERBS = {f"{PROFILE}/verbs/played", f"{PROFILE}/verbs/paused", f"{PROFILE}/verbs/seeked"}
# What each verb's statement must carry (result extensions; context extensions besides session-id).
REQUIRED_RESULT = {
    "played": ("time",),
    "paused": ("time", "progress", "played-segments"),
    "seeked": ("time-from", "time-to"),
    "completed": ("time", "progress", "played-segments"),
    "terminated": ("time", "progress", "played-segments"),
}
REQUIRED_CONTEXT = {"initialized": ("length",), "completed": ("length",), "paused": ("length",),
                    "terminated": ("length",)}  # fmt: skip
SEGMENT = re.compile(r"^\d+(?:\.\d+)?\[\.\]\d+(?:\.\d+)?$")
SPEED = re.compile(r"^\d+(?:\.\d+)?x$")
PROGRESS_TOLERANCE = 0.01  # rounding of the client (the profile rounds to 3 places)

Json = Any


def is_video_statement(statement: dict[str, Json]) -> bool:
    target = statement["object"]
    kind = (
        target.get("definition", {}).get("type")
        if target.get("objectType", "Activity") == "Activity"
        else None
    )
    categories = statement.get("context", {}).get("contextActivities", {}).get("category", [])
    in_profile = any(item.get("id") == PROFILE for item in categories)
    return kind == VIDEO_TYPE or in_profile or statement["verb"]["id"] in VIDEO_ONLY_VERBS


def check_video(statement: dict[str, Json], path: str = "") -> None:
    """The profile's rules for a video statement; nothing for any other."""
    if not is_video_statement(statement):
        return
    verb = VERBS.get(statement["verb"]["id"])
    if verb is None:
        raise StatementInvalid(
            join(join(path, "verb"), "id"),
            f"is not a verb of the video profile ({', '.join(VERBS.values())})",
        )
    target = statement["object"]
    if target.get("definition", {}).get("type") != VIDEO_TYPE:
        raise StatementInvalid(join(path, "object.definition.type"), f"must be {VIDEO_TYPE}")
    categories = statement.get("context", {}).get("contextActivities", {}).get("category", [])
    if not any(item.get("id") == PROFILE for item in categories):
        raise StatementInvalid(
            join(path, "context.contextActivities.category"), f"must include the profile {PROFILE}"
        )
    context_extensions = statement["context"].get("extensions", {})
    result_extensions = statement.get("result", {}).get("extensions", {})
    check_context_extensions(context_extensions, join(path, "context.extensions"), verb)
    check_result_extensions(result_extensions, join(path, "result.extensions"), verb, context_extensions)
    if verb == "completed":
        check_completed(statement, path)


def check_context_extensions(values: dict[str, Json], path: str, verb: str) -> None:
    for name in ("session-id", *REQUIRED_CONTEXT.get(verb, ())):
        if EXT + name not in values:
            raise StatementInvalid(join(path, EXT + name), "is required by the video profile")
    for key, value in values.items():
        if not key.startswith(EXT):
            continue
        where, name = join(path, key), key[len(EXT) :]
        if name in ("session-id", "quality", "screen-size", "video-playback-size", "track", "user-agent"):
            string(value, where, empty=False)
        elif name in ("length", "frame-rate"):
            if number(value, where) < 0:
                raise StatementInvalid(where, "must not be negative")
        elif name in ("completion-threshold", "volume"):
            ratio(value, where)
        elif name in ("cc-enabled", "full-screen"):
            boolean(value, where)
        elif name == "cc-subtitle-lang":
            language_tag(value, where)
        elif name == "speed":
            if not SPEED.match(string(value, where)):
                raise StatementInvalid(where, "must be a speed such as 1x or 1.5x")
        else:
            raise StatementInvalid(where, "is not an extension of the video profile")


def check_result_extensions(values: dict[str, Json], path: str, verb: str, context: dict[str, Json]) -> None:
    for name in REQUIRED_RESULT.get(verb, ()):
        if EXT + name not in values:
            raise StatementInvalid(
                join(path, EXT + name), f"is required in a {verb} statement of the video profile"
            )
    length = context.get(EXT + "length")
    for key, value in values.items():
        if not key.startswith(EXT):
            continue
        where, name = join(path, key), key[len(EXT) :]
        if name in ("time", "time-from", "time-to"):
            moment = number(value, where)
            if moment < 0 or (length is not None and moment > length + 0.5):
                raise StatementInvalid(where, "must be a time within the video")
        elif name == "progress":
            ratio(value, where)
        elif name == "played-segments":
            parse_segments(value, where)
        else:
            raise StatementInvalid(where, "is not an extension of the video profile")
    check_progress(values, path, length)


def check_progress(values: dict[str, Json], path: str, length: float | None) -> None:
    """Progress is the merged played segments over the length, as the profile computes it."""
    segments, progress = values.get(EXT + "played-segments"), values.get(EXT + "progress")
    if segments is None or progress is None or not length:
        return
    expected = min(1.0, played_length(merge_segments(parse_segments(segments, path))) / length)
    if abs(progress - expected) > PROGRESS_TOLERANCE:
        where = join(path, EXT + "progress")
        raise StatementInvalid(
            where, f"must be the merged played segments over the length ({expected:.3f}), not {progress}"
        )


def check_completed(statement: dict[str, Json], path: str) -> None:
    result = statement.get("result", {})
    if result.get("completion") is not True:
        raise StatementInvalid(join(path, "result.completion"), "must be true in a completed statement")
    if "duration" not in result:
        raise StatementInvalid(join(path, "result.duration"), "is required in a completed statement")


def ratio(value: Json, path: str) -> float:
    share = number(value, path)
    if not 0 <= share <= 1:
        raise StatementInvalid(path, "must be between 0 and 1")
    return share


Segment = tuple[float, float]


def parse_segments(value: Json, path: str) -> list[Segment]:
    text = string(value, path)
    segments = []
    for part in text.split("[,]") if text else []:
        if not SEGMENT.match(part):
            raise StatementInvalid(path, f"must be segments as 0[.]5[,]12[.]22, not {text[:60]!r}")
        start, end = (float(n) for n in part.split("[.]"))
        if end < start:
            raise StatementInvalid(path, f"a segment ends before it starts: {part}")
        segments.append((start, end))
    return segments


def merge_segments(segments: list[Segment]) -> list[Segment]:
    """Overlapping or touching segments as one; sorted."""
    merged: list[Segment] = []
    for start, end in sorted(segments):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def played_length(segments: list[Segment]) -> float:
    return sum(end - start for start, end in merge_segments(segments))


def format_segments(segments: list[Segment]) -> str:
    return "[,]".join(f"{start:g}[.]{end:g}" for start, end in segments)
