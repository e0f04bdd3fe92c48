"""The quiz API on SQLite and PostgreSQL: attempts, saves, time limits, races, reviews (T01 T02 T04-T07 T10)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD
from flask import Flask
from flask.testing import FlaskClient
from quiz_bundle import ServerClock, publish_gift_quiz
from sqlalchemy import select, update

from auth import service as accounts
from auth.models import ApiToken, SignInEvent, User
from builder.quizzes.model import ReviewPolicy
from builder.quizzes.types import QUESTION_TYPES
from quiz_service.core import db
from quiz_service.quizzes.models import Answer, Attempt

START = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
BANK = """\
// [id:gas]
Тұрмыстық газдың жануы қай сыныпқа жатады? {=C #Дұрыс, газдар — C сыныбы. ~A ~B}

// [id:metal]
Магний өртінің сыныбы? {=D #Металдар — D.}

// [id:oxygen]
Ауадағы оттегі неше пайыз? {#21:0.5 #Шамамен бестен бірі.}

// [id:essay]
Эвакуация кезіндегі іс-әрекеттеріңізді сипаттаңыз. {}
"""


Clock = ServerClock


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The service bundle's manifest is read when the app starts: write it first."""
    write_manifest(app_config["SERVICE_DIR"])
    return app_config


@pytest.fixture
def service_dir(app_config: dict[str, Any]) -> Path:
    path: Path = app_config["SERVICE_DIR"]
    return path


def write_manifest(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    courses = [
        {"id": "fire-safety", "access": "open", "title": {"kk": "Өрт қауіпсіздігі"}},
        {"id": "closed-course", "access": "enrolled", "title": {"kk": "Жабық курс"}},
    ]
    (path / "manifest.json").write_text(json.dumps({"version": 1, "courses": courses}), encoding="utf-8")


@pytest.fixture
def publish(service_dir: Path) -> Callable[..., dict[str, Any]]:
    """Write a quiz into the service bundle as `oqu build` does; returns its JSON."""

    def publish(
        quiz_id: str = "exam", bank: str = BANK, course: str = "fire-safety", **settings: Any
    ) -> dict[str, Any]:
        return publish_gift_quiz(service_dir, bank, course=course, quiz_id=quiz_id, **settings)

    return publish


@pytest.fixture
def clock(app: Flask, service_dir: Path) -> Clock:
    clock = Clock(START)
    app.extensions["oqu_clock"] = clock
    return clock


@pytest.fixture
def student(
    client: FlaskClient, make_user: Callable[..., User], make_token: Callable[..., str], clock: Clock
) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {make_token(make_user())}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # its first use is recorded now
    return headers


def start(client: FlaskClient, headers: dict[str, str], quiz: str = "exam") -> Any:
    return client.post(f"/api/v1/quizzes/fire-safety/{quiz}/attempts", json={}, headers=headers)


def option(attempt: dict[str, Any], question_index: int, text: str) -> str:
    return next(o["id"] for o in attempt["questions"][question_index]["options"] if o["text"] == text)


def save(
    client: FlaskClient,
    headers: dict[str, str],
    attempt: dict[str, Any],
    index: int,
    response: Any,
    seq: int,
    cid: str | None = None,
) -> Any:
    qid = attempt["questions"][index]["id"]
    body = {"response": response, "sequence": seq, "client_id": cid or f"save-{seq}"}
    return client.put(f"/api/v1/attempts/{attempt['id']}/answers/{qid}", json=body, headers=headers)


def by_text(attempt: dict[str, Any]) -> dict[str, int]:
    return {q["text"][:10]: i for i, q in enumerate(attempt["questions"])}


def stored(app: Flask) -> tuple[list[Attempt], list[Answer]]:
    with app.app_context():
        reader = db.session()
        return list(reader.scalars(select(Attempt).order_by(Attempt.id))), list(
            reader.scalars(select(Answer))
        )


def test_start_answer_submit_and_review(
    client: FlaskClient, student: dict[str, str], publish: Callable[..., Any]
) -> None:
    publish()
    response = start(client, student)
    assert response.status_code == 201
    attempt = response.json
    assert (attempt["state"], attempt["number"], attempt["question_count"], attempt["deadline"]) == (
        "open",
        1,
        4,
        None,
    )
    index = by_text(attempt)
    assert (
        save(
            client, student, attempt, index["Тұрмыстық "], option(attempt, index["Тұрмыстық "], "C"), 1
        ).status_code
        == 200
    )
    assert (
        save(client, student, attempt, index["Магний өрт"], "д", 2).status_code == 200
    )  # Cyrillic Д for D: wrong
    assert save(client, student, attempt, index["Ауадағы от"], "21,3", 3).status_code == 200
    assert save(client, student, attempt, index["Эвакуация "], "Есікке қарай жүремін.", 4).status_code == 200
    done = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=student)
    assert done.status_code == 200
    review = done.json["review"]
    assert (done.json["state"], review["points"], review["max_points"]) == (
        "finished",
        None,
        4.0,
    )  # the essay waits
    states = {q["id"]: q["state"] for q in review["questions"]}
    assert [states[q["id"]] for q in attempt["questions"]] == [
        {"Тұрмыстық ": "correct", "Магний өрт": "wrong", "Ауадағы от": "correct", "Эвакуация ": "manual"}[
            q["text"][:10]
        ]
        for q in attempt["questions"]
    ]
    again = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=student)
    assert again.json["review"] == review and again.json["state"] == "finished"


def test_nothing_of_the_key_reaches_the_student_during_the_attempt(
    client: FlaskClient, student: dict[str, str], publish: Callable[..., Any]
) -> None:
    """T01 on the API: the attempt view holds no key, accepted answer or feedback."""
    body = publish()
    attempt = start(client, student).json
    text = json.dumps(attempt, ensure_ascii=False)
    from builder.quizzes.model import question_from_json

    secrets = {
        s for q in body["questions"]["kk"] for s in QUESTION_TYPES[q["type"]].secrets(question_from_json(q))
    }
    assert secrets >= {"Дұрыс, газдар — C сыныбы.", "D", "Шамамен бестен бірі."}
    assert [s for s in secrets if len(s) > 1 and s in text] == []
    assert '"D"' not in text and "fraction" not in text and "21" not in text


def test_start_again_gives_the_open_attempt_and_attempts_run_out(
    client: FlaskClient, student: dict[str, str], publish: Callable[..., Any]
) -> None:
    publish(attempts=2)
    first = start(client, student)
    again = start(client, student)
    assert (first.status_code, again.status_code, again.json["id"]) == (201, 200, first.json["id"])
    client.post(f"/api/v1/attempts/{first.json['id']}/submit", headers=student)
    second = start(client, student)
    assert (second.status_code, second.json["number"]) == (201, 2)
    client.post(f"/api/v1/attempts/{second.json['id']}/submit", headers=student)
    third = start(client, student)
    assert third.status_code == 409
    assert third.json == {
        "error": {"code": "no_attempts_left", "message": "All 2 attempts of this quiz are used."}
    }


def test_twenty_parallel_starts_make_one_attempt(
    app: Flask, student: dict[str, str], publish: Callable[..., Any]
) -> None:
    """T07: 20 parallel starts of one student: one open attempt, everyone gets it."""
    publish(attempts=1)
    barrier = threading.Barrier(20)
    results: list[tuple[int, int]] = []

    def run() -> None:
        client = app.test_client()
        barrier.wait()
        response = start(client, student)
        results.append((response.status_code, response.json.get("id", response.json)))

    threads = [threading.Thread(target=run) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    attempts, _ = stored(app)
    assert len(attempts) == 1
    assert sorted(status for status, _ in results) == [200] * 19 + [201]
    assert {attempt_id for _, attempt_id in results} == {attempts[0].id}


def test_the_same_save_five_times_and_out_of_order(
    app: Flask, client: FlaskClient, student: dict[str, str], publish: Callable[..., Any]
) -> None:
    """T10 and T06: retries store one answer; an older save gets 409 and changes nothing."""
    publish()
    attempt = start(client, student).json
    index = by_text(attempt)["Магний өрт"]
    replies = [save(client, student, attempt, index, "D", 7, "page-1-save-7") for _ in range(5)]
    assert [r.status_code for r in replies] == [200] * 5
    assert len({json.dumps(r.json, sort_keys=True) for r in replies}) == 1
    older = save(client, student, attempt, index, "C", 6, "page-1-save-6")
    assert older.status_code == 409
    assert older.json["error"]["code"] == "stale_save"
    newer = save(client, student, attempt, index, "Д", 8, "page-1-save-8")
    assert newer.status_code == 200
    assert save(client, student, attempt, index, "D", 7, "page-1-save-7").status_code == 409  # a late retry
    _, answers = stored(app)
    assert [(a.response, a.sequence) for a in answers] == [('"Д"', 8)]


def test_parallel_identical_saves_store_one_answer(
    app: Flask, client: FlaskClient, student: dict[str, str], publish: Callable[..., Any]
) -> None:
    publish()
    attempt = start(client, student).json
    index = by_text(attempt)["Ауадағы от"]
    barrier = threading.Barrier(8)
    codes: list[int] = []

    def run() -> None:
        barrier.wait()
        codes.append(save(app.test_client(), student, attempt, index, "21", 1, "the-only-save").status_code)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200] * 8
    assert len(stored(app)[1]) == 1


def test_sequential_quiz_cannot_skip_ahead_or_go_back(
    client: FlaskClient, student: dict[str, str], publish: Callable[..., Any]
) -> None:
    """T06: the API enforces sequential navigation (Moodle CVE-2022-40208, CVE-2023-40325)."""
    publish(navigation="sequential")
    attempt = start(client, student).json
    assert len(attempt["questions"]) == 1  # the page never sees what comes next
    ahead = client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/x0000000000",
        json={"response": "D", "sequence": 1, "client_id": "a"},
        headers=student,
    )
    assert ahead.status_code == 404
    moved = client.post(f"/api/v1/attempts/{attempt['id']}/next", json={"position": 0}, headers=student).json
    assert (moved["position"], len(moved["questions"])) == (1, 2)
    back = save(client, student, moved, 0, None, 2)
    assert back.status_code == 409 and back.json["error"]["code"] == "sequential"
    skip = client.post(f"/api/v1/attempts/{attempt['id']}/next", json={"position": 3}, headers=student)
    assert skip.status_code == 409


def time_limited(publish: Callable[..., Any], overdue: str) -> None:
    publish(time_limit=10, grace=2, overdue=overdue)


def test_time_limit_edges_by_the_server_clock(
    app: Flask, client: FlaskClient, student: dict[str, str], publish: Callable[..., Any], clock: Clock
) -> None:
    """T04: save at deadline -1 s and +1 s, submit at +grace and +grace +1 s; the client's time is not asked."""
    time_limited(publish, "grace")
    attempt = start(client, student).json
    assert attempt["deadline"] == (START + timedelta(minutes=10)).isoformat().replace(
        "+00:00", "Z"
    ) or attempt["deadline"].startswith("2026-12-14T09:10:00")
    index = by_text(attempt)["Магний өрт"]
    clock.move(minutes=10, seconds=-1)
    assert save(client, student, attempt, index, "D", 1).status_code == 200
    clock.move(seconds=2)
    late = save(client, student, attempt, index, "C", 2)
    assert (late.status_code, late.json["error"]["code"]) == (409, "time_over")
    forged = client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{attempt['questions'][index]['id']}",
        json={"response": "C", "sequence": 3, "client_id": "x", "saved_at": START.isoformat()},
        headers=student,
    )
    assert forged.status_code == 422
    clock.move(minutes=2, seconds=-1)  # exactly deadline + grace
    done = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=student).json
    assert done["state"] == "finished"
    assert stored(app)[1][0].response == '"D"'


