"""One page of a generated project rendered again by MkDocs, without rebuilding the project.

MkDocs has no single-page build; `mkdocs serve --dirty` renders changed pages against the
navigation of the last full build. This does the same for oqu's preview: it keeps a project's
loaded config, theme environment, files and navigation in memory and renders only the pages
whose generated Markdown changed. The output is for the preview only (never published: the next
`oqu build` builds every touched project whole, search index included).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from builder.mkdocs_runner import _ASSET_REF_RE, _quiet_mkdocs, link_or_copy
from builder.projects import ProjectSource


class LiveProject:
    """A generated project loaded once; `render(pages)` writes new HTML for those pages only."""

    def __init__(self, project: ProjectSource, work: Path, site_dir: Path) -> None:
        from mkdocs.config import load_config
        from mkdocs.structure.files import get_files, set_exclusions
        from mkdocs.structure.nav import get_navigation

        _quiet_mkdocs()
        logging.getLogger("mkdocs").setLevel(logging.ERROR)
        self.project = project
        self.src = work / "src" / project.dest
        self.scratch = work / "site" / project.dest
        self.site_dir = site_dir / project.dest
        write_project(project, self.src)
        config = load_config(config_file=str(self.src / "mkdocs.yml"), site_dir=str(self.scratch))
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        self.nav = config.plugins.on_nav(nav, config=config, files=files)
        self.env = config.plugins.on_env(env, config=config, files=files)
        self.config: Any = config
        self.files = files

    def same_shape(self, project: ProjectSource) -> bool:
        """Only page texts differ: same mkdocs.yml (navigation, titles) and the same pages."""
        return project.mkdocs_yml() == self.project.mkdocs_yml() and set(project.pages) == set(
            self.project.pages
        )

    def update(self, project: ProjectSource, force: Iterable[str] = ()) -> list[str]:
        """Render the pages whose Markdown changed (and `force`); returns their docs paths."""
        changed = [name for name, text in project.pages.items() if self.project.pages.get(name) != text]
        changed += [name for name in force if name not in changed]
        for name in changed:
            (self.src / "docs" / name).write_text(project.pages[name], encoding="utf-8")
        for name, source in project.files.items():
            if name not in self.project.files:  # a newly linked image or file
                _place(source, self.src / "docs" / name)
                _place(source, self.site_dir / name)
        self.project = project
        for name in changed:
            self._render(name)
        return changed

    def _render(self, doc_path: str) -> None:
        from mkdocs.commands.build import _build_page, _populate_page
        from mkdocs.structure.pages import Page

        file = self.files.get_file_from_path(doc_path)
        assert file is not None, doc_path
        page = file.page or Page(None, file, self.config)
        page.markdown = page.content = None
        _populate_page(page, self.config, self.files)
        doc_files = self.files.documentation_pages()
        _build_page(page, self.config, doc_files, self.nav, self.env)
        built = Path(file.abs_dest_path)
        html = built.read_text(encoding="utf-8")
        climb = "../" * self.project.depth
        html = _ASSET_REF_RE.sub(lambda m: f"{m['quote']}{m['up']}{climb}assets/", html)
        target = self.site_dir / Path(file.dest_uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.preview")
        temporary.write_text(html, encoding="utf-8")
        os.replace(temporary, target)  # a new file: the build cache's hard-linked copy stays as it was


def write_project(project: ProjectSource, src: Path) -> None:
    if src.exists():
        shutil.rmtree(src)
    docs = src / "docs"
    for name, text in project.pages.items():
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, source in project.files.items():
        _place(source, docs / name)
    (src / "mkdocs.yml").write_text(project.mkdocs_yml(), encoding="utf-8")


def _place(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    link_or_copy(source, target)
