"""The service's own API endpoints: health and the OpenAPI description."""

from __future__ import annotations

from flask import Flask

from quiz_service.api.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
