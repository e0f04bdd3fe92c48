"""`oqu consultations import FILE.yml`: a term's slots declared in a file, published in one step.

    course: fire-safety
    teacher: d.ospanova@academy.example.kz
    slots:
      - start: 2027-02-03T15:00      # Asia/Almaty unless the time names its zone
        minutes: 30
        seats: 1                     # 1: individual; more: a group
        mode: online                 # or in_person with `room:`
        link: https://meet.example.kz/ospanova
        weeks: 15                    # a weekly series
        title: Сынақ алдындағы кеңес

All or nothing, with the API's rules (overlaps with the teacher's slots and live classes
refused). An entry whose first slot exists already (same teacher and start, even cancelled) is skipped, so
the file can be imported again after adding entries.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
import yaml

from quiz_service.consultations import declared, service
from quiz_service.core import db, migrations
from quiz_service.core.commands import command_app
from quiz_service.core.domain import DomainError

LOCAL_ZONE = ZoneInfo("Asia/Almaty")
ENTRY_KEYS = {"start", "minutes", "seats", "mode", "link", "room", "title", "weeks", "closes", "cancel_until"}


def register(group: click.Group) -> None:
    group.add_command(consultations)


@click.group()
def consultations() -> None:
    """Consultation slots."""


def moment(value: Any, where: str) -> datetime:
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        raise click.ClickException(f"{where}: not a date and time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_ZONE)


def spec_of(course: str, entry: dict[str, Any], where: str) -> service.SlotSpec:
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        raise click.ClickException(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    if "start" not in entry:
        raise click.ClickException(f"{where}: `start` is required")
    return service.SlotSpec(
        course=course, starts_at=moment(entry["start"], where), minutes=int(entry.get("minutes", 30)),
        seats=int(entry.get("seats", 1)), mode=str(entry.get("mode", "online")), link=entry.get("link"),
        room=entry.get("room"), title=str(entry.get("title", "")), weeks=int(entry.get("weeks", 1)),
        closes_at=moment(entry["closes"], where) if "closes" in entry else None,
        cancel_until=moment(entry["cancel_until"], where) if "cancel_until" in entry else None,
    )  # fmt: skip


@consultations.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_slots(file: Path) -> None:
    """Publish the slots declared in FILE (YAML) for a course's teacher."""
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not isinstance(data.get("slots"), list):
        raise click.ClickException(f"{file}: expected `course`, `teacher` and a list `slots`")
    app = command_app()
    with app.app_context():
        if not migrations.is_up_to_date(db.engine()):
            raise click.ClickException("the database is not up to date: run `oqu db upgrade`.")
        course = str(data.get("course", ""))
        found = [
            declared.Declaration(spec_of(course, entry, f"{file}: slots[{n}]"), source=f"{file}: slots[{n}]")
            for n, entry in enumerate(data["slots"])
        ]
        try:
            outcome = declared.publish(course, str(data.get("teacher", "")), found, db.utcnow())
        except declared.DeclarationError as refused:
            raise click.ClickException(f"{file}: {refused}") from None
        except DomainError as refused:
            raise click.ClickException(f"{file}: nothing imported: {refused.message}") from None
    click.echo(
        f"{outcome.made} slot(s) published, {outcome.updated} updated, {outcome.skipped} already there."
    )
    for refusal in outcome.refused:
        click.echo(f"refused: {refusal}")


@consultations.command("publish-declared")
def publish_declared() -> None:
    """Publish now the slots of every course's consultations.yml in the built bundle (the worker's
    periodic job `consultations.publish_declared` does the same every 10 minutes)."""
    app = command_app()
    with app.app_context():
        if not migrations.is_up_to_date(db.engine()):
            raise click.ClickException("the database is not up to date: run `oqu db upgrade`.")
        results = declared.publish_bundle(db.utcnow())
    for (course, teacher), outcome in sorted(results.items()):
        if isinstance(outcome, str):
            click.echo(f"{course} {teacher}: not published: {outcome}")
        else:
            click.echo(
                f"{course} {teacher}: {outcome.made} slot(s) published, {outcome.updated} updated, "
                f"{outcome.skipped} already there"
            )
            for refusal in outcome.refused:
                click.echo(f"{course} {teacher}: refused: {refusal}")
