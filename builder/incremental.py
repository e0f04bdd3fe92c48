"""Rebuild a generated project page by page: when only the texts of some pages changed since
the project's last build (same mkdocs.yml, navigation, pages and files), render just those pages
and splice their entries into the project's search index, instead of running MkDocs on all of it.

MkDocs has no single-page build (`mkdocs serve --dirty` renders changed pages against the last
navigation but leaves the search index with only those pages, which is why oqu never publishes
a dirty build). This keeps a project's loaded config, theme environment, files and navigation,
renders the changed pages exactly as a full build does (tests compare the two byte for byte),
and replaces the page's entries in `search/search_index.json` in place. `oqu build` uses it for a
project whose previous output is in the cache; `oqu preview` keeps projects loaded between saves.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.mkdocs_setup import ASSET_REF_RE, link_or_copy, quiet_mkdocs
from builder.projects import ProjectSource
from builder.search_sections import use_page_sections

MANIFESTS = ".manifests"
SEARCH_INDEX = Path("search") / "search_index.json"


class LiveProject:
    """A generated project loaded once; `update` writes new HTML for the changed pages only."""

    def __init__(self, project: ProjectSource, work: Path, site_dir: Path) -> None:
        from mkdocs.config import load_config
        from mkdocs.structure.files import get_files, set_exclusions
        from mkdocs.structure.nav import get_navigation

        quiet_mkdocs()
        logging.getLogger("mkdocs").setLevel(logging.ERROR)
        self.project = project
        self.src = work / "src" / project.dest
        self.scratch = work / "site" / project.dest
        self.site_dir = site_dir / project.dest
        walked = files_as_walked(project)  # None: every page written, and the folder walked
        write_project(project, self.src, pages=walked is None)
        config = load_config(config_file=str(self.src / "mkdocs.yml"), site_dir=str(self.scratch))
        use_page_sections(config)  # as build_project: the same search entries, faster
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        files = None if walked is None else _files(walked, config)
        if files is None:
            if walked is not None:
                write_project(project, self.src)
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
        self.search = next((p for p in config.plugins.values() if hasattr(p, "search_index")), None)
        self.new_files: dict[str, Path] = {}  # linked in the sources, not yet in the site

    def update(self, project: ProjectSource, force: Iterable[str] = ()) -> dict[str, list[Any]]:
        """Render the pages whose Markdown changed (and `force`) into the site; returns each one's
        search entries (its URL first)."""
        pages = self.render(project, force)
        self.write(pages, self.site_dir)
        return {name: page.search for name, page in pages.items()}

    def render(self, project: ProjectSource, force: Iterable[str] = ()) -> dict[str, RenderedPage]:
        """The pages whose Markdown changed (and `force`), rendered; nothing written to the site."""
        changed = [name for name, text in project.pages.items() if self.project.pages.get(name) != text]
        changed += [name for name in force if name not in changed]
        for name in changed:
            path = self.src / "docs" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(project.pages[name], encoding="utf-8")
        for name, source in project.files.items():
            if name not in self.project.files:  # a newly linked image or file
                _place(source, self.src / "docs" / name)
                self.new_files[name] = source
        self.project = project
        return {name: self._render(name) for name in changed}

    def write(self, pages: dict[str, RenderedPage], site_dir: Path) -> None:
        """`pages` and the files newly linked since the last write, into the project's `site_dir`."""
        for name, source in self.new_files.items():
            _place(source, site_dir / name)
        self.new_files = {}
        for page in pages.values():
            _replace_text(site_dir / page.dest_uri, page.html)

    def _render(self, doc_path: str) -> RenderedPage:
        from mkdocs.commands.build import _build_page, _populate_page
        from mkdocs.structure.pages import Page

        file = self.files.get_file_from_path(doc_path)
        assert file is not None, doc_path
        page = file.page or Page(None, file, self.config)
        page.markdown = page.content = None
        if self.search is not None:
            self.search.search_index.entries = []
        _populate_page(page, self.config, self.files)
        _build_page(page, self.config, self.files.documentation_pages(), self.nav, self.env)
        html = Path(file.abs_dest_path).read_text(encoding="utf-8")
        climb = "../" * self.project.depth
        html = ASSET_REF_RE.sub(lambda m: f"{m['quote']}{m['up']}{climb}assets/", html)
        entries = self.search.search_index.entries if self.search is not None else []
        return RenderedPage(Path(file.dest_uri), html, [page.url, *entries])


