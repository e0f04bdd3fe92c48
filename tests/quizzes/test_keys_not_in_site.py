"""T01: the example site is built and every file of build/site is scanned for every key of every quiz."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from builder.load import load_site
from builder.pipeline import build_site
from builder.quizzes.load import load_site_quizzes
from builder.quizzes.model import Quiz
from builder.quizzes.types import QUESTION_TYPES

REPO = Path(__file__).parents[2]
PUBLIC_KEYS = {
    "quiz", "lang", "title", "kind", "opens", "closes", "timezone", "time_limit", "attempts", "delay", "pass_mark",
    "navigation",
    "question_count", "questions", "id", "type", "text", "format", "points", "options", "left", "right", "items",
    "blanks",
}  # fmt: skip


@pytest.fixture(scope="module")
def example(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Quiz]]:
    """The example built with everything (PDFs and offline zips too): the worker's build without
    them (tests/conftest.py's `example_site`), copied, rebuilt with them."""
    root = tmp_path_factory.mktemp("example-with-paper") / "site"
    shutil.copytree(example_site, root, symlinks=True, ignore=shutil.ignore_patterns("var"))
    build_site(root, root / "build")
    site, problems = load_site(root)
    assert site is not None
    return root, load_site_quizzes(site, problems)


def secrets(quizzes: list[Quiz]) -> set[str]:
    return {
        secret
        for quiz in quizzes
        for questions in quiz.questions.values()
        for q in questions
        for secret in QUESTION_TYPES[q.type].secrets(q)
    }


def site_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Every file's text; a PDF's extracted text and each file inside an offline zip too."""
    for path in sorted((root / "build" / "site").rglob("*")):
        if path.suffix == ".pdf":
            yield (
                path,
                subprocess.run(
                    ["pdftotext", str(path), "-"], capture_output=True, check=True
                ).stdout.decode(),
            )
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    yield path / name, archive.read(name).decode("utf-8", errors="replace")
        elif path.is_file():
            yield path, path.read_bytes().decode("utf-8", errors="replace")


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def test_the_examples_have_quizzes_of_both_formats(example: tuple[Path, list[Quiz]]) -> None:
    _, quizzes = example
    assert sorted((q.key, q.path.suffix) for q in quizzes) == [
        ("dl-orientation/regulation", ".gift"),
        ("fire-safety/combustion-check", ".yml"),
        ("fire-safety/midterm", ".yml"),
    ]
    assert len(secrets(quizzes)) > 30


def test_no_key_in_any_file_of_the_site(example: tuple[Path, list[Quiz]]) -> None:
    root, quizzes = example
    lessons = "\n".join(p.read_text(encoding="utf-8") for p in (root / "content").rglob("*.md"))
    # A key that the lesson itself teaches (a short answer such as 'синхронды') is public by
    # authoring; it is still checked in every quiz's public part below.
    checked = {s for s in secrets(quizzes) if len(s) >= 4 and s not in lessons}
    assert len(checked) > 30
    hits = [(path.name, secret) for path, text in site_files(root) for secret in checked if secret in text]
    assert hits == []


def test_public_quiz_files_hold_no_key_at_all(example: tuple[Path, list[Quiz]]) -> None:
    root, quizzes = example
    files = sorted((root / "build" / "site").rglob("_quizzes/*.json"))
    assert len(files) == 6  # three quizzes in kk and ru
    every_secret = secrets(quizzes)
    for path in files:
        public = json.loads(path.read_text(encoding="utf-8"))
        strings = set(strings_in(public))
        assert strings & every_secret == set(), path
        assert _keys(public) <= PUBLIC_KEYS, path


def test_exam_questions_are_not_on_the_page(example: tuple[Path, list[Quiz]]) -> None:
    root, _ = example
    exam = json.loads(
        (root / "build/site/kk/courses/fire-safety/_quizzes/midterm.json").read_text(encoding="utf-8")
    )
    assert (exam["kind"], exam["questions"], exam["question_count"]) == ("intermediate", [], 5)
    practice = json.loads(
        (root / "build/site/ru/courses/dl-orientation/_quizzes/regulation.json").read_text(encoding="utf-8")
    )
    assert len(practice["questions"]) == 8


def test_service_bundle_has_the_keys(example: tuple[Path, list[Quiz]]) -> None:
    root, _ = example
    private = json.loads(
        (root / "build/service/quizzes/dl-orientation/regulation.json").read_text(encoding="utf-8")
    )
    question = next(q for q in private["questions"]["kk"] if q["id"] == "order-number")
    assert question["numbers"][0]["low"] == 391


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for item in value.values() for k in _keys(item)}
    if isinstance(value, list):
        return {k for item in value for k in _keys(item)}
    return set()
