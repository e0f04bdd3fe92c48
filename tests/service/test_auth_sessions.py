"""Server-side sessions (T14, T15), the sign-in log, rate limits in one process, passwords."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from auth_helpers import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from auth import service, throttle
from auth.models import BrowserSession, Role, SignInEvent, User
from quiz_service.core import db

SignIn = Callable[..., Any]
TOO_MANY_KK = "Кіру әрекеттері тым көп."


@pytest.fixture
def student(make_user: Callable[..., User]) -> User:
    return make_user(
        email="aigerim@oqu.example.kz", full_name="Әйгерім <script>alert(1)</script>", password=PASSWORD
    )


def sessions(app: Flask) -> list[BrowserSession]:
    with app.app_context():
        return list(db.session().scalars(select(BrowserSession)))


def test_the_cookie_holds_only_an_id_and_the_row_is_rotated(
    client: FlaskClient, sign_in: SignIn, student: User, app: Flask
) -> None:
    client.get("/auth/login")
    anonymous = client.get_cookie("oqu_session").value
    [before] = sessions(app)
    assert before.user_id is None and len(anonymous) >= 40 and "." not in anonymous
    sign_in(student.email)
    signed_in = client.get_cookie("oqu_session").value
    assert signed_in != anonymous
    [after] = sessions(app)
    assert after.user_id == student.id and after.id_hash != before.id_hash
    assert anonymous not in after.data and signed_in not in after.data  # only hashes are keys
    stale = app.test_client()
    stale.set_cookie("oqu_session", anonymous)
    assert stale.get("/api/v1/me").status_code == 401  # the pre-sign-in id is worth nothing


def test_sign_out_deletes_the_session_row(
    client: FlaskClient, sign_in: SignIn, student: User, app: Flask
) -> None:
    sign_in(student.email)
    cookie = client.get_cookie("oqu_session").value
    client.post("/auth/logout", data={"csrf_token": client.get("/api/v1/me").json["csrf_token"]})
    assert sessions(app) == []
    replay = app.test_client()
    replay.set_cookie("oqu_session", cookie)
    assert replay.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("column", ["last_seen_at", "created_at"])
def test_idle_and_absolute_timeouts(
    client: FlaskClient, sign_in: SignIn, student: User, app: Flask, column: str
) -> None:
    sign_in(student.email)
    limit = app.config["SESSION_IDLE_TIMEOUT" if column == "last_seen_at" else "PERMANENT_SESSION_LIFETIME"]
    with app.app_context(), db.write_transaction() as writer:
        writer.execute(update(BrowserSession).values({column: db.utcnow() - limit + timedelta(seconds=30)}))
    assert client.get("/api/v1/me").status_code == 200
    with app.app_context(), db.write_transaction() as writer:
        writer.execute(update(BrowserSession).values({column: db.utcnow() - limit - timedelta(seconds=1)}))
    assert client.get("/api/v1/me").status_code == 401
    assert sessions(app) == []


def test_suspension_ends_every_session_at_once(
    make_user: Callable[..., User], app: Flask, run_oqu: Any, sign_in: SignIn, client: FlaskClient
) -> None:
    user = make_user(password=PASSWORD)
    browsers = [app.test_client() for _ in range(2)]
    for browser in browsers:
        page = browser.get("/auth/login")
        fields = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_from_form(page.text)}
        assert browser.post("/auth/login", data=fields).status_code == 303
    result = run_oqu("users", "suspend", user.email, database_url=app.config["DATABASE_URL"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{user.email} is suspended; 2 session(s) ended.\n"
    assert [browser.get("/api/v1/me").status_code for browser in browsers] == [401, 401]
    assert sign_in(user.email).status_code == 200  # the form says "failed", as for any failure
    restored = run_oqu("users", "restore", user.email, database_url=app.config["DATABASE_URL"])
    assert restored.exit_code == 0
    assert sign_in(user.email).status_code == 303


def test_the_sign_in_log(
    client: FlaskClient, sign_in: SignIn, student: User, app: Flask, make_token: Callable[..., str]
) -> None:
    sign_in(student.email, "wrong password")
    sign_in(student.email)
    client.post("/auth/logout", data={"csrf_token": client.get("/api/v1/me").json["csrf_token"]})
    secret = make_token(student)
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})  # within a minute: once
    with app.app_context():
        lines = db.session().scalars(select(SignInEvent).order_by(SignInEvent.id)).all()
    assert [(line.event, line.method, line.user_id) for line in lines] == [
        ("failure", "password", student.id),
        ("sign_in", "password", student.id),
        ("sign_out", "session", student.id),
        ("token_use", "token", student.id),
    ]
    assert {line.address for line in lines} == {"127.0.0.1"}
    assert all("wrong password" not in line.detail and PASSWORD not in line.detail for line in lines)


def test_too_many_attempts_on_one_account(
    client: FlaskClient, sign_in: SignIn, student: User, app: Flask
) -> None:
    limit = app.config["SIGN_IN_ACCOUNT_LIMIT"]
    for _ in range(limit):
        assert sign_in(student.email, "wrong password").status_code == 200
    locked = sign_in(student.email)  # even the right password waits
    assert locked.status_code == 429
    assert TOO_MANY_KK in locked.text and 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert client.get("/api/v1/me").status_code == 401
    with app.app_context():
        assert throttle.attempts(db.session(), throttle.account_key(student.email)) == limit + 1
        assert db.session().scalars(select(SignInEvent.event).where(SignInEvent.event == "locked")).all() == [
            "locked"
        ]
        with db.write_transaction() as writer:  # the window passes
            writer.execute(
                update(throttle.SignInCounter).values(window_started_at=db.utcnow() - timedelta(hours=1))
            )
    assert sign_in(student.email).status_code == 303


def test_a_right_password_resets_the_account_counter(sign_in: SignIn, student: User, app: Flask) -> None:
    limit = app.config["SIGN_IN_ACCOUNT_LIMIT"]
    for _ in range(limit - 1):
        sign_in(student.email, "wrong password")
    assert sign_in(student.email).status_code == 303
    with app.app_context():
        assert throttle.attempts(db.session(), throttle.account_key(student.email)) == 0
        assert throttle.attempts(db.session(), throttle.address_key("127.0.0.1")) == limit - 1


def test_csrf_on_every_browser_change(
    client: FlaskClient, sign_in: SignIn, make_user: Callable[..., User], app: Flask
) -> None:
    admin = make_user(email="admin@oqu.example.kz", role=Role.ADMIN, password=PASSWORD)
    victim = make_user(email="victim@oqu.example.kz")
    sign_in(admin.email)
    changes = [
        ("/auth/admin/enrol", {"course": "fire-safety", "who": victim.email}),
        (f"/auth/admin/users/{victim.id}/suspend", {}),
        ("/auth/password", {"current_password": PASSWORD, "new_password": "жаңа-құпиясөз-1"}),
        ("/auth/logout", {}),
    ]
    for path, form in changes:
        for token in (None, "forged"):
            data = form | ({"csrf_token": token} if token else {})
            response = client.post(path, data=data, headers={"Origin": "https://evil.example"})
            assert response.status_code == 400, path
    with app.app_context():
        assert db.session().get_one(User, victim.id).is_active
    assert client.get("/api/v1/me").status_code == 200  # still signed in: logout was refused too
    assert sign_in(admin.email, "жаңа-құпиясөз-1").status_code == 200  # the password did not change


def test_profile_shows_the_account_and_its_history_escaped(
    client: FlaskClient, sign_in: SignIn, student: User
) -> None:
    assert client.get("/auth/profile").status_code == 302
    sign_in(student.email)
    page = client.get("/auth/profile?lang=ru")
    assert page.status_code == 200
    assert "Әйгерім &lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
    assert "<dt>Роль</dt><dd>обучающийся</dd>" in page.text
    assert "<dt>Группа</dt><dd>ӨҚ-21</dd>" in page.text
    assert "<dt>Категория ДО</dt><dd>нет</dd>" in page.text
    assert "<td>вход</td><td>пароль</td><td>127.0.0.1</td>" in page.text


def test_password_change(client: FlaskClient, sign_in: SignIn, student: User) -> None:
    sign_in(student.email)
    csrf = client.get("/api/v1/me").json["csrf_token"]
    wrong = client.post(
        "/auth/password",
        data={"csrf_token": csrf, "current_password": "x" * 9, "new_password": "жаңа-құпиясөз"},
    )
    assert wrong.status_code == 422 and "Қазіргі құпиясөз қате." in wrong.text
    short = client.post(
        "/auth/password", data={"csrf_token": csrf, "current_password": PASSWORD, "new_password": "қысқа"}
    )
    assert short.status_code == 422
    done = client.post(
        "/auth/password",
        data={"csrf_token": csrf, "current_password": PASSWORD, "new_password": "жаңа-құпиясөз"},
    )
    assert done.status_code == 200 and "Құпиясөз өзгертілді." in done.text
    client.post("/auth/logout", data={"csrf_token": csrf})
    assert sign_in(student.email, "жаңа-құпиясөз").status_code == 303


def test_guessing_the_current_password_is_limited_like_signing_in(
    client: FlaskClient, sign_in: SignIn, student: User, app: Flask
) -> None:
    """A stolen session cannot be used to guess the password: the checks count on the account."""
    sign_in(student.email)
    csrf = client.get("/api/v1/me").json["csrf_token"]
    limit = app.config["SIGN_IN_ACCOUNT_LIMIT"]

    def change(current: str) -> Any:
        form = {"csrf_token": csrf, "current_password": current, "new_password": "жаңа-құпиясөз"}
        return client.post("/auth/password", data=form)

    assert [change(f"болжам-{n}").status_code for n in range(limit)] == [422] * limit
    refused = change(PASSWORD)  # even the right password waits
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert "Қазіргі құпиясөз тым көп рет қате енгізілді." in refused.text
    client.post("/auth/logout", data={"csrf_token": csrf})
    assert sign_in(student.email).status_code == 429  # the same account counter as the sign-in form
    with app.app_context(), db.write_transaction() as writer:  # the window passes
        writer.execute(
            update(throttle.SignInCounter).values(window_started_at=db.utcnow() - timedelta(hours=1))
        )
    assert sign_in(student.email).status_code == 303
    csrf = client.get("/api/v1/me").json["csrf_token"]
    assert change(PASSWORD).status_code == 200
    with app.app_context():
        assert throttle.attempts(db.session(), throttle.account_key(student.email)) == 0


def test_an_admin_issued_reset_link_works_once(
    client: FlaskClient, sign_in: SignIn, student: User, app: Flask, run_oqu: Any
) -> None:
    result = run_oqu("users", "reset-link", student.email, database_url=app.config["DATABASE_URL"])
    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    assert link.startswith("/auth/reset/")
    form = client.get(link)
    assert form.status_code == 200
    refused = client.post(link, data={"new_password": "жаңа-құпиясөз"})
    assert refused.status_code == 400  # no CSRF token
    done = client.post(link, data={"new_password": "жаңа-құпиясөз", "csrf_token": csrf_from_form(form.text)})
    assert done.status_code == 200 and "Құпиясөз орнатылды." in done.text
    assert client.get(link).status_code == 404
    assert sign_in(student.email, "жаңа-құпиясөз").status_code == 303
    with app.app_context():
        assert service.live_password_reset(db.session(), link.rsplit("/", 1)[1]) is None


def test_abandoned_sessions_are_swept(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auth import sessions as session_store

    monkeypatch.setattr(session_store, "CLEANUP_ONE_IN", 1)
    client.get("/auth/login")
    with app.app_context(), db.write_transaction() as writer:
        writer.execute(update(BrowserSession).values(last_seen_at=db.utcnow() - timedelta(days=1)))
    app.test_client().get("/auth/login")  # a new visitor's session sweeps the old one
    [left] = sessions(app)
    assert left.last_seen_at > db.utcnow() - timedelta(minutes=5)


def test_oqu_users_sign_ins(sign_in: SignIn, student: User, app: Flask, run_oqu: Any) -> None:
    sign_in(student.email, "wrong password")
    sign_in(student.email)
    result = run_oqu("users", "sign-ins", student.email, database_url=app.config["DATABASE_URL"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t")[1:] for line in result.stdout.splitlines()]
    assert lines == [["sign_in", "password", "127.0.0.1"], ["failure", "password", "127.0.0.1"]]


@pytest.mark.parametrize(("hops", "address"), [(0, "127.0.0.1"), (1, "10.20.30.40")])
def test_the_client_address_comes_from_the_proxy_only_when_told(
    app_config: dict[str, Any], hops: int, address: str
) -> None:
    from quiz_service import create_app

    app = create_app(app_config | {"PROXY_HOPS": hops})
    try:
        client = app.test_client()
        page = client.get("/auth/login")
        form = {"email": "nobody@oqu.example.kz", "password": "x", "csrf_token": csrf_from_form(page.text)}
        client.post("/auth/login", data=form, headers={"X-Forwarded-For": "10.20.30.40"})
        with app.app_context():
            assert db.session().scalars(select(SignInEvent.address)).all() == [address]
    finally:
        app.extensions["oqu_db"].engine.dispose()