@dataclass(frozen=True)
class RenderedPage:
    """A page as the project's full build writes it, and its search entries (its URL first)."""

    dest_uri: Path
    html: str
    search: list[Any]


def write_project(project: ProjectSource, src: Path, pages: bool = True) -> None:
    """The project's mkdocs.yml and, with `pages`, its pages and linked files (the folder MkDocs'
    get_files walks); without them, only the pages a LiveProject renders are written, as it
    renders them (`files_as_walked`)."""
    if src.exists():
        shutil.rmtree(src)
    docs = src / "docs"
    docs.mkdir(parents=True)
    for name, text in project.pages.items() if pages else ():
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, source in project.files.items() if pages else ():
        _place(source, docs / name)
    (src / "mkdocs.yml").write_text(project.mkdocs_yml(), encoding="utf-8")


# sha256 of mkdocs/structure/files.py (MkDocs 1.6.1), whose get_files `files_as_walked` follows:
# with another, every page is written and the folder walked (tests/builder/test_incremental_files.py)
FILES_WRITTEN_FOR = "4132e55a63c61e9a3494d9d913f2689a2f6096a811fc6641117adb35861726e4"


def files_source_digest() -> str:
    """The digest of the installed MkDocs' mkdocs/structure/files.py ("" if unreadable)."""
    import mkdocs.structure.files

    try:
        return hashlib.sha256(Path(mkdocs.structure.files.__file__).read_bytes()).hexdigest()
    except OSError:
        return ""


def files_as_walked(project: ProjectSource) -> list[tuple[str, list[str]]] | None:
    """The project's docs folder as MkDocs' get_files walks it once write_project wrote it: each
    folder (as `os.path.relpath` names it from the docs folder) and its file names, in
    `os.walk`'s order (top down, subfolders sorted) and get_files' (names by `_file_sort_key`).

    Writing every page and linked file of a project only for get_files to list them, and
    deleting them afterwards, was ~a tenth of a one-lesson rebuild's project step at 1,000
    lessons; a LiveProject reads only the pages it renders. None (write and walk) when the
    installed MkDocs is not the one this follows, or a name is not a plain relative path."""
    from mkdocs.structure.files import _file_sort_key

    if files_source_digest() != FILES_WRITTEN_FOR:
        return None
    folders: dict[str, tuple[set[str], list[str]]] = {"": (set(), [])}
    for name in {*project.pages, *project.files}:
        parts = name.split("/")
        if not all(parts) or "." in parts or ".." in parts or "\\" in name:
            return None
        for depth in range(1, len(parts)):
            parent, folder = "/".join(parts[: depth - 1]), "/".join(parts[:depth])
            folders[parent][0].add(parts[depth - 1])
            folders.setdefault(folder, (set(), []))
        folders["/".join(parts[:-1])][1].append(parts[-1])
    walked: list[tuple[str, list[str]]] = []
    todo = [""]
    while todo:
        folder = todo.pop()
        subfolders, names = folders[folder]
        walked.append(
            (os.path.join(*folder.split("/")) if folder else ".", sorted(names, key=_file_sort_key))
        )
        todo += [f"{folder}/{sub}" if folder else sub for sub in sorted(subfolders, reverse=True)]
    return walked


