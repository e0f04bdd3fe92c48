"""Sign-in pages, browser sessions, CSRF and the session cookie."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher
from conftest import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient

from auth.models import User
from quiz_service import create_app
from quiz_service.core import db

FAILED_KK = "Кіру мүмкін болмады: электрондық пошта немесе құпиясөз қате."
EXPIRED_KK = "Форманың мерзімі өтті. Қайталап көріңіз."

SignIn = Callable[..., Any]


@pytest.fixture
def student(make_user: Callable[..., User]) -> User:
    return make_user(email="aigerim@oqu.example.kz", password=PASSWORD)


def test_login_form_is_kazakh_by_default(client: FlaskClient) -> None:
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert '<html lang="kk">' in page.text
    assert "<h1>Кіру</h1>" in page.text
    assert '<label for="email">Электрондық пошта</label>' in page.text
    assert '<label for="password">Құпиясөз</label>' in page.text
    assert 'name="email"' in page.text and 'name="password"' in page.text
    assert csrf_from_form(page.text)
    assert page.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("lang", "heading", "button"),
    [("ru", "Вход", "Войти"), ("en", "Sign in", "Sign in"), ("xx", "Кіру", "Кіру")],
)
def test_login_form_in_other_languages(client: FlaskClient, lang: str, heading: str, button: str) -> None:
    page = client.get(f"/auth/login?lang={lang}")
    assert f"<h1>{heading}</h1>" in page.text
    assert f'<button type="submit">{button}</button>' in page.text


def test_sign_in_rotates_the_session_and_redirects(
    client: FlaskClient, sign_in: SignIn, student: User
) -> None:
    before = client.get("/auth/login")
    old_csrf = csrf_from_form(before.text)
    response = client.post(
        "/auth/login",
        data={"email": "AIGERIM@oqu.example.kz", "password": PASSWORD, "csrf_token": old_csrf,
              "next": "/courses/fire-safety/"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"] == "/courses/fire-safety/"
    me = client.get("/api/v1/me").json
    assert me["user"]["email"] == "aigerim@oqu.example.kz"
    assert me["csrf_token"] and me["csrf_token"] != old_csrf


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
     "/\t/evil.example", ""],
)  # fmt: skip
def test_sign_in_never_redirects_off_site(sign_in: SignIn, student: User, target: str) -> None:
    response = sign_in(student.email, next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("lang", ["kk", "en"])
def test_every_failure_says_the_same(
    client: FlaskClient, sign_in: SignIn, make_user: Callable[..., User], app: Flask, lang: str
) -> None:
    make_user(email="sso@oqu.example.kz")  # no local password
    suspended = make_user(email="gone@oqu.example.kz", password=PASSWORD)
    with app.app_context(), db.write_transaction() as writer:
        writer.get_one(User, suspended.id).is_active = False
    make_user(email="aigerim@oqu.example.kz", password=PASSWORD)
    message = {"kk": FAILED_KK, "en": "Sign-in failed: wrong email or password."}[lang]
    attempts = [
        ("nobody@oqu.example.kz", PASSWORD),
        ("aigerim@oqu.example.kz", "wrong password"),
        ("sso@oqu.example.kz", PASSWORD),
        ("gone@oqu.example.kz", PASSWORD),
        ("not an email", ""),
    ]
    for email, password in attempts:
        page = sign_in(email, password, lang=lang)
        assert page.status_code == 200
        assert f'<p class="error" role="alert">{message}</p>' in page.text, email
        assert client.get("/api/v1/me").status_code == 401


def test_login_without_csrf_token_is_refused(client: FlaskClient, student: User) -> None:
    client.get("/auth/login")
    response = client.post("/auth/login", data={"email": student.email, "password": PASSWORD})
    assert response.status_code == 400
    assert f'<p class="error" role="alert">{EXPIRED_KK}</p>' in response.text
    wrong = client.post(
        "/auth/login", data={"email": student.email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert wrong.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_logout_needs_the_csrf_token(client: FlaskClient, sign_in: SignIn, student: User) -> None:
    sign_in(student.email)
    refused = client.post("/auth/logout")
    assert refused.status_code == 400
    assert f"<p>{EXPIRED_KK}</p>" in refused.text
    assert client.get("/api/v1/me").status_code == 200
    token = client.get("/api/v1/me").json["csrf_token"]
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/api/v1/me").status_code == 401


def test_logout_is_post_only(client: FlaskClient) -> None:
    assert client.get("/auth/logout").status_code == 405


def test_session_cookie_flags(client: FlaskClient, sign_in: SignIn, student: User) -> None:
    response = sign_in(student.email)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("oqu_session=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= flags


def test_cookie_is_not_secure_when_told_so(
    app_config: dict[str, Any], make_user: Callable[..., User]
) -> None:
    app = create_app(app_config | {"SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    response = client.get("/auth/login")
    flags = {part.strip().lower() for part in response.headers["Set-Cookie"].split(";")[1:]}
    assert "secure" not in flags
    assert {"httponly", "samesite=lax"} <= flags
    app.extensions["oqu_db"].engine.dispose()


def test_session_changes_to_the_api_need_the_csrf_header(
    client: FlaskClient, sign_in: SignIn, student: User
) -> None:
    sign_in(student.email)
    refused = client.post("/api/v1/me/tokens", json={})
    assert refused.status_code == 403
    assert refused.json == {
        "error": {
            "code": "csrf_failed",
            "message": "Send the X-CSRF-Token header with the csrf_token of GET /api/v1/me.",
        }
    }
    token = client.get("/api/v1/me").json["csrf_token"]
    issued = client.post("/api/v1/me/tokens", json={"scope": ["api"]}, headers={"X-CSRF-Token": token})
    assert issued.status_code == 201
    assert issued.json["scope"] == "api"
    bearer = {"Authorization": f"Bearer {issued.json['token']}"}
    assert client.get("/api/v1/me", headers=bearer).json["csrf_token"] is None
    listed = client.get("/api/v1/me/tokens").json["tokens"]
    assert [item["id"] for item in listed] == [issued.json["id"]]
    assert "token" not in listed[0]


def test_tokens_are_not_issued_with_a_token(client: FlaskClient, bearer: dict[str, str]) -> None:
    response = client.post("/api/v1/me/tokens", json={}, headers=bearer)
    assert response.status_code == 403
    assert response.json == {
        "error": {"code": "session_required", "message": "Tokens are issued from a signed-in session."}
    }


def test_a_user_revokes_only_own_tokens(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_token: Callable[..., str],
) -> None:
    owner, other = make_user(), make_user()
    own_secret, other_secret = make_token(owner), make_token(other)
    headers = {"Authorization": f"Bearer {own_secret}"}
    [own] = client.get("/api/v1/me/tokens", headers=headers).json["tokens"]
    other_id = own["id"] + 1
    missing = client.delete(f"/api/v1/me/tokens/{other_id}", headers=headers)
    assert (missing.status_code, missing.json["error"]["code"]) == (404, "not_found")
    other_headers = {"Authorization": f"Bearer {other_secret}"}
    assert client.get("/api/v1/me", headers=other_headers).status_code == 200
    assert client.delete(f"/api/v1/me/tokens/{own['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_weaker_hash_is_upgraded_at_sign_in(
    sign_in: SignIn, make_user: Callable[..., User], app: Flask
) -> None:
    user = make_user()
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    with app.app_context(), db.write_transaction() as writer:
        writer.get_one(User, user.id).password_hash = weak
    assert sign_in(user.email).status_code == 303
    with app.app_context():
        upgraded = db.session().get_one(User, user.id).password_hash
    assert upgraded != weak
    assert upgraded is not None and "m=1024" in upgraded
