"""A real OpenID Connect provider on loopback, built from authlib's server components.

It runs in a thread on a free port with its own RSA signing key and JWKS: discovery,
an authorization endpoint that signs in whoever the test says (no login form), a token
endpoint with client authentication, PKCE (S256) and one-time codes, and ID tokens signed
with RS256. `forgery` makes it answer with a forged or wrong ID token instead, so that a
test can show the service refuses it: wrong nonce, audience or issuer, expired, alg=none,
HS256 "signed" with the public key, a key of its own in the token header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from site_server import free_port
from werkzeug.serving import make_server

FORGERIES = (
    "wrong_nonce",
    "wrong_audience",
    "audience_via_azp",
    "wrong_issuer",
    "expired",
    "alg_none",
    "hs256_with_public_key",
    "key_in_header",
    "unknown_key",
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        allowed = {"openid", "email", "profile"}
        return " ".join(word for word in scope.split() if word in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Person:
    sub: str
    claims: dict[str, Any] = field(default_factory=dict)


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: Person
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class OidcProvider:
    """Start with `start()`; `issuer` is its URL. Not thread-safe for settings: set, then act."""

    def __init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "oqu-test-1", "use": "sig", "alg": "RS256"})
        self.attacker_key = RSAKey.generate_key(2048, parameters={"kid": "oqu-test-1"})
        # Small enough that a header carrying it stays under joserfc's header size limit, so
        # that the test reaches the signature check rather than the size check.
        self.header_key = RSAKey.generate_key(1024, parameters={"kid": "oqu-test-1"}, auto_kid=False)
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.person: Person | None = None  # who is signed in at the provider
        self.forgery: str | None = None
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.app = self._make_app()
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> OidcProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def add_client(self, client_id: str, client_secret: str, redirect_uri: str) -> None:
        self.clients[client_id] = Client(client_id, client_secret, [redirect_uri])

    def sign_in_as(self, sub: str, **claims: Any) -> None:
        self.person = Person(sub, claims)

    # The server -------------------------------------------------------------------------

    def _make_app(self) -> Flask:
        app = Flask("oidc_provider")
        app.config["OAUTH2_ERROR_URIS"] = []
        server = AuthorizationServer(app, query_client=self.clients.get, save_token=lambda token, req: None)
        server.register_grant(_code_grant(self), [CodeChallenge(required=True), _openid_code(self)])

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify(self.metadata())

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify({"keys": [self.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize() -> Any:
            self.authorize_requests.append(request.args.to_dict())
            return server.create_authorization_response(grant_user=self.person)

        @app.post("/token")
        def token() -> Any:
            self.token_requests.append(request.form.to_dict())
            return server.create_token_response()

        return app

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            # A careless provider advertises everything; the client must still refuse.
            "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def id_token(self, claims: dict[str, Any]) -> str:
        """The ID token for `claims`, honest or forged as `forgery` says."""
        claims = dict(claims)
        now = int(time.time())
        header: dict[str, Any] = {"alg": "RS256", "kid": self.key.kid}
        key = self.key
        match self.forgery:
            case "wrong_nonce":
                claims["nonce"] = secrets.token_urlsafe(16)
            case "wrong_audience":
                claims["aud"] = "someone-elses-client"
            case "audience_via_azp":
                claims["aud"], claims["azp"] = ["someone-elses-client"], claims["aud"][0]
            case "wrong_issuer":
                claims["iss"] = "http://127.0.0.1:9/evil"
            case "expired":
                claims["iat"], claims["exp"] = now - 7200, now - 3600
            case "alg_none":
                return _unsigned({"alg": "none"}, claims)
            case "hs256_with_public_key":
                public_pem = self.key.as_pem(private=False)
                return _hmac_signed({"alg": "HS256", "kid": self.key.kid}, claims, public_pem)
            case "key_in_header":
                header["jwk"] = self.header_key.as_dict(private=False)
                key = self.header_key
            case "unknown_key":
                key = self.attacker_key
        return jwt.encode(header, claims, key, algorithms=["RS256"])


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}."


def _hmac_signed(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def _code_grant(provider: OidcProvider) -> type[grants.AuthorizationCodeGrant]:
    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code: str, req: Any) -> None:
            data = req.payload.data
            provider.codes[code] = Code(
                code=code,
                client_id=req.client.client_id,
                redirect_uri=req.payload.redirect_uri,
                scope=req.scope,
                person=req.user,
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
            )

        def query_authorization_code(self, code: str, client: Client) -> Code | None:
            item = provider.codes.get(code)
            return item if item is not None and item.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code: Code) -> None:
            provider.codes.pop(authorization_code.code, None)  # one use only

        def authenticate_user(self, authorization_code: Code) -> Person:
            return authorization_code.person

    return CodeGrant


def _openid_code(provider: OidcProvider) -> OpenIDCode:
    class ProviderOpenIDCode(OpenIDCode):
        def exists_nonce(self, nonce: str, req: Any) -> bool:
            return any(code.nonce == nonce for code in provider.codes.values())

        def resolve_client_private_key(self, client: Client) -> RSAKey:
            return provider.key

        def get_client_algorithm(self, client: Client) -> str:
            return "RS256"

        def get_encode_header(self, client: Client) -> dict[str, Any]:
            return {"alg": "RS256", "kid": provider.key.kid}

        def get_client_claims(self, client: Client) -> dict[str, Any]:
            return {"iss": provider.issuer, "aud": [client.client_id]}

        def generate_user_info(self, user: Person, scope: str) -> UserInfo:
            return UserInfo(sub=user.sub, **user.claims)

        def encode_id_token(self, token: dict[str, Any], req: Any) -> str:
            claims = self.get_compatible_claims(req)
            claims.update(self.get_authorization_code_claims(req.authorization_code))
            claims.update(self.generate_user_info(req.user, token["scope"]))
            return provider.id_token(claims)

    return ProviderOpenIDCode(require_nonce=True)