def test_submit_after_the_grace_period_is_not_counted(
    app: Flask, client: FlaskClient, student: dict[str, str], publish: Callable[..., Any], clock: Clock
) -> None:
    time_limited(publish, "grace")
    attempt = start(client, student).json
    save(
        client, student, attempt, 0, attempt["questions"][0].get("options", [{"id": ""}])[0]["id"] or "21", 1
    )
    clock.move(minutes=12, seconds=1)
    done = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=student).json
    assert done["state"] == "abandoned"
    attempts, answers = stored(app)
    assert attempts[0].finished_at == START + timedelta(minutes=12)
    assert len(answers) == 1  # saved answers are kept


def test_autosubmit_finishes_at_the_deadline_not_when_noticed(
    app: Flask, client: FlaskClient, student: dict[str, str], publish: Callable[..., Any], clock: Clock
) -> None:
    """T05: the student disconnects; the service itself closes the attempt, at the deadline, answers kept."""
    time_limited(publish, "autosubmit")
    attempt = start(client, student).json
    index = by_text(attempt)["Магний өрт"]
    save(client, student, attempt, index, "D", 1)
    clock.move(hours=3)
    client.get("/api/v1/quizzes/fire-safety/other", headers=student)  # any quiz request runs the sweep
    attempts, answers = stored(app)
    assert (attempts[0].state.value, attempts[0].finished_at, attempts[0].open_key) == (
        "finished",
        START + timedelta(minutes=10),
        None,
    )
    assert (len(answers), answers[0].fraction) == (1, 1.0)
    assert attempts[0].points == 1.0