def _files(walked: list[tuple[str, list[str]]], config: Any) -> Any:
    """MkDocs' get_files for a folder listed by files_as_walked: the same File objects, in order;
    None when two files of a folder have one destination (get_files drops one of them: README.md
    beside index.md)."""
    from mkdocs.structure.files import File, Files, set_exclusions

    docs_dir, site_dir, use_directory_urls = (
        config["docs_dir"],
        config["site_dir"],
        config["use_directory_urls"],
    )
    files = []
    for folder, names in walked:
        destinations = set()
        for name in names:
            file = File(os.path.join(folder, name), docs_dir, site_dir, use_directory_urls)
            if file.dest_uri in destinations:
                return None
            destinations.add(file.dest_uri)
            files.append(file)
    set_exclusions(files, config)
    return Files(files)


def _place(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    link_or_copy(source, target)


def _replace_text(target: Path, text: str) -> None:
    """A new file in place of the old: the old one may be a hard link shared with other outputs."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.new")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)


# -- oqu build: a project's previous output, re-rendered page by page ---------------------------


def manifest(project: ProjectSource) -> dict[str, Any]:
    """What decides whether two builds of a project differ only in page texts."""

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    files = {}
    for name, source in project.files.items():
        stat = source.stat()
        files[name] = f"{source}:{stat.st_size}:{stat.st_mtime_ns}"
    return {
        "dest": project.dest,
        "shape": sha(project.mkdocs_yml() + json.dumps(files, sort_keys=True)),
        "pages": {name: sha(text) for name, text in project.pages.items()},
    }


def save_manifests(cache_dir: Path, projects: list[tuple[ProjectSource, Path]]) -> None:
    """One manifest per output in use (the others go with the outputs prune_cache removes)."""
    folder = cache_dir / MANIFESTS
    folder.mkdir(exist_ok=True)
    keep = set()
    for project, output in projects:
        keep.add(output.name)
        path = folder / f"{output.name}.json"
        if not path.exists():
            path.write_text(json.dumps(manifest(project)), encoding="utf-8")
    latest = {project.dest: output.name for project, output in projects}
    (folder / "latest.json").write_text(json.dumps(latest), encoding="utf-8")
    for path in folder.glob("*.json"):
        if path.name != "latest.json" and path.stem not in keep:
            path.unlink(missing_ok=True)


def previous_output(cache_dir: Path, project: ProjectSource) -> tuple[Path, list[str]] | None:
    """The project's last output and the pages to re-render, if only page texts changed."""
    folder = cache_dir / MANIFESTS
    try:
        latest = json.loads((folder / "latest.json").read_text(encoding="utf-8"))
        key = latest[project.dest]
        old = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError):
        return None
    output = cache_dir / key
    if not (output / SEARCH_INDEX).is_file():
        return None
    new = manifest(project)
    if old["shape"] != new["shape"] or set(old["pages"]) != set(new["pages"]):
        return None
    changed = [name for name, digest in new["pages"].items() if old["pages"][name] != digest]
    return (output, changed) if changed else None


def rebuild_pages(
    project: ProjectSource, previous: Path, changed: list[str], output: Path, cache_dir: Path
) -> bool:
    """`output` made of `previous` with `changed` pages rendered anew and the search index spliced;
    False (and nothing changed) when that cannot be done exactly.

    The pages are rendered and the index's runs found first; only then is `previous` moved to
    be the new output (the build drops it from the cache anyway: prune_cache keeps only this
    build's outputs), and its changed files replaced by new ones (never written in place: the
    published site shares them as hard links). Linking a copy of every file of the project and
    deleting the old folder afterwards was a tenth of a one-lesson rebuild's project step."""
    partial = output.with_name(output.name + ".partial")
    work = cache_dir / ".src" / f"pages-{output.name}"
    shutil.rmtree(partial, ignore_errors=True)
    index = previous / SEARCH_INDEX
    try:
        live = LiveProject(project, work, partial.parent)
        pages = live.render(project, force=changed)
        text = index.read_bytes()
        runs = _search_index_runs(text, [page.search for page in pages.values()])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if runs is None:
        return False
    os.rename(previous, partial)
    try:
        live.write(pages, partial)
        _write_spliced(partial / SEARCH_INDEX, text, runs)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    os.replace(partial, output)
    return True


