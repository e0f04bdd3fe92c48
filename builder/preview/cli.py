"""`oqu preview`: build, serve the site with the service beside it, rebuild on every save."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import click

from builder.command_words import say

if TYPE_CHECKING:  # the watcher and MkDocs load when the command runs, not with every `oqu` command
    from builder.preview.live import LiveSite, Outcome


def report(outcome: Outcome) -> None:
    """The terminal's line(s) for one change."""
    if outcome.problems:
        for problem in outcome.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(outcome.problems)} error(s); the browser keeps the last good page", err=True)
        return
    projects = ", ".join(outcome.rebuilt) or "none"
    if outcome.full:
        click.echo(f"built the site in {outcome.seconds:.2f} s (projects rebuilt: {projects})")
    else:
        click.echo(f"updated {projects} in {outcome.seconds:.2f} s")


@click.command("preview", help=say("cli.preview.help"))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--out", default="build", type=click.Path(file_okay=False, path_type=Path), help="Output folder."
)
def preview_command(host: str, port: int, out: Path) -> None:
    import logging

    from werkzeug.serving import make_server

    from builder.preview.live import LiveSite
    from builder.preview.server import ChangeFeed, PreviewMiddleware, Watcher

    root = Path.cwd()
    if not (root / "site_config.yml").is_file():
        raise click.ClickException(
            "no site_config.yml here: run oqu in the site's folder, or make one with oqu init"
        )
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
    click.echo(f"Previewing on http://{host}:{server.server_port}/ (Ctrl+C to stop)")
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
        raise click.ClickException("oqu preview runs the service beside the site: start it as `oqu preview`")
    return service.preview_app(out)
