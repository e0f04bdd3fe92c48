"""Statements for the footprint's tests: a valid one of each kind, Kazakh text in them."""

from __future__ import annotations

import uuid
from typing import Any

SITE = "https://oqu.academy.example.kz/"
LESSON = f"{SITE}kk/courses/fire-safety/01-basics/01-intro/"
VIDEO = "https://w3id.org/xapi/video"
EXT = f"{VIDEO}/extensions/"


def statement(**changes: Any) -> dict[str, Any]:
    """A lesson read ("experienced"), with a fresh id, without actor (the service sets it)."""
    value: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/experienced",
            "display": {"kk": "оқыды", "en": "experienced"},
        },
        "object": {
            "objectType": "Activity",
            "id": LESSON,
            "definition": {"name": {"kk": "Кіріспе"}, "type": "http://adlnet.gov/expapi/activities/lesson"},
        },
        "result": {"completion": True, "duration": "PT4M12S"},
        "timestamp": "2026-12-07T09:30:00+05:00",
    }
    value.update(changes)
    return value


def video_statement(verb: str = "paused", **result_extensions: Any) -> dict[str, Any]:
    verbs = {"played": f"{VIDEO}/verbs/played", "paused": f"{VIDEO}/verbs/paused",
             "seeked": f"{VIDEO}/verbs/seeked", "completed": "http://adlnet.gov/expapi/verbs/completed"}  # fmt: skip
    extensions = {EXT + "time": 30.0, EXT + "progress": 0.25, EXT + "played-segments": "0[.]20[,]10[.]30"}
    extensions.update({EXT + key.replace("_", "-"): value for key, value in result_extensions.items()})
    return {
        "id": str(uuid.uuid4()),
        "verb": {"id": verbs[verb]},
        "object": {
            "id": f"{SITE}kk/courses/fire-safety/01-basics/02-lecture/#video",
            "definition": {"type": f"{VIDEO}/activity-type/video", "name": {"kk": "Дәріс"}},
        },
        "result": {"extensions": extensions},
        "context": {
            "contextActivities": {"category": [{"id": VIDEO}]},
            "extensions": {EXT + "session-id": "a1b2", EXT + "length": 120},
        },
        "timestamp": "2026-12-07T09:31:00Z",
    }