def test_discard_policy_and_quiz_close_bound_the_deadline(
    app: Flask, client: FlaskClient, student: dict[str, str], publish: Callable[..., Any], clock: Clock
) -> None:
    publish(time_limit=60, overdue="discard", closes=(START + timedelta(minutes=30)).isoformat())
    attempt = start(client, student).json
    assert attempt["deadline"].startswith("2026-12-14T09:30:00")
    clock.move(minutes=30, seconds=1)
    assert client.get(f"/api/v1/attempts/{attempt['id']}", headers=student).json["state"] == "abandoned"
    again = start(client, student)
    assert (again.status_code, again.json["error"]["code"]) == (409, "quiz_closed")


def test_quiz_not_yet_open(client: FlaskClient, student: dict[str, str], publish: Callable[..., Any]) -> None:
    publish(opens=(START + timedelta(hours=1)).isoformat())
    response = start(client, student)
    assert (response.status_code, response.json["error"]["code"]) == (409, "quiz_not_open")


def test_review_policy_releases_each_part_when_it_says(
    app: Flask, client: FlaskClient, student: dict[str, str], publish: Callable[..., Any], clock: Clock
) -> None:
    """T02: the API shows exactly what the policy allows before and after close and release."""
    policy = ReviewPolicy(
        score="after-close", correctness="after-release", feedback="after-release", answers="never"
    )
    publish(review=policy, closes=(START + timedelta(hours=1)).isoformat())
    attempt = start(client, student).json
    index = by_text(attempt)["Тұрмыстық "]
    save(client, student, attempt, index, option(attempt, index, "C"), 1)
    review = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=student).json["review"]
    assert review["points"] is None and all(
        set(q) - {"id"} <= {"points", "max_points", "state", "feedback", "comment", "right_answer"}
        for q in review["questions"]
    )
    assert all(
        q["state"] is None and q["points"] is None and q["feedback"] is None for q in review["questions"]
    )
    summary = client.get("/api/v1/quizzes/fire-safety/exam", headers=student).json
    assert (summary["grade"], summary["attempts"][0]["percent"]) == (None, None)
    clock.move(hours=1)
    after_close = client.get(f"/api/v1/attempts/{attempt['id']}", headers=student).json["review"]
    assert (after_close["points"], after_close["max_points"]) == (1.0, 4.0)
    assert all(q["state"] is None for q in after_close["questions"])
    from quiz_service.quizzes import service

    with app.app_context(), db.write_transaction() as writer:
        service.release_grades(writer, "fire-safety", "exam", clock.now)
    released = client.get(f"/api/v1/attempts/{attempt['id']}", headers=student).json["review"]
    gas = next(q for q in released["questions"] if q["id"] == attempt["questions"][index]["id"])
    assert (gas["state"], gas["feedback"], gas["right_answer"]) == (
        "correct",
        ["Дұрыс, газдар — C сыныбы."],
        None,
    )


