"""`oqu preview`: build, serve the site with the service beside it, rebuild on every save."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import click

from builder.command_words import CommandError, say, seconds

if TYPE_CHECKING:  # the watcher and MkDocs load when the command runs, not with every `oqu` command
    from builder.preview.live import LiveSite, Outcome


def report(outcome: Outcome) -> None:
    """The terminal's line(s) for one change."""
    if outcome.problems:
        for problem in outcome.problems:
            click.echo(str(problem), err=True)
        click.echo(say("cli.preview.errors", count=len(outcome.problems)), err=True)
        return
    projects = ", ".join(outcome.rebuilt) or say("cli.preview.none")
    if outcome.full:
        click.echo(say("cli.preview.built", seconds=seconds(outcome.seconds, 2), projects=projects))
    else:
        click.echo(say("cli.preview.updated", projects=projects, seconds=seconds(outcome.seconds, 2)))


@click.command("preview", help=say("cli.preview.help"))
@click.option("--host", default="127.0.0.1", show_default=True, help=say("cli.option.host"))
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help=say("cli.option.port")
)
@click.option(
    "--out", default="build", type=click.Path(file_okay=False, path_type=Path), help=say("cli.option.out")
)
def preview_command(host: str, port: int, out: Path) -> None:
    import logging

    from werkzeug.serving import make_server

    from builder.preview.live import LiveSite
    from builder.preview.server import ChangeFeed, PreviewMiddleware, Watcher

    root = Path.cwd()
    if not (root / "site_config.yml").is_file():
        raise CommandError(say("cli.no_site"))
    (root / "content").mkdir(exist_ok=True)
    out = out if out.is_absolute() else root / out
    live = LiveSite(root, out)
    feed = ChangeFeed()
    first = live.build()
    feed.publish(first)
    report(first)
    (out / "site").mkdir(parents=True, exist_ok=True)
    app = PreviewMiddleware(_service_app(out), feed)
    threading.Thread(target=live.warm_up, name="oqu-preview-warm-up", daemon=True).start()
    watcher = Watcher(live, feed, _report_and_warm(live))
    watcher.start()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request: the changes matter here
    server = make_server(host, port, app, threaded=True)
    click.echo(say("cli.preview.serving", host=host, port=server.server_port))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()


def _report_and_warm(live: LiveSite) -> Callable[[Outcome], None]:
    def after(outcome: Outcome) -> None:
        report(outcome)
        if outcome.full and not outcome.problems:  # a build forgot the loaded projects
            threading.Thread(target=live.warm_up, name="oqu-preview-warm-up", daemon=True).start()

    return after


@runtime_checkable
class PreviewService(Protocol):
    """What the `oqu` command puts into click's context so that the preview can run the service
    beside the site without the builder importing it (CONTRIBUTING.md: the layers)."""

    def preview_app(self, out: Path) -> Callable[..., Iterable[bytes]]: ...


def _service_app(out: Path) -> Callable[..., Iterable[bytes]]:
    """The service (sign-in, quizzes) on the preview's build, its database migrated as `oqu serve` does."""
    # find_object asks isinstance, which this runtime-checkable protocol answers; mypy takes only
    # concrete classes for type[V] (PEP 544)
    service = click.get_current_context().find_object(PreviewService)  # type: ignore[type-abstract]
    if service is None:
        raise CommandError(say("cli.preview.no_service"))
    return service.preview_app(out)
