"""The MkDocs internals oqu patches in its own processes (builder/mkdocs_setup.py) give the same
site, byte for byte, as MkDocs' own code: here the one Markdown converter reset between pages,
and the pages pointed at the shared theme assets as they are written; the templates compiled
before the pool forks (builder/mkdocs_runner.py) are all a project needs."""

from __future__ import annotations

import filecmp
from pathlib import Path
from typing import Any

import jinja2
import mkdocs.commands.build
import pytest

import builder.mkdocs_runner as mkdocs_runner
import builder.mkdocs_setup as mkdocs_setup
from builder.load import load_site
from builder.pipeline import build_site
from builder.projects import plan_projects

# What keeps state between documents in a converter: footnotes, heading ids (repeated across
# pages), abbreviations, tabs and code blocks (counters), raw HTML (the stash), a details block.
STATEFUL = """

## Қайталанатын тақырып

Мәтін[^1] және ӨҚ қысқартуы.

*[ӨҚ]: Өрт қауіпсіздігі

=== "Бірінші"

    ```python
    print("бір")
    ```

=== "Екінші"

    Екінші қойынды.

??? note "Толығырақ"
    Ішкі мәтін.

<div class="oqu-raw">шикі HTML</div>

## Қайталанатын тақырып

[^1]: Ескерту.
"""


def _add_stateful_markdown(site: Path) -> None:
    for lesson in sorted((site / "content/courses").rglob("*.md")):
        with lesson.open("a", encoding="utf-8") as text:
            text.write(STATEFUL)


def _differences(left: Path, right: Path) -> list[str]:
    found: list[str] = []
    compared = filecmp.dircmp(left, right)
    found += [f"{left.name}: only one side: {name}" for name in compared.left_only + compared.right_only]
    for name in compared.common_files:
        if (left / name).read_bytes() != (right / name).read_bytes():
            found.append(str(left / name))
    for name in compared.common_dirs:
        found += _differences(left / name, right / name)
    return found


def test_one_converter_per_project_renders_as_mkdocs_does(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_stateful_markdown(minimal_site)
    build_site(minimal_site, minimal_site / "reused")
    monkeypatch.setattr(mkdocs_setup, "REUSE_MARKDOWN_CONVERTER", False)
    build_site(minimal_site, minimal_site / "mkdocs")
    page = (minimal_site / "reused/site/kk/courses/first-aid/practice/bandage/index.html").read_text(
        encoding="utf-8"
    )
    assert 'class="footnote"' in page and "tabbed-set" in page and "<abbr" in page  # it was rendered
    assert _differences(minimal_site / "reused/site", minimal_site / "mkdocs/site") == []


def test_pages_pointed_at_the_shared_assets_as_written_are_the_same_site(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project's pages get the shared theme assets' address as MkDocs writes them, and its 404
    page (deleted) is not rendered: the same site as reading every page back and rewriting it."""
    build_site(minimal_site, minimal_site / "as-written", paper=False)
    monkeypatch.setattr(mkdocs_runner, "ASSETS_AS_WRITTEN", False)
    build_site(minimal_site, minimal_site / "read-back", paper=False)
    page = (minimal_site / "as-written/site/kk/courses/first-aid/index.html").read_text(encoding="utf-8")
    assert '"../../../assets/stylesheets/' in page  # three folders up: the site's one copy
    assert _differences(minimal_site / "as-written/site", minimal_site / "read-back/site") == []


def test_the_preloaded_templates_are_all_a_project_needs(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The templates compiled before the pool forks are every one a project's build loads: a worker
    compiles none (it had compiled ~25 when one template that does not compile alone ended the
    loading)."""
    site, problems = load_site(minimal_site)
    assert site is not None, problems.errors
    projects = plan_projects(site)
    cache = minimal_site / "cache"
    monkeypatch.setattr(mkdocs_setup._TEMPLATES, "compiled", {})
    monkeypatch.setattr(mkdocs_setup._TEMPLATES, "folder", None)
    sources = [(project, mkdocs_runner._write_sources(project, cache)) for project in projects]
    mkdocs_runner.preload_mkdocs(sources[0][1], {p.config["theme"]["language"] for p in projects})
    assert len(mkdocs_setup._TEMPLATES.compiled) > 20
    compiled: list[str] = []
    compile_template = jinja2.Environment.compile

    def counted(
        self: jinja2.Environment, source: str, name: str | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        compiled.append(str(name))
        return compile_template(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    rendered: list[str] = []
    render_theme_template = mkdocs.commands.build._build_theme_template

    def recorded(template_name: str, *args: Any, **kwargs: Any) -> None:
        rendered.append(template_name)
        render_theme_template(template_name, *args, **kwargs)

    monkeypatch.setattr(mkdocs.commands.build, "_build_theme_template", recorded)
    for project, src in sources:
        output = cache / "out" / project.key()
        mkdocs_runner.build_project(src, output, project.depth, cache / "theme")
        assert (output / "index.html").is_file()
    assert compiled == []
    assert "sitemap.xml" in rendered and mkdocs_runner.NOT_RENDERED not in rendered  # deleted: not made