def _search_index_runs(text: bytes, pages: Iterable[list[Any]]) -> list[tuple[int, int, bytes]] | None:
    """Where each page's entries are in the index `text` (start, end) and the page's new entries
    to put there; None when that cannot be done exactly.

    Found in the index's bytes: parsing the whole index and writing it out again for one
    page's entries was a large part of a one-lesson rebuild's project step at 1,000 lessons (a
    course's index is ~2.4 MB of JSON). Material writes it with `json.dumps(..., separators=(",",
    ":"))` (ASCII) as `{"config":...,"docs":[...]}`, each entry's first key its location; a page's
    entries are the run of entries whose location is the page's URL or starts with it and `#`."""
    if not (text.startswith(b'{"config":') and text.endswith(b"]}")):
        return None  # not the index Material writes: build the project whole
    runs = []
    for url, *entries in pages:
        run = _page_entries(text, url)
        if run is None:
            return None  # the page had no entries, or not in one run: build the project whole
        new = ",".join(json.dumps(entry, separators=(",", ":"), default=str) for entry in entries)
        runs.append((*run, new.encode("ascii")))
    runs.sort()
    if any(a[1] > b[0] for a, b in itertools.pairwise(runs)):
        return None  # the same page twice: not what update returns
    return runs


def _write_spliced(path: Path, text: bytes, runs: list[tuple[int, int, bytes]]) -> None:
    """`text` with each (start, end, new) run replaced, written in place of `path` (_replace_text):
    the old bytes around the runs written from `text`, not copied into a new text first."""
    view = memoryview(text)
    temporary = path.with_name(f".{path.name}.new")
    with temporary.open("wb") as out:
        done = 0
        for start, end, new in runs:
            if not new:  # no entries now: a separating comma goes too
                if text[start - 1 : start] == b"," and start - 1 >= done:
                    start -= 1
                elif text[end : end + 1] == b",":
                    end += 1
            out.write(view[done:start])
            out.write(new)
            done = end
        out.write(view[done:])
    os.replace(temporary, path)


# An entry's start in Material's index. In valid JSON this text can only be an object's start with
# the key "location": inside a string each `"` is escaped, and after a string's closing quote no
# letter can follow.
_ENTRY = b'{"location":'


def _page_entries(text: bytes, url: str) -> tuple[int, int] | None:
    """Where the run of `url`'s entries is in the index `text` (from its first entry's `{` to the
    `,` or `]` after its last); None when the page has no entries or they are not one run."""
    if "#" in url:
        return None
    head = _ENTRY + json.dumps(url)[:-1].encode("ascii")  # the location without its closing quote
    start = _find_page_entry(text, head, 0)
    if start < 0 or text[start - 1 : start] not in (b",", b"["):
        return None
    end = start
    while True:  # the run ends before the first entry of another page, or with the list
        following = text.find(b"," + _ENTRY, end + 1)
        if following < 0:
            end = len(text) - 2  # the list's `]` (`docs` is the index's last key)
            break
        end = following
        if not _is_page_entry(text, head, following + 1):
            break
    if _find_page_entry(text, head, end) >= 0:
        return None  # another run further on
    return start, end


def _find_page_entry(text: bytes, head: bytes, start: int) -> int:
    """Where the first entry of the page whose locations begin with `head` starts from `start`,
    or -1."""
    position = text.find(head, start)
    while position >= 0 and not _is_page_entry(text, head, position):
        position = text.find(head, position + 1)
    return position


def _is_page_entry(text: bytes, head: bytes, position: int) -> bool:
    """Whether an entry of the page starts at `position`: its location is the page's URL, or the
    URL and an anchor."""
    return text.startswith(head, position) and text[position + len(head)] in b'"#'