def test_a_running_attempt_keeps_its_version(
    client: FlaskClient, student: dict[str, str], publish: Callable[..., Any]
) -> None:
    first = publish()
    attempt = start(client, student).json
    index = by_text(attempt)["Магний өрт"]
    changed = publish(bank=BANK.replace("{=D #Металдар — D.}", "{=Магний}"))
    assert changed["version"] != first["version"]
    save(client, student, attempt, index, "D", 1)
    done = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=student).json
    metal = next(q for q in done["review"]["questions"] if q["id"] == attempt["questions"][index]["id"])
    assert metal["state"] == "correct"


def test_other_students_attempts_and_closed_courses_are_not_found(
    client: FlaskClient,
    student: dict[str, str],
    publish: Callable[..., Any],
    make_user: Callable[..., User],
    make_token: Callable[..., str],
) -> None:
    publish()
    publish(course="closed-course")
    attempt = start(client, student).json
    other = {"Authorization": f"Bearer {make_token(make_user())}"}
    assert client.get(f"/api/v1/attempts/{attempt['id']}", headers=other).status_code == 404
    assert save(client, other, attempt, 0, "x", 1).status_code == 404
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=other).status_code == 404
    closed = client.post("/api/v1/quizzes/closed-course/exam/attempts", json={}, headers=student)
    assert closed.status_code == 404
    assert (
        client.post(
            "/api/v1/quizzes/fire-safety/..%2F..%2Fmanifest/attempts", json={}, headers=student
        ).status_code
        == 404
    )
    assert start(client, {}).status_code == 401


