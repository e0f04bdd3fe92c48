"""Sign-in (local accounts now; institution OIDC later), roles and API tokens."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from auth import csrf, identity, views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.api_bp)
    app.before_request(identity.load_identity)
    app.before_request(csrf.protect_api)
