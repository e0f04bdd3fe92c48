"""The `oqu` command's own words (help, progress, summaries) in the site's language.

The language is the site's default: the first of `languages` in the `site_config.yml` of the
folder the command runs in (docs/content-format.md), else kk (no site there, or one that
cannot be read: `oqu init`, `oqu --help` elsewhere). The words are the builder's catalogue
messages `cli.*` (builder/locales), read by `builder.i18n.t`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

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
