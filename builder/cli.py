"""The `oqu` command line: thin commands that parse, call one function and report."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="oqu")
def main() -> None:
    """oqu: distance-learning courses from git to a static site and a small service."""


def _register_service_commands() -> None:
    from quiz_service.cli import register

    register(main)


_register_service_commands()
