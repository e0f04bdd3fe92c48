""" "My studies": one page for a signed-in student that every feature adds a panel to.

The page (`quiz_service/studies/`) shows the student's courses; a feature adds what it knows
with `add_study_panel(app, provider)` in its `init_app`: the quizzes their results and attempts
left, the schedules the next classes, the assignments what is due. A provider takes the reading
session and the `Student` and answers a `StudyPanel`, or None when it has nothing to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlalchemy.orm import Session

EXTENSION = "oqu_study_panels"


@dataclass(frozen=True, slots=True)
class Student:
    """Who the page is for: their courses (ids, in the catalogue's order), language and now."""

    id: int
    email: str
    group: str | None
    courses: tuple[str, ...]
    lang: str
    now: datetime


@dataclass(frozen=True, slots=True)
class StudyItem:
    text: str
    url: str | None = None
    detail: str | None = None
    state: str | None = None  # a word of the state ("overdue", "open", …), shown as a badge
    state_kind: str = "info"  # "alert", "ok" or "info": the badge's colour


@dataclass(frozen=True, slots=True)
class StudyPanel:
    title: str
    items: tuple[StudyItem, ...]
    empty: str  # what the panel says when it has no item
    order: int = 50  # smaller first


StudyProvider = Callable[[Session, Student], StudyPanel | None]


def add_study_panel(app: Flask, provider: StudyProvider) -> None:
    app.extensions.setdefault(EXTENSION, []).append(provider)


def study_panels(app: Flask, reader: Session, student: Student) -> list[StudyPanel]:
    """Every feature's panel for `student`, in their `order`."""
    panels = [provider(reader, student) for provider in app.extensions.get(EXTENSION, [])]
    return sorted((panel for panel in panels if panel is not None), key=lambda panel: panel.order)
