"""Request and response bodies of the notices API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from quiz_service.core.openapi import RequestBody

Texts = dict[str, str]


class OrderIn(RequestBody):
    number: str = Field(min_length=1, max_length=40)
    signed_on: date
    starts_on: date
    until: date | None = None
    groups: list[str] = Field(default_factory=list, max_length=200)  # empty: every student
    note: Texts = Field(default_factory=dict)


class OrderEnd(RequestBody):
    on: date  # the last day of distance learning


class AnnouncementIn(RequestBody):
    title: Texts
    text: Texts
    urgent: bool = False
    until: date | None = None


class OrderOut(BaseModel):
    id: int
    number: str
    signed_on: date
    starts_on: date
    until: date | None
    groups: list[str]
    note: str  # in the asked language
    issued_at: datetime
    ended_at: datetime | None


class AnnouncementOut(BaseModel):
    id: int
    title: str  # in the asked language
    text: str
    urgent: bool
    until: date | None
    published_at: datetime
    withdrawn_at: datetime | None


class DistanceLearningOut(BaseModel):
    # True once the academic office has issued any order here: the service's word then replaces
    # the banner the static pages were built with (false: the static banner stays as built)
    managed: bool
    in_force: bool
    banner: str | None  # the words the pages show, in the asked language: the order, then the note
    order_line: str | None  # the order alone ("Distance learning mode: order of the head No. …")
    note: str | None
    orders: list[OrderOut]


class NoticesOut(BaseModel):
    today: date  # in Kazakhstan
    distance_learning: DistanceLearningOut
    announcements: list[AnnouncementOut]


class OrdersOut(BaseModel):
    orders: list[OrderOut]
