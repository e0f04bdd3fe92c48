"""xAPI 1.0.3 statements validated fully (Data, section 2): what a record store must refuse.

`check_statement(value, path)` raises `StatementInvalid` naming the first bad field by its
path (`result.score.raw`, `[2].context.contextActivities.parent[0].id`). Unknown properties,
nulls and empty objects outside extensions are refused, as the specification says; a
statement of the video profile is checked further by `video.check_video`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from quiz_service.core.domain import Invalid

Json = Any


class StatementInvalid(Invalid):
    def __init__(self, path: str, problem: str) -> None:
        super().__init__("invalid_statement", f"{path or 'statement'}: {problem}")
        self.path = path


IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]+$")
IRL = re.compile(r"^https?://[^\s<>\"{}|\\^`\x00-\x1f\x7f/]+[^\s<>\"{}|\\^`\x00-\x1f\x7f]*$")
UUID = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
)
MAILTO = re.compile(r"^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$")
SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
LANGUAGE_TAG = re.compile(
    r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-x(?:-[A-Za-z0-9]{1,8})+)?$|^x(?:-[A-Za-z0-9]{1,8})+$"
)
_N = r"\d+(?:[.,]\d+)?"
DURATION = re.compile(
    rf"^P(?:(?=\d)(?:{_N}Y)?(?:{_N}M)?(?:{_N}D)?)?(?:T(?=\d)(?:{_N}H)?(?:{_N}M)?(?:{_N}S)?)?$|^P{_N}W$"
)
TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})$"
)
VERSION = re.compile(r"^1\.0(?:\.\d+)?$")
INTERACTION_TYPES = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")


# -- the pieces ---------------------------------------------------------------------------


def fields(
    value: Json, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
) -> dict[str, Json]:
    """An object with only `allowed` keys, `required` present, no null and not empty."""
    if not isinstance(value, dict):
        raise StatementInvalid(path, "must be a JSON object")
    if not value:
        raise StatementInvalid(path, "must not be an empty object")
    for key, item in value.items():
        if key not in allowed:
            raise StatementInvalid(join(path, key), f"is not a property here (allowed: {', '.join(allowed)})")
        if item is None:
            raise StatementInvalid(join(path, key), "must not be null")
    for key in required:
        if key not in value:
            raise StatementInvalid(join(path, key), "is required")
    return value


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def string(value: Json, path: str, *, empty: bool = True) -> str:
    if not isinstance(value, str):
        raise StatementInvalid(path, "must be a string")
    if not empty and not value:
        raise StatementInvalid(path, "must not be empty")
    return value


def matching(pattern: re.Pattern[str], what: str) -> Callable[[Json, str], str]:
    def check(value: Json, path: str) -> str:
        text = string(value, path)
        if not pattern.match(text):
            raise StatementInvalid(path, f"must be {what}, not {text[:80]!r}")
        return text

    return check


iri = matching(IRI, "an absolute IRI")
irl = matching(IRL, "an http(s) IRL")
uuid = matching(UUID, "a UUID (RFC 4122)")
language_tag = matching(LANGUAGE_TAG, "a language tag (RFC 5646)")
duration = matching(DURATION, "an ISO 8601 duration (PT1M30S)")


def number(value: Json, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StatementInvalid(path, "must be a number")
    return float(value)


def boolean(value: Json, path: str) -> bool:
    if not isinstance(value, bool):
        raise StatementInvalid(path, "must be true or false")
    return value


def timestamp(value: Json, path: str) -> datetime:
    """ISO 8601 with its time zone (xAPI: SHOULD have one; here a must), never the -00:00 offset."""
    text = string(value, path)
    match = TIMESTAMP.match(text)
    if not match:
        raise StatementInvalid(
            path, f"must be an ISO 8601 time with its zone (2026-12-07T09:30:00Z), not {text[:40]!r}"
        )
    if match[8] == "-00:00":
        raise StatementInvalid(path, "the offset -00:00 is not allowed")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise StatementInvalid(path, f"is not a real time: {text[:40]!r}") from None


def language_map(value: Json, path: str) -> Mapping[str, str]:
    if not isinstance(value, dict) or not value:
        raise StatementInvalid(path, 'must be a language map ({"kk": "…"}) with at least one entry')
    for tag, text in value.items():
        language_tag(tag, join(path, tag))
        string(text, join(path, tag))
    return value


def extensions(value: Json, path: str) -> Mapping[str, Json]:
    if not isinstance(value, dict):
        raise StatementInvalid(path, "must be a JSON object with IRI keys")
    for key in value:
        if not IRI.match(key):
            raise StatementInvalid(join(path, key), "an extension's key must be an absolute IRI")
    return value


def array(value: Json, path: str, *, empty: bool = False) -> list[Json]:
    if not isinstance(value, list):
        raise StatementInvalid(path, "must be an array")
    if not empty and not value:
        raise StatementInvalid(path, "must not be an empty array")
    return value


# -- agents and groups --------------------------------------------------------------------

IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def agent(value: Json, path: str) -> None:
    fields(value, path, ("objectType", "name", *IFIS))
    if value.get("objectType", "Agent") != "Agent":
        raise StatementInvalid(join(path, "objectType"), "must be Agent")
    if "name" in value:
        string(value["name"], join(path, "name"))
    identifiers(value, path, required=True)


def group(value: Json, path: str) -> None:
    fields(value, path, ("objectType", "name", "member", *IFIS), ("objectType",))
    if value["objectType"] != "Group":
        raise StatementInvalid(join(path, "objectType"), "must be Group")
    if "name" in value:
        string(value["name"], join(path, "name"))
    named = identifiers(value, path, required=False)
    if not named and "member" not in value:
        raise StatementInvalid(join(path, "member"), "an anonymous group must list its members")
    if "member" in value:
        for index, member in enumerate(array(value["member"], join(path, "member"), empty=named)):
            agent(member, join(join(path, "member"), index))


def identifiers(value: dict[str, Json], path: str, *, required: bool) -> bool:
    """Exactly one inverse functional identifier (mbox, mbox_sha1sum, openid, account)."""
    given = [key for key in IFIS if key in value]
    if len(given) > 1:
        raise StatementInvalid(path, f"must have exactly one identifier, not {', '.join(given)}")
    if not given:
        if required:
            raise StatementInvalid(path, f"must have one identifier of {', '.join(IFIS)}")
        return False
    key = given[0]
    where = join(path, key)
    if key == "mbox":
        matching(MAILTO, "a mailto: IRI")(value[key], where)
    elif key == "mbox_sha1sum":
        matching(SHA1, "40 hexadecimal digits (SHA-1)")(value[key], where)
    elif key == "openid":
        iri(value[key], where)
    else:
        account = fields(value[key], where, ("homePage", "name"), ("homePage", "name"))
        irl(account["homePage"], join(where, "homePage"))
        string(account["name"], join(where, "name"), empty=False)
    return True


def agent_or_group(value: Json, path: str) -> None:
    if isinstance(value, dict) and value.get("objectType") == "Group":
        group(value, path)
    else:
        agent(value, path)


# -- verb, object -------------------------------------------------------------------------


def verb(value: Json, path: str) -> None:
    fields(value, path, ("id", "display"), ("id",))
    iri(value["id"], join(path, "id"))
    if "display" in value:
        language_map(value["display"], join(path, "display"))


def activity(value: Json, path: str) -> None:
    fields(value, path, ("objectType", "id", "definition"), ("id",))
    if value.get("objectType", "Activity") != "Activity":
        raise StatementInvalid(join(path, "objectType"), "must be Activity")
    iri(value["id"], join(path, "id"))
    if "definition" in value:
        definition(value["definition"], join(path, "definition"))


DEFINITION_KEYS = ("name", "description", "type", "moreInfo", "extensions", "interactionType",
                   "correctResponsesPattern", *COMPONENT_LISTS)  # fmt: skip


def definition(value: Json, path: str) -> None:
    fields(value, path, DEFINITION_KEYS)
    for key in ("name", "description"):
        if key in value:
            language_map(value[key], join(path, key))
    if "type" in value:
        iri(value["type"], join(path, "type"))
    if "moreInfo" in value:
        irl(value["moreInfo"], join(path, "moreInfo"))
    if "extensions" in value:
        extensions(value["extensions"], join(path, "extensions"))
    interaction(value, path)


def interaction(value: dict[str, Json], path: str) -> None:
    kind = value.get("interactionType")
    lists = [key for key in COMPONENT_LISTS if key in value]
    if kind is None:
        for key in ("correctResponsesPattern", *lists):
            if key in value:
                raise StatementInvalid(join(path, key), "needs an interactionType")
        return
    if kind not in INTERACTION_TYPES:
        raise StatementInvalid(
            join(path, "interactionType"), f"must be one of {', '.join(INTERACTION_TYPES)}"
        )
    for key in lists:
        if key not in INTERACTION_TYPES[kind]:
            raise StatementInvalid(join(path, key), f"is not a component of a {kind} interaction")
        components(value[key], join(path, key))
    if "correctResponsesPattern" in value:
        where = join(path, "correctResponsesPattern")
        for index, pattern in enumerate(array(value["correctResponsesPattern"], where, empty=True)):
            string(pattern, join(where, index))


def components(value: Json, path: str) -> None:
    seen: set[str] = set()
    for index, component in enumerate(array(value, path)):
        where = join(path, index)
        fields(component, where, ("id", "description"), ("id",))
        name = string(component["id"], join(where, "id"), empty=False)
        if name in seen:
            raise StatementInvalid(join(where, "id"), f"{name!r} is given twice")
        seen.add(name)
        if "description" in component:
            language_map(component["description"], join(where, "description"))


def statement_ref(value: Json, path: str) -> None:
    fields(value, path, ("objectType", "id"), ("objectType", "id"))
    uuid(value["id"], join(path, "id"))


def statement_object(value: Json, path: str, *, sub: bool = False) -> str:
    """The object of a statement; returns its objectType."""
    if not isinstance(value, dict):
        raise StatementInvalid(path, "must be a JSON object")
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        activity(value, path)
    elif kind == "Agent":
        agent(value, path)
    elif kind == "Group":
        group(value, path)
    elif kind == "StatementRef":
        statement_ref(value, path)
    elif kind == "SubStatement" and not sub:
        sub_statement(value, path)
    else:
        allowed = "Activity, Agent, Group, StatementRef" + ("" if sub else ", SubStatement")
        raise StatementInvalid(join(path, "objectType"), f"must be one of {allowed}")
    return str(kind)


def sub_statement(value: Json, path: str) -> None:
    fields(value, path, ("objectType", "actor", "verb", "object", "result", "context", "timestamp"),
           ("actor", "verb", "object"))  # fmt: skip
    agent_or_group(value["actor"], join(path, "actor"))
    verb(value["verb"], join(path, "verb"))
    kind = statement_object(value["object"], join(path, "object"), sub=True)
    optional_parts(value, path, kind)


# -- result, context ----------------------------------------------------------------------


def result(value: Json, path: str) -> None:
    fields(value, path, ("score", "success", "completion", "response", "duration", "extensions"))
    if "score" in value:
        score(value["score"], join(path, "score"))
    for key in ("success", "completion"):
        if key in value:
            boolean(value[key], join(path, key))
    if "response" in value:
        string(value["response"], join(path, "response"))
    if "duration" in value:
        duration(value["duration"], join(path, "duration"))
    if "extensions" in value:
        extensions(value["extensions"], join(path, "extensions"))


def score(value: Json, path: str) -> None:
    fields(value, path, ("scaled", "raw", "min", "max"))
    numbers = {key: number(value[key], join(path, key)) for key in value}
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        raise StatementInvalid(join(path, "scaled"), "must be between -1 and 1")
    low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
    if low is not None and high is not None and low >= high:
        raise StatementInvalid(join(path, "min"), "must be less than max")
    if raw is not None and low is not None and raw < low:
        raise StatementInvalid(join(path, "raw"), "must not be less than min")
    if raw is not None and high is not None and raw > high:
        raise StatementInvalid(join(path, "raw"), "must not be more than max")


CONTEXT_KEYS = ("registration", "instructor", "team", "contextActivities", "revision", "platform",
                "language", "statement", "extensions")  # fmt: skip


def context(value: Json, path: str, object_type: str) -> None:
    fields(value, path, CONTEXT_KEYS)
    if "registration" in value:
        uuid(value["registration"], join(path, "registration"))
    if "instructor" in value:
        agent_or_group(value["instructor"], join(path, "instructor"))
    if "team" in value:
        group(value["team"], join(path, "team"))
    if "contextActivities" in value:
        context_activities(value["contextActivities"], join(path, "contextActivities"))
    for key in ("revision", "platform"):
        if key in value:
            if object_type in ("Agent", "Group"):
                raise StatementInvalid(
                    join(path, key), "is not allowed when the object is an agent or a group"
                )
            string(value[key], join(path, key))
    if "language" in value:
        language_tag(value["language"], join(path, "language"))
    if "statement" in value:
        statement_ref(value["statement"], join(path, "statement"))
    if "extensions" in value:
        extensions(value["extensions"], join(path, "extensions"))


def context_activities(value: Json, path: str) -> None:
    """Each kind is an activity or an array of them; a single one becomes an array (as the
    specification asks a record store to return them)."""
    fields(value, path, CONTEXT_ACTIVITY_KINDS)
    for kind in list(value):
        where = join(path, kind)
        listed = value[kind] if isinstance(value[kind], list) else [value[kind]]
        for index, item in enumerate(array(listed, where)):
            activity(item, join(where, index) if isinstance(value[kind], list) else where)
        value[kind] = listed


def optional_parts(value: dict[str, Json], path: str, object_type: str) -> None:
    if "result" in value:
        result(value["result"], join(path, "result"))
    if "context" in value:
        context(value["context"], join(path, "context"), object_type)
    if "timestamp" in value:
        timestamp(value["timestamp"], join(path, "timestamp"))


# -- the statement ------------------------------------------------------------------------

STATEMENT_KEYS = ("id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                  "authority", "version", "attachments")  # fmt: skip
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def check_statement(value: Json, path: str = "") -> dict[str, Json]:
    """The statement if valid by xAPI 1.0.3 (context activities made arrays), else StatementInvalid.

    The actor is checked for its form only: who it must be is the record store's business.
    """
    fields(value, path, STATEMENT_KEYS, ("actor", "verb", "object"))
    if "id" in value:
        uuid(value["id"], join(path, "id"))
    agent_or_group(value["actor"], join(path, "actor"))
    verb(value["verb"], join(path, "verb"))
    kind = statement_object(value["object"], join(path, "object"))
    if value["verb"]["id"] == VOIDED and kind != "StatementRef":
        raise StatementInvalid(join(path, "object"), "a voiding statement's object must be a StatementRef")
    optional_parts(value, path, kind)
    if "stored" in value:
        timestamp(value["stored"], join(path, "stored"))
    if "version" in value:
        matching(VERSION, "1.0 or 1.0.x")(value["version"], join(path, "version"))
    if "authority" in value:
        raise StatementInvalid(join(path, "authority"), "is set by the record store, not sent")
    if "attachments" in value:
        raise StatementInvalid(join(path, "attachments"), "are not accepted by this record store")
    return value
