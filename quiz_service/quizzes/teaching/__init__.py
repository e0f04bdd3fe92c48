"""The teacher's side: attempts of a quiz, manual grading with comments, regrade, release of grades."""

from __future__ import annotations

from flask import Flask, g

from auth.models import Role
from quiz_service.core import pages


def init_app(app: Flask) -> None:
    from quiz_service.quizzes.teaching import views

    views.init_app(app)
    pages.add_menu_item(app, pages.MenuItem("teacher_tools", _teacher_tools_url, shown=_is_teacher, order=90))


def _teacher_tools_url(lang: str) -> str:
    return f"/teach/?lang={lang}"


def _is_teacher() -> bool:
    user = g.get("user")
    return user is not None and user.role in (Role.TEACHER, Role.ADMIN)
