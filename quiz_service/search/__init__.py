"""GET /api/v1/search: the built index (build/search/), filtered by who may see which course."""

from __future__ import annotations

from flask import Flask

from quiz_service.search.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
