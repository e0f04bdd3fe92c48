"""The `oqu` command line: one group whose commands load when they run.

`main` knows each command by its name, the module that defines it and its help's catalogue
key, and imports that module only when the command runs or its own `--help` is asked: `oqu
--help` reads no module of the builder beyond this one and its words, `oqu check` does not load
PDF rendering, publishing or the preview, and the service's commands (added by
quiz_service.cli) stay unloaded until one of them runs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from importlib import import_module
from typing import Any

import click

from builder.command_words import SiteContext, end_process_at_once, ending_at_once, in_site_language, say

# name → (module:attribute of the click command, catalogue key of its help)
BUILDER_COMMANDS = {
    "check": ("builder.build_cli:check", "cli.check.help"),
    "build": ("builder.build_cli:build", "cli.build.help"),
    "preview": ("builder.preview.cli:preview_command", "cli.preview.help"),
    "search": ("builder.search.cli:search_command", "cli.search.help"),
    "pdf": ("builder.pdf_command:pdf_command", "cli.pdf.help"),
    "quiz": ("builder.quizzes.cli:quiz_command", "cli.quiz.help"),
    "init": ("builder.scaffold.cli:init_command", "cli.init.help"),
    "new": ("builder.scaffold.cli:new_command", "cli.new.help"),
    "publish": ("builder.publish.cli:publish_command", "cli.publish.help"),
    "rollback": ("builder.publish.cli:rollback_command", "cli.rollback.help"),
}


class LazyGroup(click.Group):
    """A click group whose commands are declared by name, loader and help (click's documented
    "lazily loading subcommands", with the group's own help listing the declared help instead
    of loading every command for it)."""

    context_class = SiteContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # click.Group's own arguments
        super().__init__(*args, **kwargs)
        self.declared: dict[str, tuple[Callable[[], None], Callable[[], str]]] = {}

    def declare(self, name: str, load: Callable[[], None], help_text: Callable[[], str]) -> None:
        """`name` is added by `load()` (into `self.commands`) when first needed; `help_text()` is
        what the group's `--help` shows for it until then."""
        self.declared[name] = (load, help_text)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """click's `main`; run as the process's own command (the `oqu` script: no arguments given,
        standalone), a command that asked for `end_at_once` ends the process without the
        interpreter's teardown once it has exited (`oqu build`: its code and output as before)."""
        own_process = not args and "args" not in kwargs and kwargs.get("standalone_mode", True)
        ending_at_once()  # forget what a command run from Python before this asked
        try:
            return self.main(*args, **kwargs)
        except SystemExit as end:
            if own_process and ending_at_once():
                end_process_at_once(end.code)
            raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.declared})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.declared:
            load, _ = self.declared[cmd_name]
            load()
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(name) for name in names), default=0)
        rows = []
        for name in names:
            loaded = self.commands.get(name)
            if loaded is None:
                loaded = click.Command(name, help=self.declared[name][1]())
            if not loaded.hidden:
                rows.append((name, loaded.get_short_help_str(limit)))
        if rows:
            with formatter.section(say("cli.commands")):
                formatter.write_dl(rows)


def command_loader(group: click.Group, name: str, where: str) -> Callable[[], None]:
    """Adds the command at `where` ("module:attribute") to `group` as `name`."""

    def load() -> None:
        module, attribute = where.split(":")
        group.add_command(in_site_language(getattr(import_module(module), attribute)), name)

    return load


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]}, help=say("cli.main.help")
)
@click.version_option(package_name="oqu", message=say("cli.version"), help=say("cli.version_option"))
def main() -> None:
    pass


for _name, (_where, _key) in BUILDER_COMMANDS.items():
    main.declare(_name, command_loader(main, _name, _where), partial(say, _key))
