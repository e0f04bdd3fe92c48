"""`oqu worker` and `oqu jobs list|failed|retry ID`: thin commands over the queue."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import click
from flask import Flask

from quiz_service.core import db
from quiz_service.core.commands import command_app, database_up_to_date
from quiz_service.core.jobs import queue
from quiz_service.core.jobs.models import DEAD, STATES, Job
from quiz_service.core.jobs.registry import REGISTRY, import_job_modules
from quiz_service.core.jobs.settings import SettingError
from quiz_service.core.jobs.worker import Worker


def register(group: click.Group) -> None:
    group.add_command(worker)
    group.add_command(jobs)


@contextmanager
def _queue_app() -> Iterator[Flask]:
    """An app on an up-to-date database, with every job module imported."""
    try:
        app = command_app()
        import_job_modules(app.config["JOBS_MODULES"])
    except (SettingError, ImportError) as error:
        raise click.ClickException(str(error)) from None
    with app.app_context():
        database_up_to_date()
        yield app


@click.command()
@click.option(
    "--threads", default=2, show_default=True, type=click.IntRange(1, 64), help="Jobs run side by side."
)
def worker(threads: int) -> None:
    """Run background jobs until stopped (Ctrl+C or SIGTERM finish the jobs in hand first)."""
    with _queue_app() as app:
        runner = Worker(app)

        def stop(signum: int, _frame: FrameType | None) -> None:
            click.echo(f"worker {runner.name}: stopping ({signal.Signals(signum).name})", err=True)
            runner.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        periodic = ", ".join(f"{j.name} every {j.every}" for j in REGISTRY.periodic()) or "none"
        click.echo(f"worker {runner.name}: {threads} thread(s); periodic: {periodic}", err=True)
    runner.run(threads)


@click.group()
def jobs() -> None:
    """Background jobs: list them, see the failed ones, run a failed one again."""


@jobs.command("list")
@click.option("--state", type=click.Choice(STATES), help="Only jobs in this state.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1))
def jobs_list(state: str | None, limit: int) -> None:
    """The latest jobs, newest first."""
    with _queue_app():
        for job in queue.listed(db.session(), state, limit):
            click.echo(_line(job))


@jobs.command("failed")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1))
def jobs_failed(limit: int) -> None:
    """The dead jobs (every attempt failed) with their last error; `oqu jobs retry ID` runs one again."""
    with _queue_app():
        for job in queue.listed(db.session(), DEAD, limit):
            click.echo(_line(job))
            for line in (job.last_error or "").strip().splitlines()[-3:]:
                click.echo(f"    {line}")


@jobs.command("retry")
@click.argument("job_id", type=int)
def jobs_retry(job_id: int) -> None:
    """Run a dead job again, from its first attempt."""
    with _queue_app():
        try:
            with db.write_transaction() as writer:
                job = queue.retry(writer, job_id)
        except queue.JobNotRetryable as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"job {job.id} {job.name} is pending again.")


def _line(job: Job) -> str:
    when = (job.finished_at or job.run_at).isoformat(timespec="seconds")
    error = (job.last_error or "").strip().splitlines()[-1:] or [""]
    fields = [
        str(job.id),
        job.name,
        job.state,
        f"attempts={job.attempts}",
        when,
        job.key or "",
        error[0][:120],
    ]
    return "\t".join(fields).rstrip()
