"""T03: every endpoint of the app x every kind of caller -> the expected status.

The table is generated against the app's URL map: a new endpoint (rule and method) without
an entry in MATRIX fails `test_every_endpoint_has_an_entry`. To add one, write a `Case`: the
URL to call (placeholders below), an optional form or JSON body, and the status for each
caller. `signed_in(200)` means 401 for anonymous callers and 200 for everyone else;
`expect(...)` names the callers that differ from a default.

Callers: anonymous; student (enrolled in the gated course `fire-safety`, owner of the
objects below); other_student (same role, not enrolled, owns nothing); teacher; admin;
partner. Each signs in through the form and sends the CSRF token, so that what is tested is
who may do what, not CSRF (tested on its own).

Placeholders: {student_token} an API token of the student; {victim} a student that the
admin may suspend; {attempt} the student's open attempt at the quiz `exam` of the gated
course, {question} one of its questions.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from assignment_fixtures import REPORT
from assignment_fixtures import publish as publish_assignments
from auth_helpers import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from postgres_server import PostgresServer
from quiz_bundle import publish_gift_quiz
from werkzeug.test import Cookie

from auth import enrolment
from auth.models import Role, User
from builder.quizzes.model import ProctoringPolicy
from quiz_service import create_app
from quiz_service.core import db

CALLERS = ("anonymous", "student", "other_student", "teacher", "admin", "partner")
LESSON = "/kk/courses/fire-safety/combustion/"
MANIFEST = {
    "version": 1,
    "courses": [
        {"id": "dl-orientation", "access": "open", "title": {"kk": "Қашықтан оқыту"}},
        {
            "id": "fire-safety",
            "access": "enrolled",
            "title": {"kk": "Өрт қауіпсіздігі"},
            "teachers": ["teacher@oqu.example.kz"],
            "schedule": [  # a live class far ahead: a student of its group is told "not open yet"
                {
                    "id": "live-1",
                    "start": "2030-01-10T10:00:00+05:00",
                    "duration": 90,
                    "audience": ["ТҚ-21"],
                    "join_url": "https://meet.example.kz/live-1",
                }
            ],
        },
    ],
}


def expect(default: int, **callers: int) -> dict[str, int]:
    return {caller: callers.get(caller, default) for caller in CALLERS}


def signed_in(status: int, **callers: int) -> dict[str, int]:
    return expect(status, anonymous=401, **callers)


def staff_page(admin: int) -> dict[str, int]:
    """An admin page: anonymous callers go to the sign-in page, others are refused."""
    return expect(403, anonymous=302, admin=admin)


@dataclass(frozen=True)
class Case:
    url: str
    statuses: dict[str, int]
    form: dict[str, str] | None = None
    json: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


READERS_OF_THE_GATED_COURSE = dict(student=200, teacher=200, admin=200)
TEACHERS_OF_THE_COURSE = dict(teacher=200, admin=200)


def teacher_page(status: int) -> dict[str, int]:
    """A teacher's page of fire-safety: anonymous callers go to the sign-in page, others get 403."""
    return expect(403, anonymous=302, teacher=status, admin=status)


A_API = "/api/v1/assignments/fire-safety/report"  # assignment_fixtures.REPORT, due in 2030 here
A_TEACH = "/api/v1/teach/assignments/fire-safety/report"
A_PAGE = "/assignments/fire-safety/report"
A_TEACH_PAGE = "/teach/assignments/fire-safety/report"
G_TEACH = "/api/v1/teach/gradebook/fire-safety"

