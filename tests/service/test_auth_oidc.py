"""Sign-in through a real OpenID Connect provider on loopback (T12, T13, T14)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from oidc_provider import FORGERIES, OidcProvider, free_port
from sqlalchemy import func, select

from auth.models import OidcIdentity, Role, SignInEvent, User
from quiz_service import create_app
from quiz_service.core import db

pytestmark = pytest.mark.filterwarnings("ignore:The 'grant' parameter will become mandatory")

CLIENT_ID, CLIENT_SECRET = "oqu-service", "client-secret-for-tests"
CALLBACK = "http://localhost/auth/oidc/callback"
FAILED_PAGE_KK = "Оқу орны арқылы кіру мүмкін болмады"
# Why each forgery is refused, as the sign-in log says: the check that caught it.
REASONS = {
    "wrong_nonce": "InvalidClaimError: invalid_claim: Invalid claim: 'nonce'",
    "wrong_audience": "InvalidClaimError: invalid_claim: Invalid claim: 'aud'",
    "audience_via_azp": "InvalidClaimError: invalid_claim: Invalid claim: 'aud'",
    "wrong_issuer": "InvalidClaimError: invalid_claim: Invalid claim: 'iss'",
    "expired": "ExpiredTokenError",
    "alg_none": "UnsupportedAlgorithmError: unsupported_algorithm: Algorithm of 'none' is not allowed",
    "hs256_with_public_key": "UnsupportedAlgorithmError: unsupported_algorithm: Algorithm of 'HS256'",
    "key_in_header": "BadSignatureError",
    "unknown_key": "BadSignatureError",
}


@pytest.fixture(scope="session")
def provider() -> Iterator[OidcProvider]:
    server = OidcProvider().start()
    server.add_client(CLIENT_ID, CLIENT_SECRET, CALLBACK)
    yield server
    server.stop()


@pytest.fixture
def idp(provider: OidcProvider) -> OidcProvider:
    provider.forgery = None
    provider.person = None
    provider.authorize_requests.clear()
    provider.token_requests.clear()
    provider.sign_in_as("kc-7f3a", email="aidana@oqu.example.kz", name="Айдана Төлегенова", groups=["ӨҚ-22"])
    return provider


def oidc_settings(issuer: str) -> dict[str, Any]:
    return {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_ROLE_CLAIM": "roles",
        "OIDC_GROUP_CLAIM": "groups",
    }


@pytest.fixture
def app(app_config: dict[str, Any], provider: OidcProvider) -> Iterator[Flask]:
    app = create_app(app_config | oidc_settings(provider.issuer))
    yield app
    app.extensions["oqu_db"].engine.dispose()


def start(client: FlaskClient, next_url: str = "/kk/") -> str:
    """Begin at oqu, go through the provider for real; the callback URL it sends back."""
    response = client.get(f"/auth/oidc/start?next={next_url}")
    assert response.status_code == 302, response.text
    at_provider = requests.get(response.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    callback = at_provider.headers["Location"]
    assert callback.startswith(CALLBACK), callback
    return callback


def finish(client: FlaskClient, callback: str) -> Any:
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def count(app: Flask, model: Any, *where: Any) -> int:
    with app.app_context():
        return int(db.session().scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_sign_in_through_the_provider(client: FlaskClient, idp: OidcProvider, app: Flask) -> None:
    login = client.get("/auth/login")
    assert 'href="/auth/oidc/start?next=' not in login.text  # no next: a plain link
    assert "Оқу орнының аккаунтымен кіру" in login.text
    before = client.get_cookie("oqu_session")
    response = finish(client, start(client, "/kk/courses/"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/kk/courses/"
    assert client.get_cookie("oqu_session").value != before.value  # rotated at sign-in
    me = client.get("/api/v1/me").json["user"]
    assert (me["email"], me["full_name"], me["role"], me["group"]) == (
        "aidana@oqu.example.kz",
        "Айдана Төлегенова",
        "student",
        "ӨҚ-22",
    )
    with app.app_context():
        identity = db.session().scalars(select(OidcIdentity)).one()
        assert (identity.issuer, identity.subject) == (idp.issuer, "kc-7f3a")
        line = db.session().scalars(select(SignInEvent).where(SignInEvent.event == "sign_in")).one()
        assert (line.method, line.user_id, line.address) == ("oidc", me["id"], "127.0.0.1")
    [asked] = idp.authorize_requests
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert asked["state"] and asked["nonce"] and asked["response_type"] == "code"
    assert len(idp.token_requests[0]["code_verifier"]) >= 43


def test_the_same_person_signs_in_again_into_the_same_account(
    client: FlaskClient, idp: OidcProvider, app: Flask
) -> None:
    finish(client, start(client))
    first = client.get("/api/v1/me").json["user"]["id"]
    client.post("/auth/logout", data={"csrf_token": client.get("/api/v1/me").json["csrf_token"]})
    idp.sign_in_as("kc-7f3a", email="new-address@oqu.example.kz", name="Айдана Төлегенова", roles=["teacher"])
    assert finish(client, start(client)).status_code == 303
    me = client.get("/api/v1/me").json["user"]
    assert (me["id"], me["role"]) == (first, "teacher")  # the subject decides, not the email
    assert count(app, User) == 1


@pytest.mark.parametrize("forgery", FORGERIES)
def test_forged_or_wrong_id_tokens_are_refused(
    client: FlaskClient, idp: OidcProvider, app: Flask, forgery: str
) -> None:
    idp.forgery = forgery
    response = finish(client, start(client))
    assert response.status_code == 400
    assert FAILED_PAGE_KK in response.text
    assert client.get("/api/v1/me").status_code == 401
    assert count(app, User) == 0 and count(app, OidcIdentity) == 0
    assert count(app, SignInEvent, SignInEvent.event == "failure", SignInEvent.method == "oidc") == 1
    with app.app_context():
        [reason] = db.session().scalars(select(SignInEvent.detail)).all()
    assert reason.startswith(REASONS[forgery]), reason


def _with_state(callback: str, state: str | None) -> str:
    parts = urlsplit(callback)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.pop("state")
    if state is not None:
        query["state"] = state
    return parts.path + "?" + "&".join(f"{key}={value}" for key, value in query.items())


@pytest.mark.parametrize("state", [None, "altered", "extra"])
def test_missing_or_altered_state_is_refused(
    client: FlaskClient, idp: OidcProvider, app: Flask, state: str | None
) -> None:
    callback = start(client)
    real = parse_qs(urlsplit(callback).query)["state"][0]
    altered = real[:-1] + ("A" if real[-1] != "A" else "B")
    forged = {None: None, "altered": altered, "extra": real + "x"}[state]
    response = client.get(_with_state(callback, forged))
    assert response.status_code == 400
    assert client.get("/api/v1/me").status_code == 401
    assert count(app, User) == 0
    assert idp.token_requests == []  # refused before the code was even used


def test_a_reused_state_is_refused(client: FlaskClient, idp: OidcProvider, app: Flask) -> None:
    callback = start(client)
    old_cookie = client.get_cookie("oqu_session").value
    assert finish(client, callback).status_code == 303
    assert finish(client, callback).status_code == 400  # same browser, signed in now
    other = app.test_client()
    other.set_cookie("oqu_session", old_cookie)  # the cookie from before the sign-in
    assert finish(other, callback).status_code == 400
    assert other.get("/api/v1/me").status_code == 401
    assert count(app, SignInEvent, SignInEvent.event == "sign_in") == 1


def test_an_email_of_a_local_account_is_never_merged(
    client: FlaskClient, idp: OidcProvider, app: Flask, make_user: Callable[..., User], run_oqu: Any
) -> None:
    local = make_user(email="aidana@oqu.example.kz", role=Role.TEACHER, password="жергілікті-құпиясөз")
    response = finish(client, start(client))
    assert response.status_code == 403
    assert "байланыстырылмаған" in response.text
    assert client.get("/api/v1/me").status_code == 401
    assert count(app, OidcIdentity) == 0 and count(app, User) == 1
    with app.app_context():
        result = run_oqu(
            "users", "link", local.email, "--issuer", idp.issuer, "--subject", "kc-7f3a",
            database_url=app.config["DATABASE_URL"],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert finish(client, start(client)).status_code == 303
    assert client.get("/api/v1/me").json["user"]["id"] == local.id


def test_a_suspended_account_cannot_sign_in_and_loses_its_session(
    client: FlaskClient, idp: OidcProvider, app: Flask
) -> None:
    from auth import service

    assert finish(client, start(client)).status_code == 303
    user_id = client.get("/api/v1/me").json["user"]["id"]
    with app.app_context(), db.write_transaction() as writer:
        service.set_active(writer, writer.get_one(User, user_id), active=False)
    assert client.get("/api/v1/me").status_code == 401  # at once, on the next request
    response = finish(client, start(client))
    assert response.status_code == 403
    assert "Есептік жазба тоқтатылған" in response.text
    assert client.get("/api/v1/me").status_code == 401


def test_provider_down_shows_a_clear_page_and_the_local_form(app_config: dict[str, Any]) -> None:
    app = create_app(app_config | oidc_settings(f"http://127.0.0.1:{free_port()}"))
    try:
        response = app.test_client().get("/auth/oidc/start?lang=ru")
        assert response.status_code == 503
        assert "Система аутентификации сейчас недоступна или неверно настроена." in response.text
        assert 'name="password"' in response.text
    finally:
        app.extensions["oqu_db"].engine.dispose()


def test_misconfigured_provider_shows_the_same_page(
    app_config: dict[str, Any], provider: OidcProvider
) -> None:
    app = create_app(app_config | oidc_settings(provider.issuer + "/jwks"))  # no discovery there
    try:
        response = app.test_client().get("/auth/oidc/start?lang=en")
        assert response.status_code == 503
        assert "The authentication system is unavailable or misconfigured right now." in response.text
    finally:
        app.extensions["oqu_db"].engine.dispose()


def test_without_a_provider_there_is_no_sso_button(client: FlaskClient, app_config: dict[str, Any]) -> None:
    app = create_app(app_config)
    try:
        page = app.test_client().get("/auth/login")
        assert "/auth/oidc/start" not in page.text
        assert app.test_client().get("/auth/oidc/start").status_code == 404
    finally:
        app.extensions["oqu_db"].engine.dispose()
