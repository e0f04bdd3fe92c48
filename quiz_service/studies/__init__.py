""" "My studies" ("Менің оқуым"): the signed-in student's courses, next classes, deadlines and
whatever other features add (`quiz_service.core.studies.add_study_panel`)."""

from __future__ import annotations

from flask import Flask, g

from quiz_service.core import pages, studies


def init_app(app: Flask) -> None:
    from quiz_service.studies import panels, views

    app.register_blueprint(views.bp)
    pages.add_menu_item(app, pages.MenuItem("my_studies", _my_studies_url, shown=_signed_in, order=10))
    studies.add_study_panel(app, panels.next_classes)
    studies.add_study_panel(app, panels.deadlines)


def _my_studies_url(lang: str) -> str:
    return f"/my/?lang={lang}"


def _signed_in() -> bool:
    return g.get("user") is not None
