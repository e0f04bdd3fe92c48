"""The `oqu` command's own words (help, progress, summaries) in the site's language.

The language is the site's default: the first of `languages` in the `site_config.yml` of the
folder the command runs in (docs/content-format.md), else kk (no site there, or one that
cannot be read: `oqu init`, `oqu --help` elsewhere). The words are the builder's catalogue
messages `cli.*` (builder/locales), read by `builder.i18n.t`; click's own words in a help
page (Usage, Options, its `--help` and `--version` lines, `default:`) are replaced by ours
through the help formatter of `SiteContext`, which the builder's commands use.
"""

from __future__ import annotations

import atexit
import os
import re
import sys
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import IO, Any

import click
import yaml
from babel.numbers import format_decimal

from builder.i18n import LANGUAGES, t

CONFIG = "site_config.yml"


def command_language(root: Path | None = None) -> str:
    """The language of the command's words for the site in `root` (default: the current folder)."""
    config = (root or Path.cwd()) / CONFIG
    try:
        stamp = config.stat().st_mtime_ns
    except OSError:
        return LANGUAGES[0]
    return _first_language(config, stamp)


@cache
def _first_language(config: Path, stamp: int) -> str:  # stamp: a changed file is read again
    try:
        loaded = yaml.load(config.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError):
        return LANGUAGES[0]
    languages = loaded.get("languages") if isinstance(loaded, dict) else None
    first = languages[0] if isinstance(languages, list) and languages else None
    return first if first in LANGUAGES else LANGUAGES[0]


def say(key: str, **values: object) -> str:
    """The catalogue word `key` in the command's language, `{name}` placeholders filled."""
    return t(key, command_language(), **values)


def seconds(value: float, decimals: int = 1) -> str:
    """A duration in seconds as the command's language writes it: `2,5` (kk, ru), `2.5` (en)."""
    return str(format_decimal(value, "0." + "0" * decimals, locale=command_language()))


class CommandError(click.ClickException):
    """A refusal printed as the other errors of the commands: `қате: …` / `ошибка: …` / `error: …`."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(say("cli.error", error=self.format_message()), file=file, err=file is None)


HEADINGS = {"Options": "cli.options", "Commands": "cli.commands", "Arguments": "cli.arguments"}
CLICK_HELP = {
    "Show this message and exit.": "cli.help_option",
    "Show the version and exit.": "cli.version_option",
}
_DEFAULT_RE = re.compile(r"(\[|; )default: ")


class SiteHelpFormatter(click.HelpFormatter):
    """click's help layout with click's own words in the command's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, f"{say('cli.usage')} " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(say(HEADINGS[heading]) if heading in HEADINGS else heading)

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, click_words(text)) for term, text in rows], col_max, col_spacing)


def click_words(text: str) -> str:
    """An option's help line with click's words in it translated."""
    text = say(CLICK_HELP[text]) if text in CLICK_HELP else text
    return _DEFAULT_RE.sub(lambda found: f"{found.group(1)}{say('cli.default')}: ", text)


class SiteContext(click.Context):
    formatter_class = SiteHelpFormatter


def in_site_language(command: click.Command) -> click.Command:
    """`command` (and a group's commands) writing its help with `SiteHelpFormatter`."""
    command.context_class = SiteContext
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            in_site_language(sub)
    return command


# Set by a command whose process may end without the interpreter's teardown (`end_at_once`).
_ENDING = {"at_once": False}


def end_at_once() -> None:
    """Ask `oqu` to end this process as soon as the running command has exited (its output
    written, its worker processes joined), without tearing the interpreter's heap down: after a
    build that is ~0.1-0.3 s of freeing the content model and every module, which nothing reads.
    Honoured only when `oqu` runs as the process's own command (see `builder.cli.LazyGroup`); a
    command run from Python (tests, `CliRunner`) returns as before."""
    _ENDING["at_once"] = True


def ending_at_once() -> bool:
    """Whether the command that ran asked for `end_at_once` (and forget it)."""
    asked, _ENDING["at_once"] = _ENDING["at_once"], False
    return asked


def end_process_at_once(code: object) -> None:
    """End the process as `sys.exit(code)` would, but without the interpreter's teardown (as
    mypy ends its runs): the exit handlers run (`atexit`: logging's flush, multiprocessing's
    cleanup of child processes, temporary folders' removal), the standard streams are flushed,
    then `os._exit`. What is skipped is freeing memory and modules. While another thread that
    is not a daemon runs, this returns without doing anything: the interpreter's own exit waits
    for that thread (a daemon, such as rich's refresh thread, it would not wait for either)."""
    main = threading.main_thread()
    if any(not thread.daemon for thread in threading.enumerate() if thread is not main):
        return
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # as the interpreter does with `sys.exit("message")`
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: the interpreter's exit status for it
            status = status or 120
    os._exit(status)
