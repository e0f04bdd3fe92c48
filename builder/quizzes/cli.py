"""`oqu quiz import FILE.xml`: a Moodle question bank into oqu's YAML quiz format."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, cast

import click
from pydantic import ValidationError

from builder.command_words import say
from builder.quizzes.moodle_xml import import_moodle_xml
from builder.quizzes.schema import QuizConfig
from builder.quizzes.types import QUESTION_TYPES


@click.group("quiz", help=say("cli.quiz.help"))
def quiz_command() -> None:
    pass


@quiz_command.command("import", help=say("cli.quiz.import.help"))
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help=say("cli.quiz.import.out"))
@click.option("--title", help=say("cli.quiz.import.title"))
def import_command(source: Path, out: Path | None, title: str | None) -> None:
    target = out or source.with_suffix(".yml")
    result = import_moodle_xml(source.read_text(encoding="utf-8"), title or source.stem)
    problems = [f"{source}:{error.line}: {error}" for error in result.errors] + check_imported(result.quiz)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        click.echo(say("cli.quiz.import.failed", count=len(problems)), err=True)
        sys.exit(1)
    target.write_text(result.yaml(), encoding="utf-8")
    click.echo(say("cli.quiz.import.done", count=len(result.quiz["questions"]), target=target))


def check_imported(quiz: dict[str, object]) -> list[str]:
    """What oqu's schema says of the converted quiz (a Moodle bank may hold what oqu refuses)."""
    problems = []
    try:
        QuizConfig.model_validate(quiz)
    except ValidationError as error:
        problems += [f"quiz: {e['msg']}" for e in error.errors()]
    questions = cast(list[dict[str, Any]], quiz.get("questions", []))
    for index, question in enumerate(questions):
        try:
            QUESTION_TYPES[question["type"]].config.model_validate(question)
        except ValidationError as error:
            problems += [f"question {index + 1}: {e['msg']}" for e in error.errors()]
    return problems
