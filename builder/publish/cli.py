"""`oqu publish TARGET [--service TARGET]` and `oqu rollback TARGET [--service TARGET]`.

TARGET is a folder (`/srv/site`, `user@host:/srv/site`: rsync and a symlink swap) or an
S3-compatible bucket (`s3://bucket/prefix`: objects and one `current` object, builder/publish/s3.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from builder.command_words import say
from builder.publish import PublishError, Target, release_name, s3
from builder.publish import publish as publish_folder
from builder.publish import rollback as rollback_folder


def _publish(source: Path, spec: str, release: str, keep: int, endpoint_url: str | None) -> None:
    if s3.is_s3(spec):
        report = s3.publish(source, s3.S3Target.parse(spec, endpoint_url), release, keep)
        uploaded, copied = len(report.uploaded), len(report.copied)
        click.echo(say("cli.publish.uploaded", target=spec, uploaded=uploaded, copied=copied))
    else:
        publish_folder(source, Target.parse(spec), release, keep)


def _rollback(spec: str, endpoint_url: str | None) -> str:
    if s3.is_s3(spec):
        return s3.rollback(s3.S3Target.parse(spec, endpoint_url))
    return rollback_folder(Target.parse(spec))


@click.command("publish", help=say("cli.publish.help"))
@click.argument("target")
@click.option("--service", "service_target", default="", help=say("cli.publish.service"))
@click.option(
    "--out", default="build", type=click.Path(file_okay=False, path_type=Path), help=say("cli.publish.out")
)
@click.option(
    "--keep", default=5, show_default=True, type=click.IntRange(min=2), help=say("cli.publish.keep")
)
@click.option("--endpoint-url", default=None, help=say("cli.publish.endpoint"))
def publish_command(target: str, service_target: str, out: Path, keep: int, endpoint_url: str | None) -> None:
    release = release_name()
    try:
        if service_target:  # the private bundle first: new pages may need its new quizzes
            _publish(out / "service", service_target, release, keep, endpoint_url)
        _publish(out / "site", target, release, keep, endpoint_url)
    except PublishError as exc:
        click.echo(say("cli.error", error=exc), err=True)
        sys.exit(1)
    click.echo(say("cli.publish.done", release=release, target=target))


@click.command("rollback", help=say("cli.rollback.help"))
@click.argument("target")
@click.option("--service", "service_target", default="", help=say("cli.rollback.service"))
@click.option("--endpoint-url", default=None, help=say("cli.publish.endpoint"))
def rollback_command(target: str, service_target: str, endpoint_url: str | None) -> None:
    try:
        release = _rollback(target, endpoint_url)
        if service_target:
            _rollback(service_target, endpoint_url)
    except PublishError as exc:
        click.echo(say("cli.error", error=exc), err=True)
        sys.exit(1)
    click.echo(say("cli.rollback.done", target=target, release=release))
