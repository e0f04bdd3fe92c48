"""`oqu users token` and bearer tokens on the API."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from auth.models import ApiToken, Role, User
from quiz_service.core import db

Oqu = Callable[..., Result]


def stored_tokens(app: Flask) -> list[ApiToken]:
    with app.app_context():
        return list(db.session().scalars(select(ApiToken)))


def test_token_is_printed_once_and_stored_hashed(
    run_oqu: Oqu, database_url: str, app: Flask, make_user: Callable[..., User]
) -> None:
    make_user(email="teacher@oqu.example.kz", role=Role.TEACHER)
    result = run_oqu(
        "users", "token", "Teacher@oqu.example.kz", "--scope", "reports:read", database_url=database_url
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)  # 32 random bytes, urlsafe base64
    [token] = stored_tokens(app)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.scope == "reports:read"
    assert result.stderr == (
        f"Token {token.id} for teacher@oqu.example.kz (scope: reports:read) is shown only now; "
        f"revoke it with `oqu users revoke-token {token.id}`.\n"
    )


def test_token_for_an_unknown_email(run_oqu: Oqu, database_url: str) -> None:
    result = run_oqu("users", "token", "nobody@oqu.example.kz", database_url=database_url)
    assert result.exit_code == 1
    assert result.stderr == "Error: there is no account with the email 'nobody@oqu.example.kz'\n"


def test_bearer_token_signs_in_to_the_api(
    client: FlaskClient, make_user: Callable[..., User], make_token: Callable[..., str]
) -> None:
    user = make_user(email="aigerim@oqu.example.kz", full_name="Айгерім Сапарова")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {make_token(user)}"})
    assert response.status_code == 200
    assert response.json == {
        "user": {
            "id": user.id,
            "email": "aigerim@oqu.example.kz",
            "full_name": "Айгерім Сапарова",
            "role": "student",
            "group": "ӨҚ-21",
            "dl_category": "none",
        },
        "csrf_token": None,
    }


def test_bearer_use_is_recorded(
    client: FlaskClient, app: Flask, make_user: Callable[..., User], make_token: Callable[..., str]
) -> None:
    secret = make_token(make_user())
    assert stored_tokens(app)[0].last_used_at is None
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert stored_tokens(app)[0].last_used_at is not None


def test_wrong_revoked_or_suspended_tokens_are_refused(
    run_oqu: Oqu,
    database_url: str,
    client: FlaskClient,
    app: Flask,
    make_user: Callable[..., User],
    make_token: Callable[..., str],
) -> None:
    user = make_user()
    secret = make_token(user)
    refused = {
        "error": {"code": "invalid_token", "message": "The bearer token is malformed, unknown or revoked."}
    }
    for header in ("Bearer", "Bearer not-a-token", f"Basic {secret}", f"Bearer {secret}x"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert (response.status_code, response.json) == (401, refused), header
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    [token] = stored_tokens(app)
    revoked = run_oqu("users", "revoke-token", str(token.id), database_url=database_url)
    assert revoked.stdout == f"Token {token.id} is revoked.\n"
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert (response.status_code, response.json) == (401, refused)
    listed = run_oqu("users", "tokens", user.email, database_url=database_url)
    assert listed.stdout.startswith(f"{token.id}\tapi\tcreated ")
    assert "\trevoked " in listed.stdout


def test_suspended_users_tokens_stop_working(
    client: FlaskClient, app: Flask, make_user: Callable[..., User], make_token: Callable[..., str]
) -> None:
    user = make_user()
    secret = make_token(user)
    with app.app_context(), db.write_transaction() as writer:
        writer.get_one(User, user.id).is_active = False
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_revoking_an_unknown_token(run_oqu: Oqu, database_url: str) -> None:
    result = run_oqu("users", "revoke-token", "999", database_url=database_url)
    assert result.exit_code == 1
    assert result.stderr == "Error: there is no token 999\n"
