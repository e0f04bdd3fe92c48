"""`oqu publish TARGET [--service TARGET]` and `oqu rollback TARGET [--service TARGET]`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from builder.publish import PublishError, Target, publish, release_name, rollback


@click.command("publish")
@click.argument("target")
@click.option(
    "--service", "service_target", default="", help="Where build/service goes (beside the service)."
)
@click.option(
    "--out", default="build", type=click.Path(file_okay=False, path_type=Path), help="The build folder."
)
@click.option("--keep", default=5, show_default=True, type=click.IntRange(min=2), help="Releases kept.")
def publish_command(target: str, service_target: str, out: Path, keep: int) -> None:
    """Publish OUT/site to TARGET (a folder or user@host:/folder) as a new release, swapped in at once."""
    release = release_name()
    try:
        if service_target:  # the private bundle first: new pages may need its new quizzes
            publish(out / "service", Target.parse(service_target), release, keep)
        publish(out / "site", Target.parse(target), release, keep)
    except PublishError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"published release {release} to {target}")


@click.command("rollback")
@click.argument("target")
@click.option("--service", "service_target", default="", help="The service bundle's target, rolled back too.")
def rollback_command(target: str, service_target: str) -> None:
    """Serve the release before the current one again (one swap; nothing is deleted)."""
    try:
        release = rollback(Target.parse(target))
        if service_target:
            rollback(Target.parse(service_target))
    except PublishError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{target} serves release {release} again")
