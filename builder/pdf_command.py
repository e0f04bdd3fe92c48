"""`oqu pdf COURSE [--lang]`: a course as a printable PDF, without building the whole site.

Beside builder/paper, not in it: it checks the site first (builder.pipeline), which builds paper.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from builder.command_words import command_language, say
from builder.i18n import format_size
from builder.paper.build import course_pdf
from builder.pipeline import check_content
from builder.problems import BuildError, ContentError


@click.command("pdf", help=say("cli.pdf.help"))
@click.argument("course")
@click.option(
    "--lang",
    "langs",
    multiple=True,
    type=click.Choice(["kk", "ru", "en"]),
    help=say("cli.pdf.lang"),
)
@click.option(
    "--out",
    default="build/pdf",
    type=click.Path(file_okay=False, path_type=Path),
    help=say("cli.option.out"),
)
def pdf_command(course: str, langs: tuple[str, ...], out: Path) -> None:
    root = Path.cwd()
    try:
        site, problems = check_content(root)
        if site is None or problems.has_errors(False):
            raise ContentError(problems.errors)
        written = course_pdf(site, root, course, list(langs), out if out.is_absolute() else root / out)
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(say("cli.errors", count=len(exc.problems)), err=True)
        sys.exit(1)
    except BuildError as exc:
        click.echo(say("cli.error", error=exc), err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"{path} ({format_size(path.stat().st_size, command_language())})")
