"""`oqu check` and `oqu build`: thin commands that parse, call one function and report."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from builder.check_formats import FORMATS, format_problems
from builder.command_words import end_at_once, say, seconds
from builder.pipeline import BuildReport, build_site, check_content
from builder.problems import BuildError, ContentError


@click.command("check", help=say("cli.check.help"))
@click.option("--strict", is_flag=True, help=say("cli.option.strict"))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help=say("cli.check.format"),
)
def check(strict: bool, fmt: str) -> None:
    site, problems = check_content(Path.cwd(), Path.cwd() / "build")
    found = [
        replace(p, warning=False) if strict and fmt != "text" else p
        for p in problems.errors + problems.warnings
    ]
    click.echo(format_problems(found, fmt), nl=False, err=fmt == "text")
    if site is None or problems.has_errors(strict):
        count = len(problems.errors) + (len(problems.warnings) if strict else 0)
        click.echo(say("cli.errors", count=count), err=True)
        sys.exit(1)
    lessons = sum(len(c.lessons()) for c in site.courses)
    summary = say("cli.check.ok", courses=len(site.courses), lessons=lessons)
    click.echo(summary, err=fmt != "text")


@click.command("build", help=say("cli.build.help"))
@click.option(
    "--out", default="build", type=click.Path(file_okay=False, path_type=Path), help=say("cli.option.out")
)
@click.option("--quiet", "-q", is_flag=True, help=say("cli.build.quiet"))
@click.option("--strict", is_flag=True, help=say("cli.option.strict"))
def build(out: Path, quiet: bool, strict: bool) -> None:
    # once this command has exited (the site written, the pools joined, the summary or the errors
    # printed), `oqu` ends the process without freeing the content model and the modules
    end_at_once()
    root = Path.cwd()
    try:
        report = _run_build(root, root / out if not out.is_absolute() else out, quiet, strict)
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(say("cli.build.errors_kept", count=len(exc.problems)), err=True)
        sys.exit(1)
    except BuildError as exc:
        click.echo(say("cli.build.error_kept", error=exc), err=True)
        sys.exit(1)
    if not quiet:
        for warning in report.warnings:
            click.echo(warning, err=True)
        click.echo(
            say(
                "cli.build.done",
                pages=report.pages,
                projects=report.projects,
                rebuilt=report.rebuilt,
                media=report.media_encoded,
                seconds=seconds(report.seconds),
                site=out / "site",
            )
        )


def _run_build(root: Path, out: Path, quiet: bool, strict: bool) -> BuildReport:
    if quiet:
        return build_site(root, out, strict)
    from rich.console import Console  # the bars only: a quiet build (CI) does without
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    err = Console(stderr=True, highlight=False)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(say("cli.build.progress"), total=None)

        def planned(total: int) -> None:
            progress.update(task, total=total)

        def done(project: object) -> None:
            progress.update(
                task,
                advance=1,
                description=say("cli.build.project_done", project=getattr(project, "dest", "")),
            )

        encoding: dict[str, TaskID] = {}

        def media(label: str, seconds: float, total: float) -> None:  # one bar per encoded file
            if total and label not in encoding:
                encoding[label] = progress.add_task(say("cli.build.encoding", file=label), total=total)
            if label in encoding:
                progress.update(encoding[label], completed=seconds)

        return build_site(root, out, strict, on_planned=planned, on_project=done, on_media=media)
