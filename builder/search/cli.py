"""`oqu search QUERY`: the service's search from the command line, over build/search/."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import click
import yaml

from builder.command_words import say
from builder.search.index import SearchHit, SearchIndex, SearchIndexMissing

_MARK_RE = re.compile(r"<mark>(.*?)</mark>")


@click.command("search", help=say("cli.search.help"))
@click.argument("query")
@click.option("--lang", type=click.Choice(["kk", "ru", "en"]), help=say("cli.search.lang"))
@click.option("--course", help=say("cli.search.course"))
@click.option(
    "--limit", default=10, show_default=True, type=click.IntRange(1, 100), help=say("cli.search.limit")
)
@click.option(
    "--index",
    "index_dir",
    default="build/search",
    type=click.Path(file_okay=False, path_type=Path),
    help=say("cli.search.index"),
)
def search_command(query: str, lang: str | None, course: str | None, limit: int, index_dir: Path) -> None:
    try:
        index = SearchIndex(index_dir)
    except SearchIndexMissing:
        click.echo(say("cli.search.missing", folder=index_dir), err=True)
        sys.exit(1)
    results = index.search(query, lang, courses={course} if course else None, limit=limit)
    if not results.hits:
        click.echo(say("cli.search.nothing", query=query), err=True)
        sys.exit(1)
    base = site_url(Path.cwd() / "site_config.yml")
    for number, hit in enumerate(results.hits, 1):
        click.echo(format_hit(number, hit, base))
    if results.match == "similar":
        click.echo(say("cli.search.similar"), err=True)


def site_url(config: Path) -> str:
    try:
        url = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("site_url")
    except (OSError, yaml.YAMLError, AttributeError):
        url = None
    return str(url).rstrip("/") + "/" if url else "/"


def format_hit(number: int, hit: SearchHit, base: str) -> str:
    where = f" — {hit.heading}" if hit.heading else ""
    title = click.style(f"{number}. {hit.title}{where}", bold=True)
    snippet = html.unescape(
        _MARK_RE.sub(lambda m: click.style(m.group(1), bold=True, fg="yellow"), hit.snippet)
    )
    return f"{title}  [{hit.course}, {hit.lang}]\n   {base}{hit.url}\n   {snippet}\n"