MATRIX: dict[tuple[str, str], Case] = {
    # The static site: open pages for all, a gated lesson for its readers only.
    ("GET", "/"): Case("/", expect(200)),
    ("GET", "/<sitepath:path>"): Case(LESSON, expect(403, anonymous=303, **READERS_OF_THE_GATED_COURSE)),
    # The API.
    ("GET", "/api/v1/health"): Case("/api/v1/health", expect(200)),
    ("GET", "/api/v1/ready"): Case("/api/v1/ready", expect(200)),
    ("GET", "/api/v1/openapi.json"): Case("/api/v1/openapi.json", expect(200)),
    ("GET", "/api/v1/me"): Case("/api/v1/me", signed_in(200)),
    ("GET", "/api/v1/me/tokens"): Case("/api/v1/me/tokens", signed_in(200)),
    ("POST", "/api/v1/me/tokens"): Case("/api/v1/me/tokens", signed_in(201), json={"scope": ["api"]}),
    ("DELETE", "/api/v1/me/tokens/<int:token_id>"): Case(
        "/api/v1/me/tokens/{student_token}", signed_in(404, student=204)
    ),
    # Search asks auth.enrolment.may_read like the gated pages: a reader of the course gets
    # past the access check (then 503 here, since no index is built), others 401/403.
    ("GET", "/api/v1/search"): Case(
        "/api/v1/search?q=жану&course=fire-safety",
        expect(503, anonymous=401, partner=403, other_student=403),
    ),
    # Quizzes (quiz_service/quizzes): the gated course's quiz for its readers; attempts are
    # their owner's only, and another's is as missing as one that does not exist (404).
    ("GET", "/api/v1/quizzes/<course>/<quiz>"): Case(
        "/api/v1/quizzes/fire-safety/exam", signed_in(404, **READERS_OF_THE_GATED_COURSE)
    ),
    ("POST", "/api/v1/quizzes/<course>/<quiz>/attempts"): Case(
        "/api/v1/quizzes/fire-safety/exam/attempts",
        signed_in(404, student=200, teacher=201, admin=201),
        json={},
    ),
    ("GET", "/api/v1/attempts/<int:attempt_id>"): Case(
        "/api/v1/attempts/{attempt}", signed_in(404, student=200)
    ),
    ("PUT", "/api/v1/attempts/<int:attempt_id>/answers/<question>"): Case(
        "/api/v1/attempts/{attempt}/answers/{question}",
        signed_in(404, student=200),
        json={"response": "21", "sequence": 1, "client_id": "matrix"},
    ),
    ("POST", "/api/v1/attempts/<int:attempt_id>/next"): Case(
        "/api/v1/attempts/{attempt}/next", signed_in(404, student=409), json={"position": 0}
    ),
    ("POST", "/api/v1/attempts/<int:attempt_id>/submit"): Case(
        "/api/v1/attempts/{attempt}/submit", signed_in(404, student=200), json={}
    ),
    # Teacher tools (quiz_service/quizzes/teaching/views.py): the course's teacher and admins
    # only; the matrix's attempt is open, so grading it answers 409 once access is granted.
    ("GET", "/api/v1/teach/quizzes"): Case("/api/v1/teach/quizzes", signed_in(403, **TEACHERS_OF_THE_COURSE)),
    ("GET", "/api/v1/teach/quizzes/<course>/<quiz>/attempts"): Case(
        "/api/v1/teach/quizzes/fire-safety/exam/attempts", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("GET", "/api/v1/teach/quizzes/<course>/<quiz>/grading"): Case(
        "/api/v1/teach/quizzes/fire-safety/exam/grading", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("POST", "/api/v1/teach/quizzes/<course>/<quiz>/regrade"): Case(
        "/api/v1/teach/quizzes/fire-safety/exam/regrade",
        signed_in(403, **TEACHERS_OF_THE_COURSE),
        json={"dry_run": True},
    ),
    ("POST", "/api/v1/teach/quizzes/<course>/<quiz>/release"): Case(
        "/api/v1/teach/quizzes/fire-safety/exam/release", signed_in(403, **TEACHERS_OF_THE_COURSE), json={}
    ),
    ("GET", "/api/v1/teach/attempts/<int:attempt_id>"): Case(
        "/api/v1/teach/attempts/{attempt}", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("PUT", "/api/v1/teach/attempts/<int:attempt_id>/grades/<question>"): Case(
        "/api/v1/teach/attempts/{attempt}/grades/{question}",
        signed_in(403, teacher=409, admin=409),
        json={"points": 1},
    ),
    ("GET", "/teach/"): Case("/teach/", teacher_page(200)),
    ("GET", "/teach/<course>/<quiz>/"): Case("/teach/fire-safety/exam/", teacher_page(200)),
    ("POST", "/teach/<course>/<quiz>/release"): Case(
        "/teach/fire-safety/exam/release", teacher_page(303), form={}
    ),
    ("GET", "/teach/<course>/<quiz>/regrade"): Case("/teach/fire-safety/exam/regrade", teacher_page(200)),
    ("POST", "/teach/<course>/<quiz>/regrade"): Case(
        "/teach/fire-safety/exam/regrade", teacher_page(200), form={}
    ),
    ("GET", "/teach/<course>/<quiz>/next"): Case("/teach/fire-safety/exam/next", teacher_page(303)),
    ("GET", "/teach/attempts/<int:attempt_id>"): Case("/teach/attempts/{attempt}", teacher_page(200)),
    ("POST", "/teach/attempts/<int:attempt_id>/grades/<question>"): Case(
        "/teach/attempts/{attempt}/grades/{question}", teacher_page(409), form={"points": "1"}
    ),
    # Quiz statistics and results export (quiz_service/quizzes/reports/views.py): the same rule.
    ("GET", "/api/v1/teach/quizzes/<course>/<quiz>/statistics"): Case(
        "/api/v1/teach/quizzes/fire-safety/exam/statistics", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("GET", "/api/v1/teach/quizzes/<course>/<quiz>/results.csv"): Case(
        "/api/v1/teach/quizzes/fire-safety/exam/results.csv", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("GET", "/api/v1/teach/quizzes/<course>/<quiz>/results.xlsx"): Case(
        "/api/v1/teach/quizzes/fire-safety/exam/results.xlsx", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("GET", "/teach/<course>/<quiz>/statistics"): Case(
        "/teach/fire-safety/exam/statistics", teacher_page(200)
    ),
    # Overrides (quiz_service/quizzes/overrides/views.py); 999999: no such override.
    ("GET", "/api/v1/teach/quizzes/<course>/<quiz>/overrides"): Case(
        "/api/v1/teach/quizzes/fire-safety/exam/overrides", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("PUT", "/api/v1/teach/quizzes/<course>/<quiz>/overrides"): Case(
        "/api/v1/teach/quizzes/fire-safety/exam/overrides",
        signed_in(403, **TEACHERS_OF_THE_COURSE),
        json={"group": "ӨҚ-99", "time_limit": 30},
    ),
    ("DELETE", "/api/v1/teach/quizzes/<course>/<quiz>/overrides/<int:override_id>"): Case(
        "/api/v1/teach/quizzes/fire-safety/exam/overrides/999999", signed_in(403, teacher=404, admin=404)
    ),
    ("GET", "/teach/<course>/<quiz>/overrides"): Case("/teach/fire-safety/exam/overrides", teacher_page(200)),
    ("POST", "/teach/<course>/<quiz>/overrides"): Case(
        "/teach/fire-safety/exam/overrides", teacher_page(303), form={"who": "ӨҚ-99", "time_limit": "30"}
    ),
    ("POST", "/teach/<course>/<quiz>/overrides/<int:override_id>/delete"): Case(
        "/teach/fire-safety/exam/overrides/999999/delete", teacher_page(404), form={}
    ),
    # Sign-in pages.
    ("GET", "/auth/login"): Case("/auth/login", expect(200)),
    ("POST", "/auth/login"): Case(
        "/auth/login", expect(200), form={"email": "nobody@oqu.example.kz", "password": "қате"}
    ),
    ("POST", "/auth/logout"): Case("/auth/logout", expect(303), form={}),
    ("GET", "/auth/oidc/start"): Case("/auth/oidc/start", expect(404)),  # no provider configured here
    ("GET", "/auth/oidc/callback"): Case("/auth/oidc/callback?code=x&state=y", expect(404)),
    ("GET", "/auth/request"): Case(
        "/auth/request",
        expect(403, anonymous=401, student=204, teacher=204, admin=204),
        headers={"X-Original-URI": LESSON},
    ),
    ("GET", "/auth/request/refused"): Case(  # readers are sent on to the page itself
        "/auth/request/refused",
        expect(403, anonymous=303, student=303, teacher=303, admin=303),
        headers={"X-Original-URI": LESSON},
    ),
    ("GET", "/auth/profile"): Case("/auth/profile", expect(200, anonymous=302)),
    ("POST", "/auth/password"): Case(
        "/auth/password",
        expect(422, anonymous=302),
        form={"current_password": "қате-құпиясөз", "new_password": "жаңа-құпиясөз"},
    ),
    ("GET", "/auth/reset/<secret>"): Case("/auth/reset/not-a-link", expect(404)),
    ("POST", "/auth/reset/<secret>"): Case(
        "/auth/reset/not-a-link", expect(404), form={"new_password": "жаңа-құпиясөз"}
    ),
    # The admin page.
    ("GET", "/auth/admin"): Case("/auth/admin", staff_page(admin=200)),
    ("POST", "/auth/admin/enrol"): Case(
        "/auth/admin/enrol", staff_page(admin=200), form={"course": "fire-safety", "who": "ТҚ-22"}
    ),
    ("POST", "/auth/admin/unenrol"): Case(
        "/auth/admin/unenrol", staff_page(admin=200), form={"course": "fire-safety", "who": "ТҚ-22"}
    ),
    ("POST", "/auth/admin/users/<int:user_id>/suspend"): Case(
        "/auth/admin/users/{victim}/suspend", staff_page(admin=200), form={}
    ),
    ("POST", "/auth/admin/users/<int:user_id>/restore"): Case(
        "/auth/admin/users/{victim}/restore", staff_page(admin=200), form={}
    ),
    # "My studies": every signed-in user's own page.
    ("GET", "/my/"): Case("/my/", expect(200, anonymous=302)),
    # Orders of the head and announcements: everyone reads them, the academic office publishes.
    ("GET", "/api/v1/notices"): Case("/api/v1/notices", expect(200)),
    ("GET", "/api/v1/notices/orders"): Case("/api/v1/notices/orders", signed_in(403, admin=200)),
    ("POST", "/api/v1/notices/orders"): Case(
        "/api/v1/notices/orders",
        signed_in(403, admin=201),
        json={"number": "112-ж", "signed_on": "2026-11-20", "starts_on": "2026-11-23"},
    ),
    ("POST", "/api/v1/notices/orders/<int:order_id>/end"): Case(
        "/api/v1/notices/orders/999/end", signed_in(403, admin=404), json={"on": "2026-12-01"}
    ),
    ("POST", "/api/v1/notices/announcements"): Case(
        "/api/v1/notices/announcements",
        signed_in(403, admin=201),
        json={"title": {"kk": "Хабарландыру"}, "text": {"kk": "Мәтін"}},
    ),
    ("POST", "/api/v1/notices/announcements/<int:announcement_id>/withdraw"): Case(
        "/api/v1/notices/announcements/999/withdraw", signed_in(403, admin=404), json={}
    ),
    ("GET", "/admin/notices"): Case("/admin/notices", staff_page(admin=200)),
    ("POST", "/admin/notices/orders"): Case(
        "/admin/notices/orders",
        staff_page(admin=303),
        form={"number": "112-ж", "signed_on": "2026-11-20", "starts_on": "2026-11-23"},
    ),
    ("POST", "/admin/notices/orders/<int:order_id>/end"): Case(
        "/admin/notices/orders/999/end", staff_page(admin=404), form={"on": "2026-12-01"}
    ),
    ("POST", "/admin/notices/announcements"): Case(
        "/admin/notices/announcements", staff_page(admin=303), form={"title_kk": "Хабар", "text_kk": "Мәтін"}
    ),
    ("POST", "/admin/notices/announcements/<int:announcement_id>/withdraw"): Case(
        "/admin/notices/announcements/999/withdraw", staff_page(admin=404), form={}
    ),
    # -- assignments and the gradebook (quiz_service/assignments): the gated course's students hand
    # in their own work; its teachers and admins grade; a teacher who is not a student hands nothing
    # in (409); ids that are nobody's are as missing as another's (404, tested per owner in
    # test_assignments.py).
    ("GET", "/api/v1/assignments/<course>/<assignment>"): Case(
        A_API, signed_in(403, **READERS_OF_THE_GATED_COURSE)
    ),
    ("PUT", "/api/v1/assignments/<course>/<assignment>/draft"): Case(
        A_API + "/draft", signed_in(403, student=200, teacher=409, admin=409), json={"text": "Жауап"}
    ),
    ("POST", "/api/v1/assignments/<course>/<assignment>/draft/files"): Case(
        A_API + "/draft/files", signed_in(403, student=422, teacher=422, admin=422), json={}
    ),
    ("DELETE", "/api/v1/assignments/<course>/<assignment>/draft/files/<int:file_id>"): Case(
        A_API + "/draft/files/999999", signed_in(403, student=404, teacher=404, admin=404)
    ),
    ("POST", "/api/v1/assignments/<course>/<assignment>/submit"): Case(
        A_API + "/submit", signed_in(403, student=409, teacher=409, admin=409)
    ),
    ("GET", "/api/v1/assignment-files/<int:file_id>"): Case(
        "/api/v1/assignment-files/999999", signed_in(404)
    ),
    ("GET", "/api/v1/teach/assignments/<course>/<assignment>/queue"): Case(
        A_TEACH + "/queue", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("GET", "/api/v1/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>"): Case(
        A_TEACH + "/submissions/999999", signed_in(403, teacher=404, admin=404)
    ),
    ("PUT", "/api/v1/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>/grade"): Case(
        A_TEACH + "/submissions/999999/grade", signed_in(403, teacher=404, admin=404), json={"points": 1}
    ),
    ("POST", "/api/v1/teach/assignments/<course>/<assignment>/release"): Case(
        A_TEACH + "/release", signed_in(403, **TEACHERS_OF_THE_COURSE), json={}
    ),
    ("GET", "/api/v1/teach/assignments/<course>/<assignment>/extensions"): Case(
        A_TEACH + "/extensions", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("PUT", "/api/v1/teach/assignments/<course>/<assignment>/extensions"): Case(
        A_TEACH + "/extensions",
        signed_in(403, **TEACHERS_OF_THE_COURSE),
        json={"group": "ТҚ-21", "due": "2031-01-01T18:00:00+05:00"},
    ),
    ("DELETE", "/api/v1/teach/assignments/<course>/<assignment>/extensions/<int:extension_id>"): Case(
        A_TEACH + "/extensions/999999", signed_in(403, teacher=404, admin=404)
    ),
    ("GET", "/api/v1/teach/gradebook/<course>"): Case(G_TEACH, signed_in(403, **TEACHERS_OF_THE_COURSE)),
    ("PUT", "/api/v1/teach/gradebook/<course>/overrides"): Case(
        G_TEACH + "/overrides",
        signed_in(403, teacher=204, admin=204),
        json={"student": "student@oqu.example.kz", "item": "total", "percent": 75},
    ),
    ("GET", "/api/v1/teach/gradebook/<course>/export.csv"): Case(
        G_TEACH + "/export.csv", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("GET", "/api/v1/teach/gradebook/<course>/export.xlsx"): Case(
        G_TEACH + "/export.xlsx", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("GET", "/api/v1/grades/<course>"): Case("/api/v1/grades/fire-safety", signed_in(403, student=200)),
    ("GET", "/assignments/<course>/<assignment>"): Case(
        A_PAGE, expect(403, anonymous=302, **READERS_OF_THE_GATED_COURSE)
    ),
    ("POST", "/assignments/<course>/<assignment>/draft"): Case(
        A_PAGE + "/draft",
        expect(403, anonymous=302, student=303, teacher=409, admin=409),
        form={"text": "Жауап"},
    ),
    ("POST", "/assignments/<course>/<assignment>/files"): Case(
        A_PAGE + "/files", expect(403, anonymous=302, student=422, teacher=422, admin=422), form={}
    ),
    ("POST", "/assignments/<course>/<assignment>/files/<int:file_id>/delete"): Case(
        A_PAGE + "/files/999999/delete",
        expect(403, anonymous=302, student=404, teacher=404, admin=404),
        form={},
    ),
    ("POST", "/assignments/<course>/<assignment>/submit"): Case(
        A_PAGE + "/submit", expect(403, anonymous=302, student=409, teacher=409, admin=409), form={}
    ),
    ("GET", "/assignment-files/<int:file_id>"): Case("/assignment-files/999999", expect(404, anonymous=302)),
    ("GET", "/assignment-feedback/<int:file_id>"): Case(
        "/assignment-feedback/999999", expect(404, anonymous=302)
    ),
    ("GET", "/teach/assignments/<course>/<assignment>"): Case(A_TEACH_PAGE, teacher_page(200)),
    ("POST", "/teach/assignments/<course>/<assignment>/release"): Case(
        A_TEACH_PAGE + "/release", teacher_page(303), form={}
    ),
    ("GET", "/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>"): Case(
        A_TEACH_PAGE + "/submissions/999999", teacher_page(404)
    ),
    ("POST", "/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>/grade"): Case(
        A_TEACH_PAGE + "/submissions/999999/grade", teacher_page(404), form={"points": "1"}
    ),
    ("POST", "/teach/assignments/<course>/<assignment>/extensions"): Case(
        A_TEACH_PAGE + "/extensions", teacher_page(303), form={"who": "ТҚ-21", "due": "2031-01-01T18:00"}
    ),
    ("POST", "/teach/assignments/<course>/<assignment>/extensions/<int:extension_id>/delete"): Case(
        A_TEACH_PAGE + "/extensions/999999/delete", teacher_page(404), form={}
    ),
    ("GET", "/teach/gradebook/<course>"): Case("/teach/gradebook/fire-safety", teacher_page(200)),
    ("POST", "/teach/gradebook/<course>/overrides"): Case(
        "/teach/gradebook/fire-safety/overrides",
        teacher_page(303),
        form={"student": "student@oqu.example.kz", "item": "total", "percent": "75"},
    ),
    ("GET", "/teach/gradebook/<course>/sheet"): Case("/teach/gradebook/fire-safety/sheet", teacher_page(200)),
    ("GET", "/grades/<course>"): Case("/grades/fire-safety", expect(403, anonymous=302, student=200)),
    # The footprint (quiz_service/footprint/views.py): every signed-in caller records and reads
    # only their own statements; no checkpoint is signed here, so the download is 409.
    ("POST", "/api/v1/statements"): Case(
        "/api/v1/statements",
        signed_in(200),
        json={
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": "https://oqu.invalid/kk/"},
        },
    ),
    ("GET", "/api/v1/statements"): Case("/api/v1/statements", signed_in(200)),
    ("GET", "/api/v1/me/footprint"): Case("/api/v1/me/footprint", signed_in(409)),
    ("GET", "/footprint/"): Case("/footprint/", expect(200, anonymous=302)),
    # Consultations (quiz_service/consultations/views.py): {slot} is a slot of fire-safety's
    # teacher, {booking} the student's booking at it. Callers run in order, so a second
    # change of the same object answers 409 (cancelled already).
    ("GET", "/api/v1/consultations/<course>/slots"): Case(
        "/api/v1/consultations/fire-safety/slots", signed_in(403, **READERS_OF_THE_GATED_COURSE)
    ),
    ("GET", "/api/v1/consultations/<course>/teach"): Case(
        "/api/v1/consultations/fire-safety/teach", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("POST", "/api/v1/consultations/<course>/slots"): Case(
        "/api/v1/consultations/fire-safety/slots",
        signed_in(403, teacher=201, admin=201),
        json={"starts_at": "2099-03-02T10:00:00+05:00", "minutes": 30, "mode": "in_person", "room": "204"},
    ),
    ("GET", "/api/v1/consultations/slots/<int:slot_id>/bookings"): Case(
        "/api/v1/consultations/slots/{slot}/bookings", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("POST", "/api/v1/consultations/slots/<int:slot_id>/cancel"): Case(
        "/api/v1/consultations/slots/{slot}/cancel",
        signed_in(403, teacher=200, admin=409),
        json={"reason": "Ауырып қалдым"},
    ),
    ("POST", "/api/v1/consultations/slots/<int:slot_id>/seats"): Case(
        "/api/v1/consultations/slots/{slot}/seats",
        signed_in(403, **TEACHERS_OF_THE_COURSE),
        json={"seats": 3},
    ),
    ("POST", "/api/v1/consultations/slots/<int:slot_id>/bookings"): Case(
        "/api/v1/consultations/slots/{slot}/bookings", signed_in(403, student=409), json={}
    ),
    ("GET", "/api/v1/consultations/bookings"): Case("/api/v1/consultations/bookings", signed_in(200)),
    ("GET", "/api/v1/consultations/bookings.ics"): Case("/api/v1/consultations/bookings.ics", signed_in(200)),
    ("POST", "/api/v1/consultations/bookings/<int:booking_id>/cancel"): Case(
        "/api/v1/consultations/bookings/{booking}/cancel", signed_in(404, student=200, teacher=409, admin=409)
    ),
    ("POST", "/api/v1/consultations/bookings/<int:booking_id>/accept"): Case(
        "/api/v1/consultations/bookings/{booking}/accept", signed_in(404, student=409)
    ),
    ("POST", "/api/v1/consultations/bookings/<int:booking_id>/attendance"): Case(
        "/api/v1/consultations/bookings/{booking}/attendance",
        signed_in(404, **TEACHERS_OF_THE_COURSE),
        json={"attended": True, "shared_note": "Жақсы"},
    ),
    ("PUT", "/api/v1/consultations/preferences"): Case(
        "/api/v1/consultations/preferences", signed_in(200), json={"reminders": False}
    ),
    # Questions to teachers: {asked} is the student's, unanswered (so publishing it is 409).
    ("POST", "/api/v1/consultations/<course>/questions"): Case(
        "/api/v1/consultations/fire-safety/questions",
        signed_in(403, student=201),
        json={"lesson": "combustion/fire-triangle", "text": "Оттегі неге қажет?"},
    ),
    ("GET", "/api/v1/consultations/questions"): Case("/api/v1/consultations/questions", signed_in(200)),
    ("GET", "/api/v1/consultations/<course>/questions"): Case(
        "/api/v1/consultations/fire-safety/questions", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("POST", "/api/v1/consultations/questions/<int:question_id>/answer"): Case(
        "/api/v1/consultations/questions/{asked}/answer",
        signed_in(403, **TEACHERS_OF_THE_COURSE),
        json={"answer": "Жану үшін."},
    ),
    ("POST", "/api/v1/consultations/questions/<int:question_id>/publish"): Case(
        "/api/v1/consultations/questions/{asked}/publish", signed_in(403, teacher=409, admin=409), json={}
    ),
    ("GET", "/api/v1/consultations/<course>/faq"): Case(
        "/api/v1/consultations/fire-safety/faq", signed_in(403, **READERS_OF_THE_GATED_COURSE)
    ),
    # Consultations' pages: a refusal of a form shows the page again (422) with its reason.
    ("GET", "/consultations/<course>"): Case(
        "/consultations/fire-safety", expect(403, anonymous=302, **READERS_OF_THE_GATED_COURSE)
    ),
    ("POST", "/consultations/<course>/slots/<int:slot_id>/book"): Case(
        "/consultations/fire-safety/slots/{slot}/book", expect(403, anonymous=302, student=422), form={}
    ),
    ("POST", "/consultations/<course>/bookings/<int:booking_id>/cancel"): Case(
        "/consultations/fire-safety/bookings/{booking}/cancel",
        expect(404, anonymous=302, student=303),
        form={},
    ),
    ("POST", "/consultations/<course>/bookings/<int:booking_id>/accept"): Case(
        "/consultations/fire-safety/bookings/{booking}/accept",
        expect(404, anonymous=302, student=422),
        form={},
    ),
    ("POST", "/consultations/<course>/preferences"): Case(
        "/consultations/fire-safety/preferences", expect(303, anonymous=302), form={"reminders": "on"}
    ),
    ("GET", "/teach/consultations/<course>"): Case("/teach/consultations/fire-safety", teacher_page(200)),
    ("POST", "/teach/consultations/<course>"): Case(
        "/teach/consultations/fire-safety",
        teacher_page(303),
        form={"starts_at": "2099-03-03T10:00", "minutes": "30", "mode": "in_person", "room": "204"},
    ),
    ("POST", "/teach/consultations/<course>/questions/<int:question_id>"): Case(
        "/teach/consultations/fire-safety/questions/{asked}",
        teacher_page(303),
        form={"answer": "Жану үшін."},
    ),
    ("GET", "/teach/consultations/slots/<int:slot_id>"): Case(
        "/teach/consultations/slots/{slot}", teacher_page(200)
    ),
    ("POST", "/teach/consultations/slots/<int:slot_id>/cancel"): Case(
        "/teach/consultations/slots/{slot}/cancel",
        expect(403, anonymous=302, teacher=303, admin=422),
        form={"reason": "Ауырып қалдым"},
    ),
    ("POST", "/teach/consultations/slots/<int:slot_id>/seats"): Case(
        "/teach/consultations/slots/{slot}/seats", teacher_page(303), form={"seats": "3"}
    ),
    ("POST", "/teach/consultations/slots/<int:slot_id>/bookings/<int:booking_id>"): Case(
        "/teach/consultations/slots/{slot}/bookings/{booking}", teacher_page(303), form={"attended": "yes"}
    ),
    ("POST", "/teach/consultations/slots/<int:slot_id>/bookings/<int:booking_id>/cancel"): Case(
        "/teach/consultations/slots/{slot}/bookings/{booking}/cancel",
        expect(403, anonymous=302, teacher=303, admin=422),
        form={},
    ),
    # Live classes (quiz_service/schedules): a join is for the class's groups among the course's
    # readers (other_student shares the group but is not enrolled) and its teachers; the list
    # for the course's teachers and admins; {victim} is in no class's list (404 once allowed).
    ("POST", "/api/v1/schedules/<schedule>/<class_id>/join"): Case(
        "/api/v1/schedules/fire-safety/live-1/join",
        signed_in(403, student=409, teacher=200, admin=200),
        json={},
    ),
    ("GET", "/api/v1/schedules/<schedule>/<class_id>/attendance"): Case(
        "/api/v1/schedules/fire-safety/live-1/attendance", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    ("PUT", "/api/v1/schedules/<schedule>/<class_id>/attendance/<int:user_id>"): Case(
        "/api/v1/schedules/fire-safety/live-1/attendance/{victim}",
        signed_in(403, teacher=404, admin=404),
        json={"status": "present"},
    ),
    ("POST", "/api/v1/schedules/calendar"): Case("/api/v1/schedules/calendar", signed_in(201), json={}),
    ("POST", "/api/v1/schedules/calendar/revoke"): Case(
        "/api/v1/schedules/calendar/revoke", signed_in(204), json={}
    ),
    ("GET", "/schedules/"): Case("/schedules/", expect(200, anonymous=302)),
    ("POST", "/schedules/calendar"): Case("/schedules/calendar", expect(200, anonymous=302), form={}),
    ("POST", "/schedules/calendar/revoke"): Case(
        "/schedules/calendar/revoke", expect(303, anonymous=302), form={}
    ),
    ("GET", "/schedules/join/<schedule>/<class_id>"): Case(
        "/schedules/join/fire-safety/live-1", expect(403, anonymous=302, student=200, teacher=200, admin=200)
    ),
    ("POST", "/schedules/join/<schedule>/<class_id>"): Case(
        "/schedules/join/fire-safety/live-1",
        expect(403, anonymous=302, student=409, teacher=303, admin=303),
        form={},
    ),
    ("GET", "/teach/schedules/<schedule>/<class_id>/attendance"): Case(
        "/teach/schedules/fire-safety/live-1/attendance", teacher_page(200)
    ),
    ("POST", "/teach/schedules/<schedule>/<class_id>/attendance"): Case(
        "/teach/schedules/fire-safety/live-1/attendance",
        teacher_page(404),
        form={"user_id": "0", "status": "present"},
    ),
    ("GET", "/schedules/calendar/<token>.ics"): Case("/schedules/calendar/not-a-token.ics", expect(404)),
    # Individual study plans: no curriculum in this bundle (404 once allowed); another student's
    # plan and the office's decisions are for admins only.
    ("GET", "/api/v1/schedules/plan"): Case("/api/v1/schedules/plan", signed_in(404)),
    ("GET", "/api/v1/schedules/plans/<int:user_id>"): Case(
        "/api/v1/schedules/plans/{victim}", signed_in(403, admin=404)
    ),
    ("PUT", "/api/v1/schedules/plans/<int:user_id>/decisions"): Case(
        "/api/v1/schedules/plans/{victim}/decisions",
        signed_in(403, admin=404),
        json={"course": "fire-safety"},
    ),
    ("POST", "/api/v1/schedules/plans/<int:user_id>/accommodations"): Case(
        "/api/v1/schedules/plans/{victim}/accommodations",
        signed_in(403, admin=404),
        json={"document_ref": "№ 17", "starts": "2026-12-01", "ends": "2026-12-20"},
    ),
    ("GET", "/schedules/plan"): Case("/schedules/plan", expect(404, anonymous=302)),
    ("GET", "/schedules/plan/<int:user_id>"): Case(
        "/schedules/plan/{victim}", expect(403, anonymous=302, admin=404)
    ),
    # -- consultations: attendance export (consult2) ---
    ("GET", "/api/v1/consultations/slots/<int:slot_id>/attendance.csv"): Case(
        "/api/v1/consultations/slots/{slot}/attendance.csv", signed_in(403, **TEACHERS_OF_THE_COURSE)
    ),
    # Progress and monitoring (quiz_service/footprint/progress_views.py): a student's own progress
    # in a course they may read (another's course: 404); monitoring for the course's teachers
    # and admins (the academic office), 403 for everyone else.
    ("GET", "/api/v1/me/progress"): Case(
        "/api/v1/me/progress?course=fire-safety", signed_in(200, other_student=404, partner=404)
    ),
    ("GET", "/progress/<course_id>/"): Case(
        "/progress/fire-safety/", expect(200, anonymous=302, other_student=404, partner=404)
    ),
    ("GET", "/monitoring/"): Case("/monitoring/", teacher_page(200)),
    ("GET", "/monitoring/<course_id>/"): Case("/monitoring/fire-safety/", teacher_page(200)),
    ("GET", "/monitoring/<course_id>/export.<kind>"): Case(
        "/monitoring/fire-safety/export.xlsx", teacher_page(200)
    ),
    # Proctoring (quiz_service/proctoring): a session, its uploads and recordings are its
    # student's; the course's proctors (its teachers) and admins see and decide; another
    # student gets 404, another course's teacher 403. {psession} is the student's session for
    # the proctored quiz `proctored`, {pmedia} its ID photo.
    ("POST", "/api/v1/proctoring/<course>/<quiz>/session"): Case(
        "/api/v1/proctoring/fire-safety/proctored/session",
        signed_in(404, student=200, teacher=200, admin=200),
        json={},
    ),
    ("GET", "/api/v1/proctoring/sessions/<int:session_id>"): Case(
        "/api/v1/proctoring/sessions/{psession}", signed_in(404, student=200, teacher=200, admin=200)
    ),
    ("POST", "/api/v1/proctoring/sessions/<int:session_id>/consent"): Case(
        "/api/v1/proctoring/sessions/{psession}/consent", signed_in(404, student=200), json={}
    ),
    ("POST", "/api/v1/proctoring/sessions/<int:session_id>/uploads"): Case(
        "/api/v1/proctoring/sessions/{psession}/uploads",
        signed_in(404, student=201),
        json={"kind": "live_photo", "size": 100},
    ),
    ("PUT", "/api/v1/proctoring/uploads/<int:upload_id>"): Case(
        # the owner gets past access; the body is no photo, so its content is refused
        "/api/v1/proctoring/uploads/{pupload}?offset=0",
        signed_in(404, student=422),
        json={"x": 1},
    ),
    ("POST", "/api/v1/proctoring/sessions/<int:session_id>/events"): Case(
        "/api/v1/proctoring/sessions/{psession}/events",
        signed_in(404, student=409),
        json={"sent_at": "2026-12-14T09:00:00Z", "events": []},
    ),
    ("POST", "/api/v1/proctoring/sessions/<int:session_id>/frames"): Case(
        "/api/v1/proctoring/sessions/{psession}/frames",
        signed_in(404, student=409),
        json={"sent_at": "2026-12-14T09:00:00Z", "backend": "cpu", "frames": []},
    ),
    ("POST", "/api/v1/proctoring/sessions/<int:session_id>/appeal"): Case(
        "/api/v1/proctoring/sessions/{psession}/appeal",
        signed_in(404, student=409),
        json={"text": "апелляция"},
    ),
    ("GET", "/api/v1/proctoring/media/<int:media_id>"): Case(
        "/api/v1/proctoring/media/{pmedia}", signed_in(404, student=200, teacher=200, admin=200)
    ),
    ("GET", "/api/v1/proctoring/courses/<course>/sessions"): Case(
        "/api/v1/proctoring/courses/fire-safety/sessions", signed_in(403, teacher=200, admin=200)
    ),
    ("POST", "/api/v1/proctoring/sessions/<int:session_id>/let-start"): Case(
        "/api/v1/proctoring/sessions/{psession}/let-start", signed_in(404, teacher=200, admin=200), json={}
    ),
    ("POST", "/api/v1/proctoring/sessions/<int:session_id>/room-scan-request"): Case(
        "/api/v1/proctoring/sessions/{psession}/room-scan-request",
        signed_in(404, teacher=200, admin=200),
        json={},
    ),
    ("POST", "/api/v1/proctoring/sessions/<int:session_id>/decision"): Case(
        "/api/v1/proctoring/sessions/{psession}/decision",
        signed_in(404, teacher=409, admin=409),
        json={"decision": "annul", "reason": "сынақ"},
    ),
    ("GET", "/proctoring/<course>/<quiz>/check"): Case(
        "/proctoring/fire-safety/proctored/check",
        expect(404, anonymous=302, student=200, teacher=200, admin=200),
    ),
    ("GET", "/proctoring/sessions/<int:session_id>"): Case(
        "/proctoring/sessions/{psession}", expect(404, anonymous=302, student=200)
    ),
    ("POST", "/proctoring/sessions/<int:session_id>/appeal"): Case(
        "/proctoring/sessions/{psession}/appeal",
        expect(404, anonymous=302, student=409),
        form={"text": "апелляция"},
    ),
    ("GET", "/proctoring/review"): Case(
        "/proctoring/review", expect(403, anonymous=302, teacher=200, admin=200)
    ),
    ("GET", "/proctoring/review/<int:session_id>"): Case(
        "/proctoring/review/{psession}", expect(404, anonymous=302, teacher=200, admin=200)
    ),
    ("POST", "/proctoring/review/<int:session_id>/decision"): Case(
        "/proctoring/review/{psession}/decision",
        expect(404, anonymous=302, teacher=303, admin=303),
        form={"decision": "annul", "reason": "сынақ"},
    ),
    ("POST", "/proctoring/review/<int:session_id>/let-start"): Case(
        "/proctoring/review/{psession}/let-start", expect(404, anonymous=302, teacher=303, admin=303), form={}
    ),
    ("POST", "/proctoring/review/<int:session_id>/room-scan"): Case(
        "/proctoring/review/{psession}/room-scan", expect(404, anonymous=302, teacher=303, admin=303), form={}
    ),
    ("GET", "/proctoring/assets/<path:filename>"): Case("/proctoring/assets/proctor.js", expect(200)),
    # -- footprint: the monitoring page's scripts (the vendored Chart.js), public like the site's assets
    ("GET", "/footprint/assets/<path:filename>"): Case("/footprint/assets/monitoring-charts.js", expect(200)),
    # -- schedules: the academic office's pages (issue 14) ---
    ("POST", "/api/v1/schedules/plans/<int:user_id>/accommodations/<int:accommodation_id>/end"): Case(
        "/api/v1/schedules/plans/{victim}/accommodations/999/end",
        signed_in(403, admin=404),
        json={"on": "2026-12-10"},
    ),
    ("PUT", "/api/v1/schedules/plans/<int:user_id>/accommodations/<int:accommodation_id>"): Case(
        "/api/v1/schedules/plans/{victim}/accommodations/999",
        signed_in(403, admin=404),
        json={"document_ref": "№ 17", "starts": "2026-12-01", "ends": "2026-12-20", "reason": "қате"},
    ),
    ("POST", "/api/v1/schedules/plans/<int:user_id>/decisions/clear"): Case(
        "/api/v1/schedules/plans/{victim}/decisions/clear",
        signed_in(403, admin=404),
        json={"course": "fire-safety"},
    ),
    ("GET", "/api/v1/schedules/plans/<int:user_id>/history"): Case(
        "/api/v1/schedules/plans/{victim}/history", signed_in(403, admin=200)
    ),
    # Admins only (the academic office); {victim}'s group has no curriculum in this bundle, so a
    # decision is refused (422) and there is no accommodation 999 (404).
    ("GET", "/schedules/office/"): Case("/schedules/office/", expect(403, anonymous=302, admin=200)),
    ("GET", "/schedules/office/<int:user_id>"): Case(
        "/schedules/office/{victim}", expect(403, anonymous=302, admin=200)
    ),
    ("POST", "/schedules/office/<int:user_id>/accommodations"): Case(
        "/schedules/office/{victim}/accommodations",
        expect(403, anonymous=302, admin=303),
        form={"document_ref": "№ 17", "starts": "2026-12-01", "ends": "2026-12-20"},
    ),
    ("POST", "/schedules/office/<int:user_id>/accommodations/<int:accommodation_id>/end"): Case(
        "/schedules/office/{victim}/accommodations/999/end",
        expect(403, anonymous=302, admin=404),
        form={"on": "2026-12-10"},
    ),
    ("POST", "/schedules/office/<int:user_id>/accommodations/<int:accommodation_id>/correct"): Case(
        "/schedules/office/{victim}/accommodations/999/correct",
        expect(403, anonymous=302, admin=404),
        form={"document_ref": "№ 17", "starts": "2026-12-01", "ends": "2026-12-20", "reason": "қате"},
    ),
    ("POST", "/schedules/office/<int:user_id>/decisions"): Case(
        "/schedules/office/{victim}/decisions",
        expect(403, anonymous=302, admin=422),
        form={"target": "fire-safety", "exempt": "on"},
    ),
    ("POST", "/schedules/office/<int:user_id>/decisions/clear"): Case(
        "/schedules/office/{victim}/decisions/clear",
        expect(403, anonymous=302, admin=404),
        form={"target": "fire-safety"},
    ),
    # -- assignments, second part (issue 16): every signed-in user's own e-mail choices; the
    # page's form for readers of the course.
    ("GET", "/api/v1/assignments/mail-preferences"): Case(
        "/api/v1/assignments/mail-preferences", signed_in(200)
    ),
    ("PUT", "/api/v1/assignments/mail-preferences"): Case(
        "/api/v1/assignments/mail-preferences", signed_in(200), json={"reminders": False}
    ),
    ("POST", "/assignments/<course>/<assignment>/mail"): Case(
        A_PAGE + "/mail", expect(403, anonymous=302, student=303, teacher=303, admin=303), form={}
    ),
    ("GET", "/assignment-assets/<path:filename>"): Case("/assignment-assets/draft.js", expect(200)),
    (
        "POST",
        "/api/v1/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>/second-marker",
    ): Case(
        A_TEACH + "/submissions/999999/second-marker",
        signed_in(403, teacher=404, admin=404),
        json={"marker": "teacher@oqu.example.kz"},
    ),
    (
        "PUT",
        "/api/v1/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>/second-mark",
    ): Case(
        A_TEACH + "/submissions/999999/second-mark",
        signed_in(403, teacher=404, admin=404),
        json={"points": 1},
    ),
    ("POST", "/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>/second-marker"): Case(
        A_TEACH_PAGE + "/submissions/999999/second-marker", teacher_page(404), form={"marker": "x@oqu.kz"}
    ),
    ("POST", "/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>/second-mark"): Case(
        A_TEACH_PAGE + "/submissions/999999/second-mark", teacher_page(404), form={"points": "1"}
    ),
}

IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})
QUIZ = """\
// [id:oxygen]
Ауадағы оттегі неше пайыз? {#21:0.5}
"""


def endpoints(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - IGNORED_METHODS
    }


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    site: Path = app_config["SITE_DIR"]
    (site / LESSON.strip("/")).mkdir(parents=True)
    (site / LESSON.strip("/") / "index.html").write_text("<h1>Жану</h1>", encoding="utf-8")
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")
    publish_quiz(service_dir)
    publish_assignments(
        service_dir, {"report": REPORT | {"due": "2030-12-18 18:00", "cut_off": "2030-12-21 18:00"}}
    )
    return app_config | {"SIGN_IN_ACCOUNT_LIMIT": 100}  # six callers try one wrong email


def publish_quiz(service_dir: Path) -> None:
    """A quiz of the gated course in the service bundle, as `oqu build` writes it."""
    publish_gift_quiz(service_dir, QUIZ, title="Сынақ")
    proctoring = ProctoringPolicy(required=True, signals=("faces", "tab"))
    publish_gift_quiz(
        service_dir, QUIZ, quiz_id="proctored", title="Аттестаттау", kind="final", proctoring=proctoring
    )


def test_every_endpoint_has_an_entry(app: Flask) -> None:
    present = endpoints(app)
    missing = sorted(present - MATRIX.keys())
    assert not missing, f"add these endpoints to MATRIX in {Path(__file__).name}: {missing}"
    assert not sorted(MATRIX.keys() - present), "MATRIX lists endpoints the app no longer has"


@dataclass
class World:
    browsers: dict[str, FlaskClient]
    values: dict[str, object]


@dataclass(frozen=True)
class WorldSnapshot:
    """The world as `make_world` left it, kept to give every case its own copy.

    `folder` holds the database (SQLite: db/oqu.sqlite3; PostgreSQL: `template`, a database
    of the module's server), the built site and service bundle (build/) and the files the
    world wrote (var/: the proctoring photo). `config` is the app's configuration with its
    paths relative to `folder`; `sessions` each caller's session cookie (the sessions are rows
    of the database, so a copy of it signs the same callers in)."""

    folder: Path
    template: str | None
    config: dict[str, Any]
    sessions: dict[str, Cookie | None]
    values: dict[str, object]


@pytest.fixture(scope="module")
def world_snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, WorldSnapshot]:
    """One snapshot per database kind, made by the module's first case of that kind (on this
    worker): the world costs ~0.6 s of CPU to make, a copy of it a few milliseconds."""
    return {}


@pytest.fixture
def world(
    request: pytest.FixtureRequest,
    database_kind: str,
    world_snapshots: dict[str, WorldSnapshot],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[World]:
    """Six callers signed in, an attempt, a proctoring session, a consultation: every case
    starts from the same world, in a database and folders of its own (a case that writes
    leaves nothing for the next)."""
    snapshot = world_snapshots.get(database_kind)
    if snapshot is None:
        app: Flask = request.getfixturevalue("app")
        made = make_world(app, request.getfixturevalue("make_user"), request.getfixturevalue("make_token"))
        root = tmp_path_factory.mktemp(f"matrix-world-{database_kind}")
        world_snapshots[database_kind] = take_snapshot(request, app, made, tmp_path, root)
        yield made
        return
    app = restore_snapshot(request, snapshot, tmp_path / "world")
    browsers = {}
    for caller, session in snapshot.sessions.items():
        browsers[caller] = browser = app.test_client()
        if session is not None:
            browser.set_cookie(
                session.decoded_key, session.decoded_value, domain=session.domain, path=session.path
            )
    yield World(browsers, dict(snapshot.values))
    app.extensions["oqu_db"].engine.dispose()


def take_snapshot(
    request: pytest.FixtureRequest, app: Flask, world: World, case_folder: Path, root: Path
) -> WorldSnapshot:
    """Copy the case's folder (but its database) and the world's database under `root`, with
    the callers' session cookies."""
    config: dict[str, Any] = request.getfixturevalue("app_config")
    relative = {
        key: value.relative_to(case_folder)
        for key, value in config.items()
        if isinstance(value, Path) and value.is_relative_to(case_folder)
    }
    shutil.copytree(case_folder, root, ignore=lambda folder, _: ["db"] if folder == str(case_folder) else [],
                    dirs_exist_ok=True)  # fmt: skip
    engine = app.extensions["oqu_db"].engine
    url = engine.url
    template = None
    assert url.database is not None
    if url.get_backend_name() == "sqlite":
        (root / "db").mkdir()
        with sqlite3.connect(url.database) as source, sqlite3.connect(root / "db" / "oqu.sqlite3") as copy:
            source.backup(copy)
    else:
        engine.dispose()  # CREATE DATABASE … TEMPLATE wants no one connected to the template
        server: PostgresServer = request.getfixturevalue("postgres_server")
        template = server.create_database(template=url.database, name=f"{url.database}_matrix_world")
    cookie_name = app.config["SESSION_COOKIE_NAME"]  # the only cookie the world's callers hold
    sessions = {caller: browser.get_cookie(cookie_name) for caller, browser in world.browsers.items()}
    return WorldSnapshot(root, template, config | relative, sessions, dict(world.values))


def restore_snapshot(request: pytest.FixtureRequest, snapshot: WorldSnapshot, folder: Path) -> Flask:
    """An app over a fresh copy of the snapshot's database and folders."""
    shutil.copytree(snapshot.folder, folder)
    if snapshot.template is None:
        database_url = f"sqlite:///{folder / 'db' / 'oqu.sqlite3'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name = server.create_database(template=snapshot.template)
        request.addfinalizer(lambda: server.drop_database(name))
        database_url = server.url(name)
    config = {
        key: folder / value if isinstance(value, Path) and not value.is_absolute() else value
        for key, value in snapshot.config.items()
    }
    return create_app(config | {"DATABASE_URL": database_url})


def make_world(app: Flask, make_user: Callable[..., User], make_token: Callable[..., str]) -> World:
    people = {
        "student": make_user(email="student@oqu.example.kz", group="ТҚ-21", password=PASSWORD),
        "other_student": make_user(email="other@oqu.example.kz", group="ТҚ-21", password=PASSWORD),
        "teacher": make_user(email="teacher@oqu.example.kz", role=Role.TEACHER, password=PASSWORD),
        "admin": make_user(email="admin@oqu.example.kz", role=Role.ADMIN, password=PASSWORD),
        "partner": make_user(email="partner@partner.example.kz", role=Role.PARTNER, password=PASSWORD),
    }
    victim = make_user(email="victim@oqu.example.kz")
    make_token(people["student"])
    with app.app_context(), db.write_transaction() as writer:
        enrolment.enrol(writer, "fire-safety", user=writer.get_one(User, people["student"].id))
        student_token = writer.get_one(User, people["student"].id).tokens[0].id
    browsers = {"anonymous": app.test_client()}
    for caller, user in people.items():
        browser = app.test_client()
        page = browser.get("/auth/login")
        form = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_from_form(page.text)}
        assert browser.post("/auth/login", data=form).status_code == 303
        browsers[caller] = browser
    attempt = browsers["student"].post(
        "/api/v1/quizzes/fire-safety/exam/attempts",
        json={},
        headers={"X-CSRF-Token": _csrf(browsers["student"])},
    )
    assert attempt.status_code == 201, attempt.json
    student, csrf = browsers["student"], {"X-CSRF-Token": _csrf(browsers["student"])}
    psession = student.post("/api/v1/proctoring/fire-safety/proctored/session", json={}, headers=csrf).json[
        "id"
    ]
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(photo, "PNG")
    begun = student.post(
        f"/api/v1/proctoring/sessions/{psession}/uploads",
        json={"kind": "id_photo", "size": len(photo.getvalue())},
        headers=csrf,
    ).json
    pmedia = student.put(
        f"/api/v1/proctoring/uploads/{begun['id']}?offset=0", data=photo.getvalue(), headers=csrf
    ).json
    pupload = student.post(
        f"/api/v1/proctoring/sessions/{psession}/uploads",
        json={"kind": "live_photo", "size": 7},
        headers=csrf,
    ).json["id"]
    values = {
        "psession": psession,
        "pmedia": pmedia["media_id"],
        "pupload": pupload,
        "student_token": student_token,
        "victim": victim.id,
        "attempt": attempt.json["id"],
        "question": attempt.json["questions"][0]["id"],
    }
    values |= consultation_values(app, people["teacher"], people["student"])
    return World(browsers, values)


def consultation_values(app: Flask, teacher: User, student: User) -> dict[str, object]:
    """A slot of fire-safety's teacher three days ahead, and the student's booking at it."""
    from datetime import timedelta

    from quiz_service.consultations import questions
    from quiz_service.consultations import service as consultations

    with app.app_context(), db.write_transaction() as writer:
        now = db.utcnow()
        spec = consultations.SlotSpec(course="fire-safety", starts_at=now + timedelta(days=3), minutes=30,
                                      link="https://meet.example.kz/matrix", seats=2)  # fmt: skip
        slot = consultations.create_slots(writer, spec, writer.get_one(User, teacher.id), now)[0]
        wanted = consultations.BookingRequest(slot.id, writer.get_one(User, student.id))
        policy = consultations.Policy(hold=timedelta(hours=2), course_limit=3)
        booking, _ = consultations.book(writer, wanted, policy, now)
        student_row = writer.get_one(User, student.id)
        question = questions.ask(writer, "fire-safety", "combustion", student_row, "Неге?", "kk", now)
        return {"slot": slot.id, "booking": booking.id, "asked": question.id}


def _csrf(browser: FlaskClient) -> str:
    return csrf_from_form(browser.get("/auth/login").text)


# Who may do what does not depend on the database; SQLite keeps the table quick (the
# endpoints' own tests run on both).
@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
@pytest.mark.parametrize("endpoint", sorted(MATRIX), ids=lambda endpoint: " ".join(endpoint))
def test_authorization_matrix(world: World, endpoint: tuple[str, str]) -> None:
    method, _ = endpoint
    case = MATRIX[endpoint]
    url = case.url.format(**world.values)
    seen = {}
    for caller in CALLERS:
        browser = world.browsers[caller]
        options: dict[str, Any] = {"headers": dict(case.headers)}
        if method not in ("GET", "HEAD"):
            token = _csrf(browser)
            options["headers"]["X-CSRF-Token"] = token
            if case.form is not None:
                options["data"] = case.form | {"csrf_token": token}
            if case.json is not None:
                options["json"] = case.json
        seen[caller] = browser.open(url, method=method, **options).status_code
    assert seen == case.statuses


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
@pytest.mark.parametrize("turn", ["revokes", "still holds"])
def test_a_case_that_writes_leaves_the_next_case_the_same_world(world: World, turn: str) -> None:
    """The cases share one made world, each through a copy: the student's API token, revoked
    in the first turn, is live again in the second (the turns run in this order)."""
    student = world.browsers["student"]

    def revoked_at() -> object:
        tokens = student.get("/api/v1/me/tokens").json["tokens"]
        return next(token["revoked_at"] for token in tokens if token["id"] == world.values["student_token"])

    assert revoked_at() is None
    if turn == "revokes":
        token = world.values["student_token"]
        revoked = student.delete(f"/api/v1/me/tokens/{token}", headers={"X-CSRF-Token": _csrf(student)})
        assert revoked.status_code == 204
        assert revoked_at() is not None