def test_wrong_shaped_answer_is_refused(
    client: FlaskClient, student: dict[str, str], publish: Callable[..., Any]
) -> None:
    publish()
    attempt = start(client, student).json
    index = by_text(attempt)["Ауадағы от"]
    refused = save(client, student, attempt, index, "жиырма бір", 1)
    assert refused.status_code == 422
    assert refused.json == {
        "error": {
            "code": "invalid_response",
            "message": "The answer does not fit the question: expected a number.",
        }
    }


def test_browser_session_needs_the_csrf_header(
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[..., Any],
    publish: Callable[..., Any],
    clock: Clock,
) -> None:
    publish()
    user = make_user(password=PASSWORD)
    sign_in(user.email)
    refused = client.post("/api/v1/quizzes/fire-safety/exam/attempts", json={})
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "csrf_failed")
    token = client.get("/api/v1/me").json["csrf_token"]
    started = client.post(
        "/api/v1/quizzes/fire-safety/exam/attempts", json={}, headers={"X-CSRF-Token": token}
    )
    assert started.status_code == 201


def test_the_quiz_api_is_described(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {
        "/api/v1/quizzes/{course}/{quiz}",
        "/api/v1/quizzes/{course}/{quiz}/attempts",
        "/api/v1/attempts/{attempt_id}",
        "/api/v1/attempts/{attempt_id}/answers/{question}",
        "/api/v1/attempts/{attempt_id}/next",
        "/api/v1/attempts/{attempt_id}/submit",
    } <= set(paths)
    assert "SaveAnswer" in json.dumps(paths["/api/v1/attempts/{attempt_id}/answers/{question}"])


def test_a_save_records_the_tokens_use_in_its_own_transaction(
    app: Flask, client: FlaskClient, student: dict[str, str], publish: Callable[..., Any]
) -> None:
    """The save's Core path writes the token's use (once a minute) with the answer, and a
    suspended student's token is refused on the very next save."""
    publish()
    attempt = start(client, student).json
    index = by_text(attempt)["Магний өрт"]  # short answer
    long_ago = db.utcnow() - timedelta(minutes=5)
    with app.app_context(), db.write_transaction() as writer:
        writer.execute(update(ApiToken).values(last_used_at=long_ago))
    assert save(client, student, attempt, index, "D", 1).status_code == 200
    with app.app_context():
        reader = db.session()
        [used] = reader.scalars(select(ApiToken.last_used_at))
        uses = reader.scalars(select(SignInEvent.event).where(SignInEvent.event == "token_use")).all()
        [owner] = reader.scalars(select(User))
    assert used > long_ago
    assert len(uses) == 2  # the first request (/me) and this save
    with app.app_context(), db.write_transaction() as writer:
        accounts.set_active(writer, writer.get_one(User, owner.id), False)
    refused = save(client, student, attempt, index, "Д", 2)
    assert (refused.status_code, refused.json["error"]["code"]) == (401, "invalid_token")
    _, answers = stored(app)
    assert [(a.response, a.sequence) for a in answers] == [('"D"', 1)]
