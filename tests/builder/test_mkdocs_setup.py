"""The MkDocs internals oqu patches in its own processes (builder/mkdocs_setup.py) give the same
site, byte for byte, as MkDocs' own code: here the one Markdown converter reset between pages,
and the pages pointed at the shared theme assets as they are written; the templates compiled
before the pool forks (builder/mkdocs_runner.py) are all a project needs."""

from __future__ import annotations

import filecmp
import json
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


def test_projects_built_from_memory_are_the_same_site(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each project built from its pages in memory (no folder written and read back) gives the
    same site, byte for byte, as the project written to disk for MkDocs to read."""
    _add_stateful_markdown(minimal_site)
    assert mkdocs_runner._memory_matches_mkdocs()  # else the build writes them: nothing compared

    def not_written(*args: Any) -> Path:
        raise AssertionError("a project's sources were written")

    monkeypatch.setattr(mkdocs_runner, "_write_sources", not_written)
    build_site(minimal_site, minimal_site / "memory", paper=False)
    monkeypatch.undo()
    monkeypatch.setattr(mkdocs_runner, "SOURCES_IN_MEMORY", False)
    build_site(minimal_site, minimal_site / "written", paper=False)
    page = minimal_site / "memory/site/kk/courses/first-aid/practice/bandage/index.html"
    assert 'class="footnote"' in page.read_text(encoding="utf-8")
    assert _differences(minimal_site / "memory/site", minimal_site / "written/site") == []
    assert not any((minimal_site / "memory/.cache/projects/.src").iterdir())  # nothing left behind


def test_files_in_memory_are_the_files_mkdocs_finds_on_disk(tmp_path: Path) -> None:
    """`memory_files` gives what MkDocs' `get_files` gives for the project written to disk: the same
    files in the same order (index and README first in a folder, then the folders by name), the
    same exclusions (dot files, the top `templates/`), README.md left out beside index.md, a file
    over a page of the same name, and each page's text as read back (newlines, byte order mark)."""
    from mkdocs.structure.files import get_files

    from builder.projects import ProjectSource

    media = tmp_path / "media.svg"
    media.write_text("<svg/>", encoding="utf-8")
    pages = {
        "index.md": "\ufeff# Басты\r\nмәтін\rсоңы\n",
        "README.md": "# оқылмайды",
        "b.md": "b",
        "B.md": "B",
        "a-b/README.md": "жалғыз README",
        "a-b/z.md": "z",
        "a.b/x.md": "x",
        "a/index.md": "a",
        "a/README.md": "README",
        "a/c/d.md": "d",
        "a/c/index.md": "i",
        ".hidden.md": "жасырын",
        "templates/t.md": "t",
        "deep/templates/t.md": "t",
        "clash.md": "бет",
    }
    project = ProjectSource(
        "kk/x", {"site_name": "x", "docs_dir": "docs"}, pages, {"m/f.svg": media, "clash.md": media}
    )
    project._yml = (json.dumps(project.config), "site_name: x\ndocs_dir: docs\n")
    written = mkdocs_runner._write_sources(project, tmp_path / "w")
    on_disk = get_files(mkdocs_runner.load_project_config(written, site_dir=str(tmp_path / "s1")))
    in_memory = mkdocs_runner.memory_files(
        project,
        mkdocs_runner.load_project_config(
            mkdocs_runner.InMemory(project, tmp_path / "m" / "x"), site_dir=str(tmp_path / "s1")
        ),
    )

    def seen(file: Any) -> tuple[Any, ...]:
        return (file.src_uri, file.dest_uri, file.url, file.inclusion, file.content_string)

    assert [seen(f) for f in in_memory] == [seen(f) for f in on_disk]
    assert [f.src_uri for f in in_memory][:4] == ["index.md", ".hidden.md", "B.md", "b.md"]
    assert {f.src_uri for f in in_memory if f.inclusion.is_excluded()} == {".hidden.md", "templates/t.md"}
    assert "README.md" not in {f.src_uri for f in in_memory} and "a-b/README.md" in {
        f.src_uri for f in in_memory
    }
    assert next(f for f in in_memory if f.src_uri == "clash.md").content_string == "<svg/>"
    assert in_memory[0].content_string == "# Басты\nмәтін\nсоңы\n"
    assert not any((tmp_path / "m" / "x" / "docs").iterdir())


def test_files_in_memory_are_off_for_another_mkdocs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A MkDocs whose file finding reads otherwise: the projects are written as before."""
    from builder.projects import ProjectSource

    monkeypatch.setattr(mkdocs_runner, "FILES_WRITTEN_FOR", "0" * 64)
    mkdocs_runner._memory_matches_mkdocs.cache_clear()
    try:
        project = ProjectSource("kk/x", {"site_name": "x"}, {"index.md": "# x"})
        assert isinstance(mkdocs_runner._sources(project, tmp_path), Path)
    finally:
        monkeypatch.undo()
        mkdocs_runner._memory_matches_mkdocs.cache_clear()
    assert isinstance(mkdocs_runner._sources(project, tmp_path), mkdocs_runner.InMemory)


def test_templates_preloaded_from_their_first_parse_are_the_same_bytecode(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preload compiles each template from the tree its closure walk parsed (not parsed a
    second time by `get_template`): the same bytecode, template by template."""
    site, problems = load_site(minimal_site)
    assert site is not None, problems.errors
    project = plan_projects(site)[0]
    source = mkdocs_runner._sources(project, minimal_site / "cache")
    monkeypatch.setattr(mkdocs_setup._TEMPLATES, "folder", None)
    monkeypatch.setattr(mkdocs_setup._TEMPLATES, "compiled", {})
    monkeypatch.setattr(mkdocs_setup._TEMPLATES, "codes", {})
    parsed_once: list[str] = []
    compile_parsed = mkdocs_runner._compile_parsed

    def counted(env: jinja2.Environment, name: str, *args: Any) -> None:
        parsed_once.append(name)
        compile_parsed(env, name, *args)

    monkeypatch.setattr(mkdocs_runner, "_compile_parsed", counted)
    mkdocs_runner.preload_mkdocs(source, ["kk"])
    from_trees = dict(mkdocs_setup._TEMPLATES.compiled)
    assert "main.html" in parsed_once and len(parsed_once) > 20
    mkdocs_setup._TEMPLATES.compiled.clear()
    mkdocs_setup._TEMPLATES.codes.clear()
    monkeypatch.setattr(mkdocs_runner, "_compile_parsed", lambda env, name, *args: env.get_template(name))
    mkdocs_runner.preload_mkdocs(source, ["kk"])
    assert from_trees == mkdocs_setup._TEMPLATES.compiled


def test_the_theme_files_are_listed_as_mkdocs_lists_them(minimal_site: Path, tmp_path: Path) -> None:
    """`_listed_theme_files` gives MkDocs' own `add_files_from_theme` list, in its order: for the
    projects' theme (our folder over Material's), and for two folders holding what MkDocs' patterns
    leave out (dot files and folders, Python, HTML, README, locales, Markdown, static templates,
    any case) and a file in both (the first folder's)."""
    import mkdocs.structure.files

    site, problems = load_site(minimal_site)
    assert site is not None, problems.errors
    project = plan_projects(site)[0]
    config = mkdocs_runner.load_project_config(
        mkdocs_runner.InMemory(project, tmp_path / "src"), site_dir=str(tmp_path / "out")
    )

    def by_mkdocs() -> list[tuple[str, str | None]]:
        probe = mkdocs.structure.files.Files([])
        mkdocs_setup._walk_theme(probe, config.theme.get_env(), config)
        return [(file.src_uri, file.src_dir) for file in probe]

    assert mkdocs_setup.theme_list_source_digest() == mkdocs_setup.THEME_LIST_WRITTEN_FOR
    listed = mkdocs_setup._listed_theme_files(config.theme.get_env(), config.theme)
    assert listed is not None and len(listed) > 40
    assert listed == by_mkdocs()

    first, second = tmp_path / "one", tmp_path / "two"
    names = [
        "a.css", "B.JS", "x/.hidden", ".top", "y/.dir/z.css", "m.py", "m.PYC", "p.html", "q/R.HTML",
        "README.txt", "docs/ReadMe.md", "locales/kk.json", "n/locales/kk.json", "page.md", "page.markdown",
        "sitemap.xml", "deep/sitemap.xml", "mkdocs_theme.yml", "img/logo.svg", "img/a b.png", "both.css",
    ]  # fmt: skip
    for folder in (first, second):
        for name in names if folder is first else ["both.css", "only-second.js", "img/logo.svg", "z/z.css"]:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(f"{folder.name} {name}", encoding="utf-8")
    config.theme.dirs[:] = [str(first), str(second)]
    listed = mkdocs_setup._listed_theme_files(config.theme.get_env(), config.theme)
    assert listed == by_mkdocs()
    assert ("both.css", str(first)) in listed and ("only-second.js", str(second)) in listed
    assert {"n/locales/kk.json", "deep/sitemap.xml", "B.JS"} <= {name for name, _ in listed}
