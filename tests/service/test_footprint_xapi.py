"""The invalid-statement table: each statement refused with 422 (403 for another's actor) and the
one error shape naming its field. Ralph checks only actor, id, object id and verb id; we check
xAPI 1.0.3 in full and the video profile. Validation touches no database: SQLite only."""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from footprint_helpers import EXT, SITE, VIDEO, statement, video_statement

from auth import service
from auth.models import Role, User
from quiz_service import create_app
from quiz_service.core import db
from quiz_service.footprint.video import format_segments, merge_segments, parse_segments, played_length


@pytest.fixture(params=["sqlite"])
def database_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return app_config | {"FOOTPRINT_SITE_URL": SITE, "FOOTPRINT_MAX_BATCH": 5}


@pytest.fixture
def headers(make_user: Callable[..., User], make_token: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(make_user())}"}


@pytest.fixture(scope="module")
def shared(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FlaskClient, dict[str, str]]]:
    """One app for the whole table (nothing of it is recorded): the table stays quick."""
    folder = tmp_path_factory.mktemp("footprint-table")
    path = folder / "oqu.sqlite3"
    with sqlite3.connect(sqlite_template) as source, sqlite3.connect(path) as target:
        source.backup(target)
    config = {"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test", "SITE_DIR": folder / "site",
              "SERVICE_DIR": folder / "service", "VAR_DIR": folder / "var", "REDIS_URL": None,
              "FOOTPRINT_SITE_URL": SITE}  # fmt: skip
    app = create_app(config)
    with app.app_context(), db.write_transaction() as writer:
        user = service.create_user(
            writer, email="kesteli@oqu.example.kz", role=Role.STUDENT, full_name="Айгерім"
        )
        _, secret = service.issue_token(writer, user, ())
    yield app.test_client(), {"Authorization": f"Bearer {secret}"}
    app.extensions["oqu_db"].engine.dispose()


