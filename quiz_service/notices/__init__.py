"""Orders of the head moving groups to distance learning (R4) and announcements, published by
the academic office at once: every page's header script shows them without a rebuild, while the
static pages keep the last built banner and announcements for readers without the service."""

from __future__ import annotations

from flask import Flask, g

from auth.models import Role
from quiz_service.core import pages


def init_app(app: Flask) -> None:
    from quiz_service.notices import views

    app.register_blueprint(views.api)
    app.register_blueprint(views.pages)
    pages.add_menu_item(app, pages.MenuItem("notices", _office_url, shown=_is_office, order=95))


def _office_url(lang: str) -> str:
    return f"/admin/notices?lang={lang}"


def _is_office() -> bool:
    user = g.get("user")
    return user is not None and user.role == Role.ADMIN
