"""`oqu init FOLDER`, `oqu new course ID`, `oqu new lesson COURSE/MODULE TITLE`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import get_args

import click

from builder.command_words import say
from builder.scaffold import Names, ScaffoldError, init_site, new_course, new_lesson
from builder.schema import LessonType


def _report(made: list[Path], root: Path) -> None:
    for path in made:
        try:
            shown = path.relative_to(root)
        except ValueError:
            shown = path
        click.echo(say("cli.created", path=shown.as_posix()))


@click.command("init", help=say("cli.init.help"))
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name-kk", default="Қашықтан оқыту порталы", show_default=True, help=say("cli.init.name_kk"))
@click.option(
    "--name-ru", default="Портал дистанционного обучения", show_default=True, help=say("cli.init.name_ru")
)
@click.option(
    "--name-en", default="Distance Learning Portal", show_default=True, help=say("cli.init.name_en")
)
@click.option(
    "--institution-kk", default="Оқу орнының атауы", show_default=True, help=say("cli.init.institution_kk")
)
@click.option(
    "--institution-ru",
    default="Название учебного заведения",
    show_default=True,
    help=say("cli.init.institution_ru"),
)
@click.option(
    "--institution-en",
    default="The institution's name",
    show_default=True,
    help=say("cli.init.institution_en"),
)
def init_command(folder: Path, **names: str) -> None:
    site = {lang: names[f"name_{lang}"] for lang in ("kk", "ru", "en")}
    institution = {lang: names[f"institution_{lang}"] for lang in ("kk", "ru", "en")}
    try:
        made = init_site(folder, Names(site, institution))
    except ScaffoldError as exc:
        click.echo(say("cli.error", error=exc), err=True)
        sys.exit(1)
    _report(made, folder)
    click.echo(say("cli.init.next", folder=folder))


@click.group("new", help=say("cli.new.help"))
def new_command() -> None:
    pass


@new_command.command("course", help=say("cli.new.course.help"))
@click.argument("course_id", metavar="ID")
def new_course_command(course_id: str) -> None:
    root = Path.cwd()
    try:
        made = new_course(root, course_id)
    except ScaffoldError as exc:
        click.echo(say("cli.error", error=exc), err=True)
        sys.exit(1)
    _report(made, root)


@new_command.command("lesson", help=say("cli.new.lesson.help"))
@click.argument("where", metavar="COURSE/MODULE")
@click.argument("title")
@click.option(
    "--type",
    "lesson_type",
    type=click.Choice(get_args(LessonType)),
    default="lecture",
    show_default=True,
    help=say("cli.new.lesson.type"),
)
@click.option(
    "--duration",
    type=click.IntRange(min=1),
    default=45,
    show_default=True,
    help=say("cli.new.lesson.duration"),
)
def new_lesson_command(where: str, title: str, lesson_type: str, duration: int) -> None:
    root = Path.cwd()
    try:
        made = new_lesson(root, where, title, lesson_type, duration)
    except ScaffoldError as exc:
        click.echo(say("cli.error", error=exc), err=True)
        sys.exit(1)
    _report(made, root)
