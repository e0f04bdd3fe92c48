"""Fixtures of the assignments tests: a course with two assignments in the service bundle, its
teacher, a teacher of another course, students; files of every kind made in memory."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from quiz_bundle import ServerClock

from auth import enrolment
from auth.models import Role, User
from builder.assignments import assignment_manifest, scale_manifest
from builder.model import Assignment
from builder.schema import AssignmentConfig, GradebookConfig, GradingScale
from builder.yamlsource import YamlDocument
from quiz_service.core import db

TEACHER = "n.abdrakhmanov@academy.example.kz"
OTHER_TEACHER = "first-aid.teacher@oqu.example.kz"
DUE = datetime(2026, 12, 18, 13, 0, tzinfo=UTC)  # 18:00 in Almaty
CUT_OFF = datetime(2026, 12, 21, 13, 0, tzinfo=UTC)
BEFORE = datetime(2026, 12, 15, 5, 0, tzinfo=UTC)
MANIFEST = {
    "version": 1,
    "courses": [
        {
            "id": "fire-safety",
            "access": "enrolled",
            "title": {"kk": "Өрт қауіпсіздігі"},
            "teachers": [TEACHER],
        },
        {"id": "first-aid", "access": "open", "title": {"kk": "Алғашқы көмек"}, "teachers": [OTHER_TEACHER]},
    ],
}
EVACUATION: dict[str, Any] = {
    "title": {"kk": "Эвакуациялау жоспарын талдау", "ru": "Анализ плана эвакуации"},
    "instructions": {"kk": "Жоспарды талдаңыз.", "ru": "Проанализируйте план."},
    "due": "2026-12-18 18:00",
    "cut_off": "2026-12-21 18:00",
    "late": "penalty_per_day",
    "penalty_per_day": 10,
    "resubmit": True,
    "online_text": True,
    "files": {"types": ["pdf", "docx", "jpg", "png"], "max_size_mb": 1, "max_files": 2},
    "grading": {
        "rubric": [
            {
                "id": "routes",
                "title": {"kk": "Эвакуациялау жолдары", "ru": "Пути эвакуации"},
                "levels": [
                    {"points": 0, "text": "—"},
                    {"points": 10, "text": "±"},
                    {"points": 20, "text": "+"},
                ],
            },
            {
                "id": "proposals",
                "title": {"kk": "Ұсыныстар", "ru": "Предложения"},
                "levels": [
                    {"points": 0, "text": "—"},
                    {"points": 30, "text": "±"},
                    {"points": 80, "text": "+"},
                ],
            },
        ]
    },
}
REPORT: dict[str, Any] = {
    "title": {"kk": "Есеп", "ru": "Отчёт"},
    "instructions": "Есепті жазыңыз.",
    "due": "2026-12-18 18:00",
    "cut_off": "2026-12-21 18:00",
    "late": "refuse_after_cutoff",
    "online_text": True,
    "grading": {"points": 50},
}
GRADEBOOK = {
    "categories": [
        {
            "category": "current",
            "weight": 60,
            "items": [
                {"quiz": "combustion-check", "weight": 1},
                {"assignment": "evacuation-plan", "weight": 2},
            ],
        },
        {"category": "intermediate", "weight": 40, "items": [{"assignment": "report"}]},
    ]
}
Clock = ServerClock


def assessment_json(
    assignments: dict[str, dict[str, Any]], gradebook: dict[str, Any] | None = GRADEBOOK
) -> dict[str, Any]:
    """The service's file of a course, made by the builder's own functions from YAML-like data."""
    made = [
        assignment_manifest(
            Assignment(
                id=key,
                path=Path(f"{key}.yml"),
                config=AssignmentConfig.model_validate(data),
                source=YamlDocument(data),
            ),
            ["kk", "ru"],
        )
        for key, data in assignments.items()
    ]
    book = (
        GradebookConfig.model_validate(gradebook).model_dump(mode="json", exclude_none=True)
        if gradebook
        else None
    )
    return {
        "course": "fire-safety",
        "assignments": made,
        "gradebook": book,
        "scale": scale_manifest(GradingScale(), ["kk", "ru"]),
    }


def publish(
    service_dir: Path, assignments: dict[str, dict[str, Any]], gradebook: dict[str, Any] | None = GRADEBOOK
) -> None:
    folder = service_dir / "assignments"
    folder.mkdir(parents=True, exist_ok=True)
    body = json.dumps(assessment_json(assignments, gradebook), ensure_ascii=False)
    target = folder / "fire-safety.json"
    target.write_text(body, encoding="utf-8")


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    service_dir: Path = app_config["SERVICE_DIR"]
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")
    publish(service_dir, {"evacuation-plan": EVACUATION, "report": REPORT})
    return app_config


@pytest.fixture
def clock(app: Flask) -> Clock:
    clock = Clock(BEFORE)
    app.extensions["oqu_clock"] = clock
    return clock


@dataclass
class People:
    teacher: dict[str, str]
    other_teacher: dict[str, str]
    student: dict[str, str]
    classmate: dict[str, str]
    outsider: dict[str, str]  # a student not enrolled
    ids: dict[str, int]


@pytest.fixture
def people(
    app: Flask, make_user: Callable[..., User], make_token: Callable[..., str], clock: Clock
) -> People:
    ids: dict[str, int] = {}

    def bearer(name: str, **fields: Any) -> dict[str, str]:
        user = make_user(**fields)
        ids[name] = user.id
        return {"Authorization": f"Bearer {make_token(user)}"}

    people = People(
        teacher=bearer(
            "teacher", email=TEACHER, role=Role.TEACHER, full_name="Нұрлан Әбдірахманов", group=None
        ),
        other_teacher=bearer(
            "other_teacher", email=OTHER_TEACHER, role=Role.TEACHER, full_name="Гүлнар Сейітова", group=None
        ),
        student=bearer(
            "student", email="aigerim@oqu.example.kz", full_name="Айгерім Сапарова", group="ӨҚ-21"
        ),
        classmate=bearer(
            "classmate", email="daniyar@oqu.example.kz", full_name="Данияр Омаров", group="ӨҚ-21"
        ),
        outsider=bearer("outsider", email="outsider@oqu.example.kz", full_name="Бөтен Адам", group="ТҚ-99"),
        ids=ids,
    )
    with app.app_context(), db.write_transaction() as writer:
        enrolment.enrol(writer, "fire-safety", group="ӨҚ-21")
    return people


# -- files made in memory ----------------------------------------------------------------------


def pdf_bytes(text: str = "Эвакуация") -> bytes:
    body = f"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {text}\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return body.encode("utf-8")


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 20)).save(out, "PNG")
    return out.getvalue()


def huge_png_header(width: int = 40_000, height: int = 40_000) -> bytes:
    """A PNG whose header names 40,000 x 40,000 pixels (the pixels are never there)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def docx_bytes(payload: bytes = b"<w:document/>", compress: bool = True) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", payload)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "жазбалар")
    return out.getvalue()


def shoot_html(name: str, html: str) -> None:
    """A service page's HTML as Chromium draws it at 1280 and 390 px, written to
    docs/screenshots/assignments-<name>-<desktop|phone>.png (only when ASSIGNMENT_SCREENSHOTS=1)."""
    import os

    if os.environ.get("ASSIGNMENT_SCREENSHOTS") != "1":
        return
    from playwright.sync_api import sync_playwright

    shots = Path(__file__).parents[2] / "docs" / "screenshots"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for width, kind in ((1280, "desktop"), (390, "phone")):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.set_content(html)
            page.screenshot(path=str(shots / f"assignments-{name}-{kind}.png"), full_page=True)
            page.close()
        browser.close()