def changed(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """`base` with the value at a dotted path set (`...` deletes it); `[n]` indexes a list."""
    result = copy.deepcopy(base)
    *parents, last = path.split("|")
    target: Any = result
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target.setdefault(key, {})
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return result


S = statement()
V = video_statement()
VR, VC = "result|extensions|", "context|extensions|"

# (what is wrong, the statement, the field the message names)
INVALID: list[tuple[str, Any, str]] = [
    ("not an object", ["not a statement"], "[0]"),
    ("unknown property", changed(S, "mood", "жақсы"), "mood"),
    ("null property", changed(S, "result", None), "result"),
    ("empty result", changed(S, "result", {}), "result"),
    ("id not a UUID", changed(S, "id", "12345"), "id"),
    ("id with a bad variant", changed(S, "id", "6fa459ea-ee8a-3ca4-c94e-4d3e1e5a8a5b"), "id"),
    ("verb missing", changed(S, "verb", ...), "verb"),
    ("verb id not an IRI", changed(S, "verb|id", "experienced"), "verb.id"),
    ("verb id with a space", changed(S, "verb|id", "http://example.kz/a b"), "verb.id"),
    ("verb display not a map", changed(S, "verb|display", "оқыды"), "verb.display"),
    (
        "bad language tag",
        changed(S, "verb|display", {"kazakh language": "оқыды"}),
        "verb.display.kazakh language",
    ),
    ("display value not a string", changed(S, "verb|display", {"kk": 5}), "verb.display.kk"),
    ("object missing", changed(S, "object", ...), "object"),
    ("object id not an IRI", changed(S, "object|id", "lesson-1"), "object.id"),
    ("unknown object type", changed(S, "object|objectType", "Lesson"), "object.objectType"),
    ("definition type not an IRI", changed(S, "object|definition|type", "lesson"), "object.definition.type"),
    (
        "moreInfo not an IRL",
        changed(S, "object|definition|moreInfo", "ftp://x.kz/a"),
        "object.definition.moreInfo",
    ),
    (
        "extension key not an IRI",
        changed(S, "object|definition|extensions", {"depth": 1}),
        "object.definition.extensions.depth",
    ),
    (
        "bad interaction type",
        changed(S, "object|definition|interactionType", "essay"),
        "object.definition.interactionType",
    ),
    (
        "choices without interactionType",
        changed(S, "object|definition|choices", [{"id": "a"}]),
        "object.definition.choices",
    ),
    (
        "scale on a choice interaction",
        changed(
            changed(S, "object|definition|interactionType", "choice"),
            "object|definition|scale",
            [{"id": "1"}],
        ),
        "object.definition.scale",
    ),
    (
        "two components of one id",
        changed(
            changed(S, "object|definition|interactionType", "choice"),
            "object|definition|choices",
            [{"id": "a"}, {"id": "a"}],
        ),
        "object.definition.choices[1].id",
    ),
    (
        "StatementRef without a UUID",
        changed(S, "object", {"objectType": "StatementRef", "id": "x"}),
        "object.id",
    ),
    (
        "SubStatement in a SubStatement",
        changed(
            S,
            "object",
            {
                "objectType": "SubStatement",
                "actor": {"mbox": "mailto:a@b.kz"},
                "verb": {"id": "http://a.kz/v"},
                "object": {"objectType": "SubStatement"},
            },
        ),
        "object.object.objectType",
    ),
    (
        "agent as object without identifier",
        changed(S, "object", {"objectType": "Agent", "name": "Айгерім"}),
        "object",
    ),
    (
        "agent with two identifiers",
        changed(S, "object", {"objectType": "Agent", "mbox": "mailto:a@b.kz", "openid": "http://a.kz/id"}),
        "object",
    ),
    ("mbox without mailto", changed(S, "object", {"objectType": "Agent", "mbox": "a@b.kz"}), "object.mbox"),
    (
        "mbox_sha1sum not SHA-1",
        changed(S, "object", {"objectType": "Agent", "mbox_sha1sum": "abc"}),
        "object.mbox_sha1sum",
    ),
    (
        "account without name",
        changed(S, "object", {"objectType": "Agent", "account": {"homePage": "https://a.kz"}}),
        "object.account.name",
    ),
    (
        "anonymous group without members",
        changed(S, "object", {"objectType": "Group", "name": "ӨҚ-21"}),
        "object.member",
    ),
    ("score scaled above 1", changed(S, "result|score", {"scaled": 1.5}), "result.score.scaled"),
    ("score raw above max", changed(S, "result|score", {"raw": 11, "min": 0, "max": 10}), "result.score.raw"),
    ("score raw below min", changed(S, "result|score", {"raw": -1, "min": 0, "max": 10}), "result.score.raw"),
    ("score min not below max", changed(S, "result|score", {"min": 10, "max": 10}), "result.score.min"),
    ("score not a number", changed(S, "result|score", {"raw": "10"}), "result.score.raw"),
    ("success not a boolean", changed(S, "result|success", "true"), "result.success"),
    ("duration not ISO 8601", changed(S, "result|duration", "4 minutes"), "result.duration"),
    ("duration with nothing after T", changed(S, "result|duration", "PT"), "result.duration"),
    ("duration weeks mixed with days", changed(S, "result|duration", "P1W2D"), "result.duration"),
    ("response not a string", changed(S, "result|response", 42), "result.response"),
    ("timestamp without a zone", changed(S, "timestamp", "2026-12-07T09:30:00"), "timestamp"),
    ("timestamp with -00:00", changed(S, "timestamp", "2026-12-07T09:30:00-00:00"), "timestamp"),
    ("timestamp not a date", changed(S, "timestamp", "2026-13-45T09:30:00Z"), "timestamp"),
    ("timestamp as a number", changed(S, "timestamp", 1765100000), "timestamp"),
    ("registration not a UUID", changed(S, "context", {"registration": "attempt-1"}), "context.registration"),
    (
        "platform with an agent object",
        changed(
            changed(S, "object", {"objectType": "Agent", "mbox": "mailto:a@b.kz"}),
            "context",
            {"platform": "oqu"},
        ),
        "context.platform",
    ),
    ("context language not a tag", changed(S, "context", {"language": "қазақша"}), "context.language"),
    (
        "unknown context activity kind",
        changed(S, "context", {"contextActivities": {"course": {"id": SITE}}}),
        "context.contextActivities.course",
    ),
    (
        "context activity without id",
        changed(S, "context", {"contextActivities": {"parent": [{"objectType": "Activity"}]}}),
        "context.contextActivities.parent[0].id",
    ),
    (
        "team not a group",
        changed(S, "context", {"team": {"mbox": "mailto:a@b.kz"}}),
        "context.team.objectType",
    ),
    ("version 2.0", changed(S, "version", "2.0.0"), "version"),
    ("authority sent", changed(S, "authority", {"mbox": "mailto:a@b.kz"}), "authority"),
    ("attachments sent", changed(S, "attachments", []), "attachments"),
    (
        "voiding a non-reference",
        changed(S, "verb", {"id": "http://adlnet.gov/expapi/verbs/voided"}),
        "object",
    ),
    # the video profile
    ("video: unknown verb", changed(V, "verb|id", "http://adlnet.gov/expapi/verbs/experienced"), "verb.id"),
    (
        "video: no profile category",
        changed(V, "context|contextActivities|category", [{"id": SITE}]),
        "context.contextActivities.category",
    ),
    ("video: no session id", changed(V, VC + EXT + "session-id", ...), f"context.extensions.{EXT}session-id"),
    (
        "video: paused without played segments",
        changed(V, VR + EXT + "played-segments", ...),
        f"result.extensions.{EXT}played-segments",
    ),
    ("video: progress above 1", changed(V, VR + EXT + "progress", 1.2), f"result.extensions.{EXT}progress"),
    (
        "video: progress is the slider, not the merged segments",
        changed(V, VR + EXT + "progress", 0.9),
        f"result.extensions.{EXT}progress",
    ),
    (
        "video: malformed segments",
        changed(V, VR + EXT + "played-segments", "0-20,10-30"),
        f"result.extensions.{EXT}played-segments",
    ),
    (
        "video: segment ending before it starts",
        changed(V, VR + EXT + "played-segments", "20[.]10"),
        f"result.extensions.{EXT}played-segments",
    ),
    ("video: time past the end", changed(V, VR + EXT + "time", 500), f"result.extensions.{EXT}time"),
    ("video: negative length", changed(V, VC + EXT + "length", -5), f"context.extensions.{EXT}length"),
    ("video: unknown extension", changed(V, VC + EXT + "colour", "red"), f"context.extensions.{EXT}colour"),
    ("video: bad speed", changed(V, VC + EXT + "speed", "fast"), f"context.extensions.{EXT}speed"),
    ("video: volume above 1", changed(V, VC + EXT + "volume", 2), f"context.extensions.{EXT}volume"),
    (
        "video: completed without completion",
        changed(changed(V, "verb|id", "http://adlnet.gov/expapi/verbs/completed"), "result|duration", "PT2M"),
        "result.completion",
    ),
    (
        "video: seeked without time-to",
        changed(changed(V, "verb|id", f"{VIDEO}/verbs/seeked"), VR + EXT + "time-from", 3),
        f"result.extensions.{EXT}time-to",
    ),
    (
        "video: wrong activity type",
        changed(V, "object|definition|type", "http://adlnet.gov/expapi/activities/media"),
        "object.definition.type",
    ),
]


@pytest.mark.parametrize(("what", "sent", "field"), INVALID, ids=[case[0] for case in INVALID])
def test_an_invalid_statement_is_refused_naming_its_field(
    shared: tuple[FlaskClient, dict[str, str]], what: str, sent: Any, field: str
) -> None:
    client, headers = shared
    response = client.post("/api/v1/statements", json=sent, headers=headers)
    assert response.status_code == 422, (what, response.json)
    error = response.json["error"]
    assert set(response.json) == {"error"} and set(error) == {"code", "message"}
    assert error["code"] == "invalid_statement"
    assert error["message"].startswith(f"{field}: "), error["message"]
    assert client.get("/api/v1/statements", headers=headers).json["statements"] == []


def test_a_bad_statement_in_a_batch_is_named_by_its_place_and_the_batch_is_refused(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    batch = [statement(), statement(), changed(S, "verb|id", "оқыды")]
    response = client.post("/api/v1/statements", json=batch, headers=headers)
    assert response.status_code == 422
    assert response.json["error"]["message"].startswith("[2].verb.id: must be an absolute IRI")
    assert client.get("/api/v1/statements", headers=headers).json["statements"] == []


def test_too_many_or_no_statements(client: FlaskClient, headers: dict[str, str]) -> None:
    too_many = client.post("/api/v1/statements", json=[statement() for _ in range(6)], headers=headers)
    assert too_many.status_code == 422 and too_many.json["error"]["code"] == "too_many_statements"
    none = client.post("/api/v1/statements", json=[], headers=headers)
    assert none.status_code == 422 and none.json["error"]["code"] == "invalid_statement"
    for body in (b"[1,", b'"text"'):
        response = client.post(
            "/api/v1/statements", data=body, headers=headers | {"Content-Type": "application/json"}
        )
        assert response.status_code in (400, 422) and set(response.json["error"]) == {"code", "message"}


VALID = [
    (
        "a single context activity becomes a list",
        changed(S, "context", {"contextActivities": {"parent": {"id": SITE}}}),
    ),
    (
        "an identified group as object",
        changed(S, "object", {"objectType": "Group", "account": {"homePage": SITE, "name": "ӨҚ-21"}}),
    ),
    (
        "a choice interaction",
        changed(
            changed(S, "object|definition|interactionType", "choice"),
            "object|definition|choices",
            [{"id": "a", "description": {"kk": "Иә"}}, {"id": "b"}],
        ),
    ),
    ("a score within range", changed(S, "result|score", {"raw": 7.5, "min": 0, "max": 10, "scaled": 0.75})),
    ("a fractional duration", changed(S, "result|duration", "PT1H2M3.45S")),
    ("a voiding statement of one's own", None),
    (
        "video played",
        changed(changed(V, "verb|id", f"{VIDEO}/verbs/played"), "result|extensions", {EXT + "time": 0}),
    ),
]


@pytest.mark.parametrize(("what", "sent"), VALID, ids=[case[0] for case in VALID])
def test_valid_statements_pass(client: FlaskClient, headers: dict[str, str], what: str, sent: Any) -> None:
    if sent is None:
        first = statement()
        client.post("/api/v1/statements", json=first, headers=headers)
        sent = changed(S, "verb", {"id": "http://adlnet.gov/expapi/verbs/voided"}) | {
            "object": {"objectType": "StatementRef", "id": first["id"]}
        }
    response = client.post("/api/v1/statements", json=sent, headers=headers)
    assert response.status_code == 200, (what, response.json)
    if what.startswith("a single context"):
        stored = client.get(f"/api/v1/statements?statementId={sent['id']}", headers=headers).json
        assert stored["context"]["contextActivities"]["parent"] == [{"id": SITE}]


def test_voiding_another_students_statement_is_refused(
    client: FlaskClient,
    headers: dict[str, str],
    make_user: Callable[..., User],
    make_token: Callable[..., str],
) -> None:
    theirs = statement()
    client.post(
        "/api/v1/statements", json=theirs, headers={"Authorization": f"Bearer {make_token(make_user())}"}
    )
    voiding = changed(S, "verb", {"id": "http://adlnet.gov/expapi/verbs/voided"}) | {
        "object": {"objectType": "StatementRef", "id": theirs["id"]}
    }
    response = client.post("/api/v1/statements", json=voiding, headers=headers)
    assert response.status_code == 422
    assert response.json["error"]["message"] == "object.id: no statement of yours has this id"


def test_played_segments_are_merged() -> None:
    segments = parse_segments("30[.]45[,]0[.]10[,]5[.]20[,]20[.]25[,]60[.]60", "s")
    assert merge_segments(segments) == [(0, 25), (30, 45), (60, 60)]
    assert played_length(segments) == 40
    assert format_segments(merge_segments(segments)) == "0[.]25[,]30[.]45[,]60[.]60"
    assert merge_segments([]) == [] and parse_segments("", "s") == []
