"""Sign-in through the institution's OpenID Connect provider (Keycloak, Azure AD, Google …).

Authorization code flow with PKCE (S256), state and nonce, by authlib's Flask client; the
pending sign-in (state, nonce, code verifier) lives in the server-side session, never in a
shared cache. The ID token is checked for its signature against the provider's JWKS (only
asymmetric algorithms: never `none`, never an HMAC that a public key could forge), issuer,
audience, expiry and nonce. Identities are keyed by (issuer, subject), never by email: an
email that a local account already has is not merged into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth import service
from auth.models import OidcIdentity, Role, User
from auth.settings import oidc_configured
from quiz_service.core.db import utcnow

CLIENT_NAME = "institution"
# Asymmetric signatures only: an HS256 token "signed" with the provider's public key, or
# alg=none, must never verify.
ALLOWED_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
# When a role claim lists several roles, the strongest wins.
ROLE_PRECEDENCE = (Role.ADMIN, Role.TEACHER, Role.STUDENT, Role.PARTNER)


class ProviderUnavailable(Exception):
    """The provider does not answer, or its discovery document is unusable."""


class SignInRefused(Exception):
    """The provider's answer is not a valid sign-in; `reason` is for the log, never shown."""

    def __init__(self, reason: str, *, page: str = "oidc_failed", user_id: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.page = page
        self.user_id = user_id


# Errors that mean "the answer is not a valid sign-in": bad state, bad token, refused code.
REFUSALS = (AuthlibBaseError, JoseError, ValueError, KeyError, TypeError)


def init_app(app: Flask) -> None:
    oauth = OAuth(app)  # no cache: the pending sign-in stays in the user's own session
    if oidc_configured(app.config):
        oauth.register(
            CLIENT_NAME,
            client_id=app.config["OIDC_CLIENT_ID"],
            client_secret=app.config["OIDC_CLIENT_SECRET"],
            server_metadata_url=discovery_url(app.config["OIDC_ISSUER"]),
            client_kwargs={
                "scope": app.config["OIDC_SCOPE"],
                "code_challenge_method": "S256",
                "timeout": app.config["OIDC_TIMEOUT_SECONDS"],
            },
        )
    app.extensions["oqu_oauth"] = oauth


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def is_configured() -> bool:
    return oidc_configured(current_app.config)


def _client() -> Any:
    return current_app.extensions["oqu_oauth"].create_client(CLIENT_NAME)


def _load_metadata(client: Any) -> None:
    """Fetch discovery once; keep only the algorithms oqu accepts."""
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"discovery failed: {error}") from None
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "issuer"):
        if not metadata.get(key):
            client.server_metadata.pop("_loaded_at", None)
            raise ProviderUnavailable(f"discovery document has no {key}")
    advertised = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    accepted = [alg for alg in advertised if alg in ALLOWED_ALGORITHMS]
    client.server_metadata["id_token_signing_alg_values_supported"] = accepted or ["RS256"]


def authorization_redirect(redirect_uri: str) -> Any:
    """The redirect to the provider; state, nonce and PKCE verifier are kept in the session."""
    client = _client()
    _load_metadata(client)
    return client.authorize_redirect(redirect_uri)


@dataclass(frozen=True)
class Claims:
    issuer: str
    subject: str
    email: str | None
    name: str
    roles: list[str]
    group: str | None


def finish_sign_in() -> Claims:
    """Exchange the code and check the ID token; SignInRefused or ProviderUnavailable."""
    client = _client()
    _load_metadata(client)
    # authlib checks `aud` only when told to (otherwise only through `azp`): tell it.
    options = {
        "iss": {"essential": True, "value": current_app.config["OIDC_ISSUER"]},
        "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
    }
    try:
        token = client.authorize_access_token(claims_options=options, leeway=60)
    except requests.RequestException as error:
        raise ProviderUnavailable(f"token request failed: {error}") from None
    except REFUSALS as error:
        raise SignInRefused(f"{type(error).__name__}: {error}") from None
    userinfo = token.get("userinfo")
    if not userinfo:
        raise SignInRefused("no ID token in the token response")
    return _claims(dict(userinfo))


def _claims(values: dict[str, Any]) -> Claims:
    config = current_app.config
    roles = _strings(values.get(config["OIDC_ROLE_CLAIM"])) if config["OIDC_ROLE_CLAIM"] else []
    groups = _strings(values.get(config["OIDC_GROUP_CLAIM"])) if config["OIDC_GROUP_CLAIM"] else []
    email = values.get("email") if values.get("email_verified", True) is not False else None
    return Claims(
        issuer=str(values["iss"]),
        subject=str(values["sub"]),
        email=str(email) if email else None,
        name=str(values.get("name") or "")[:200],
        roles=roles,
        group=groups[0][:64] if groups else None,
    )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return []


def role_from_claims(claims: Claims) -> Role | None:
    named = {name.lower() for name in claims.roles}
    return next((role for role in ROLE_PRECEDENCE if role.value in named), None)


def user_for_claims(writer: Session, claims: Claims) -> User:
    """The user of this (issuer, subject): linked before, or a new account when allowed."""
    identity = writer.scalars(
        select(OidcIdentity).where(
            OidcIdentity.issuer == claims.issuer, OidcIdentity.subject == claims.subject
        )
    ).one_or_none()
    if identity is None:
        user = _new_account(writer, claims)
        identity = OidcIdentity(issuer=claims.issuer, subject=claims.subject, user_id=user.id)
        writer.add(identity)
    user = writer.get_one(User, identity.user_id)
    if not user.is_active:
        raise SignInRefused("account suspended", page="suspended", user_id=user.id)
    identity.email = claims.email
    identity.last_sign_in_at = utcnow()
    _apply_claims(user, claims)
    return user


def _new_account(writer: Session, claims: Claims) -> User:
    if not current_app.config["OIDC_CREATE_ACCOUNTS"]:
        raise SignInRefused("no linked account", page="not_linked")
    if claims.email is None:
        raise SignInRefused("no verified email to create an account with", page="not_linked")
    existing = service.find_user(writer, claims.email)
    if existing is not None:
        # Never merge by email: the same address at the provider may be someone else.
        raise SignInRefused(f"email {claims.email} belongs to an unlinked account", page="not_linked")
    role = role_from_claims(claims) or Role.STUDENT
    try:
        return service.create_user(writer, claims.email, role, full_name=claims.name, group=claims.group)
    except service.AccountError as error:
        raise SignInRefused(str(error), page="not_linked") from None


def _apply_claims(user: User, claims: Claims) -> None:
    """The provider is the source of the name, and of role and group when claims are set up."""
    if claims.name:
        user.full_name = claims.name
    role = role_from_claims(claims)
    if role is not None:
        user.role = role
    if current_app.config["OIDC_GROUP_CLAIM"] and claims.group is not None:
        user.group = claims.group


def link_identity(writer: Session, user: User, issuer: str, subject: str) -> OidcIdentity:
    """Link a provider account to an existing user (the academic office's decision)."""
    taken = writer.scalars(
        select(OidcIdentity).where(OidcIdentity.issuer == issuer, OidcIdentity.subject == subject)
    ).one_or_none()
    if taken is not None:
        raise service.AccountError(f"{issuer} {subject} is already linked to user {taken.user_id}")
    identity = OidcIdentity(issuer=issuer, subject=subject, user_id=user.id)
    writer.add(identity)
    writer.flush()
    return identity
