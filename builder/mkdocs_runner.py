"""Run MkDocs on generated projects, in a small process pool, with a content-addressed cache."""

from __future__ import annotations

import contextlib
import functools
import io
import os
import posixpath
import re
import shutil
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from builder.library_source import source_digest
from builder.mkdocs_fragments import fragments_plugin
from builder.mkdocs_setup import keep_compiled_templates, link_or_copy, quiet_mkdocs
from builder.problems import ProjectBuildError
from builder.projects import ProjectSource
from builder.search_sections import use_page_sections

SHARED_ASSETS = "assets"


@dataclass(frozen=True)
class BuiltProject:
    dest: str
    output: Path
    cached: bool


def build_all(
    projects: list[ProjectSource],
    cache_dir: Path,
    on_done: Callable[[BuiltProject], None] = lambda _: None,
    workers: int | None = None,
) -> list[BuiltProject]:
    """Build every project whose output is not cached yet; return each project's output folder."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    keep_compiled_templates(cache_dir / ".templates")  # before the pool's workers are forked
    theme_missing = not shared_assets_dir(cache_dir).is_dir()
    built: list[BuiltProject] = []
    todo: list[tuple[ProjectSource, Path]] = []
    for project in projects:
        output = cache_dir / project.key()  # computed once per build: ProjectSource caches it
        if output.is_dir() and not (theme_missing and not todo):
            result = BuiltProject(project.dest, output, cached=True)
            built.append(result)
            on_done(result)
        else:
            todo.append((project, output))
    if not theme_missing:
        todo, by_page = _rebuild_changed_pages(todo, cache_dir, on_done)
        built += by_page
    built += _build_missing(todo, cache_dir, on_done, workers)
    from builder.incremental import save_manifests

    outputs = {b.dest: b.output for b in built}
    save_manifests(cache_dir, [(p, outputs[p.dest]) for p in projects if p.dest in outputs])
    return built


def _rebuild_changed_pages(
    todo: list[tuple[ProjectSource, Path]], cache_dir: Path, on_done: Callable[[BuiltProject], None]
) -> tuple[list[tuple[ProjectSource, Path]], list[BuiltProject]]:
    """Projects whose last output differs only in some pages' texts: just those pages, here."""
    from builder.incremental import previous_output, rebuild_pages

    left, built = [], []
    for project, output in todo:
        previous = previous_output(cache_dir, project)
        try:
            rebuilt = previous is not None and rebuild_pages(project, *previous, output, cache_dir)
        except Exception as exc:  # MkDocs raises many kinds; the user needs one clear line
            message = f"MkDocs could not build {project.dest}: {type(exc).__name__}: {exc}"
            raise ProjectBuildError(message) from None
        if rebuilt:
            result = BuiltProject(project.dest, output, cached=False)
            built.append(result)
            on_done(result)
        else:
            left.append((project, output))
    return left, built


def _build_missing(
    todo: list[tuple[ProjectSource, Path]],
    cache_dir: Path,
    on_done: Callable[[BuiltProject], None],
    workers: int | None,
) -> list[BuiltProject]:
    if not todo:
        return []
    theme = shared_assets_dir(cache_dir)
    jobs = [
        (_sources(project, cache_dir), output, project.depth, theme, project.dest) for project, output in todo
    ]
    if not theme.is_dir():
        provide_shared_assets(jobs[0][0], theme)
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    results = []
    if workers <= 1 or len(jobs) == 1:
        for job in jobs:
            results.append(_finish(build_project(*job[:4]), job[4], on_done))
        return results
    preload_mkdocs(jobs[0][0], {project.config.get("theme", {}).get("language", "kk") for project, _ in todo})
    with ProcessPoolExecutor(max_workers=workers, initializer=quiet_mkdocs) as pool:
        futures = {pool.submit(build_project, *job[:4]): job[4] for job in jobs}
        for future in as_completed(futures):
            results.append(_finish(future.result(), futures[future], on_done))
    return results


def preload_mkdocs(src: Path | InMemory, languages: Iterable[str] = ()) -> None:
    """Load MkDocs, Material, the Markdown extensions and the theme's compiled templates in this
    process before the pool's workers are forked from it: each worker would pay them again
    (imports and template compiling were a second of CPU per worker at 1,000 lessons).

    Only the templates a project's pages use are compiled: the closure of what `main.html` and
    the static templates name, the language partials of `languages` and the icons (both named at
    run time: the theme's configured icons and the defaults the templates name). A
    template that does not compile alone (Material's blog templates need the blog plugin's
    filters) is left to the workers, which never load it; before, the first such failure ended
    the loading and each worker compiled ~25 templates itself."""
    quiet_mkdocs()
    try:
        config = load_project_config(src)
        env = config.theme.get_env()
    except Exception:  # the workers' own build reports a broken project in one clear line
        return
    roots = ["main.html", *sorted(config.theme.static_templates - {NOT_RENDERED})]
    roots += [f"partials/languages/{lang}.html" for lang in sorted({*languages, "en"})]
    theme_icons = _configured_icons(config.theme.get("icon", {}))
    parsed: dict[str, tuple[str, str | None, Any]] = {}
    for name in _template_closure(env, roots, theme_icons, parsed):
        try:
            if name in parsed and env.bytecode_cache is not None:
                _compile_parsed(env, name, *parsed.pop(name))
            else:
                env.get_template(name)
        except Exception:  # not compilable alone, or not there: a worker that needs it says so
            continue


def _compile_parsed(env: jinja2.Environment, name: str, source: str, filename: str | None, tree: Any) -> None:
    """What `env.get_template(name)` puts into the environment's bytecode cache (Jinja's
    `BaseLoader.load`: the bucket of the template's source, its code compiled when the bucket has
    none), compiled from `tree`, the template as `_template_closure` parsed it: parsing it again
    was a fifth of the templates' preload."""
    cache = env.bytecode_cache
    assert cache is not None
    bucket = cache.get_bucket(env, name, filename, source)
    if bucket.code is None:
        bucket.code = env.compile(tree, name, filename)
        cache.set_bucket(bucket)


# An icon a template names as a default (`config.theme.icon.menu or "material/menu"`): Material
# includes icons by a name made at run time, which no template names as a constant.
ICON_NAME_RE = re.compile(r"""["']((?:material|fontawesome|octicons|simple)/[\w/.-]+)["']""")


def _template_closure(
    env: jinja2.Environment,
    roots: list[str],
    icons: Iterable[str] = (),
    parsed: dict[str, tuple[str, str | None, Any]] | None = None,
) -> list[str]:
    """`roots` and every template they name with a constant (include, extends, import), with the
    icons they name as defaults and `icons` (the theme's configured ones); `parsed` gets each
    parsed template's source, file name and tree (by template name)."""
    import jinja2.meta

    seen: list[str] = []
    todo = list(roots) + [f".icons/{icon}.svg" for icon in icons]
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.append(name)
        try:
            source, filename, _ = (
                env.loader.get_source(env, name) if env.loader is not None else ("", None, None)
            )
            tree = env.parse(source, name, filename) if name.endswith(".html") else None
            named = jinja2.meta.find_referenced_templates(tree) if tree is not None else []
        except Exception:  # missing or not parseable alone: get_template says the same
            continue
        if parsed is not None and tree is not None:
            parsed[name] = (source, filename, tree)
        todo += [child for child in named if child]
        todo += [f".icons/{icon}.svg" for icon in ICON_NAME_RE.findall(source)]
    return seen


def _configured_icons(value: object) -> list[str]:
    """The icon names in the theme's `icon` setting (nested mappings of names)."""
    if isinstance(value, str):
        return [value] if ICON_NAME_RE.fullmatch(f'"{value}"') else []
    if isinstance(value, dict):
        return [icon for item in value.values() for icon in _configured_icons(item)]
    return []


def _finish(output: str, dest: str, on_done: Callable[[BuiltProject], None]) -> BuiltProject:
    result = BuiltProject(dest, Path(output), cached=False)
    on_done(result)
    return result


@dataclass(frozen=True)
class InMemory:
    """A generated project that MkDocs builds from memory: its pages are MkDocs `File`s holding
    their text, its files `File`s reading the content's own files, its mkdocs.yml parsed from
    the text. `folder` is where `_write_sources` would write it: it holds only an empty `docs`
    folder (MkDocs' configuration requires one to exist) and names the mkdocs.yml, unwritten."""

    project: ProjectSource
    folder: Path

    @property
    def name(self) -> str:
        return self.folder.name


# True: each project built from memory (InMemory), not from its pages and mkdocs.yml written into
# a folder for MkDocs to find and read back, then deleted (~0.5 s of a full build's CPU at 1,000
# lessons, in the build process and the workers); read at each call: the test comparing the two
# sets it. A MkDocs whose files are found or read otherwise gets them written (FILES_WRITTEN_FOR).
SOURCES_IN_MEMORY = True

# sha256 of the source of MkDocs' `get_files`, `_file_sort_key`, `set_exclusions` and
# `File.content_string` (MkDocs 1.6.1): what `memory_files` gives the same files as, in the same order
FILES_WRITTEN_FOR = "0eda342cbf19dd6b556a05ec71aa47d64ff3ffc76a45148393011bfadcb8b040"


def files_source_digest() -> str:
    """The digest of the installed MkDocs' functions `memory_files` stands for ("" if unreadable)."""
    from mkdocs.structure import files

    try:
        functions = (
            files.get_files,
            files._file_sort_key,
            files.set_exclusions,
            vars(files.File)["content_string"].fget,
        )
    except AttributeError:
        return ""
    return source_digest(*functions)


@functools.cache
def _memory_matches_mkdocs() -> bool:
    return files_source_digest() == FILES_WRITTEN_FOR


def _sources(project: ProjectSource, cache_dir: Path) -> Path | InMemory:
    """The project as MkDocs will read it: from memory, or else written by `_write_sources`."""
    if not (SOURCES_IN_MEMORY and _memory_matches_mkdocs()):
        return _write_sources(project, cache_dir)
    folder = cache_dir / ".src" / project.key()
    if folder.exists():  # a stopped build's: MkDocs would find its pages in `docs`
        shutil.rmtree(folder)
    return InMemory(project, folder)


def load_project_config(src: Path | InMemory, **options: Any) -> Any:
    """MkDocs' configuration of a written project (its mkdocs.yml) or of one in memory (the same
    text parsed as MkDocs parses the file, with the file's path, so the same values)."""
    from mkdocs.config import load_config

    if isinstance(src, Path):
        return load_config(config_file=str(src / "mkdocs.yml"), **options)
    (src.folder / "docs").mkdir(parents=True, exist_ok=True)
    text = io.BytesIO(src.project.mkdocs_yml().encode("utf-8"))
    return load_config(text, config_file_path=str(src.folder / "mkdocs.yml"), **options)


def memory_files(project: ProjectSource, config: Any) -> list[Any]:
    """The `File`s MkDocs' `get_files` makes of the project written by `_write_sources` (its pages,
    then its files over them), in the same order (the folder walk: a folder's files, `index` and
    `README` first, then its folders by name), with the same exclusions and `README`/`index`
    choice, each page's text as MkDocs reads it back from the file (the text mode's newlines, a
    leading byte order mark dropped) and each file read from where it would be linked from."""
    from mkdocs.structure.files import File, _file_sort_key, set_exclusions

    sources: dict[str, str | Path] = {posixpath.normpath(name): text for name, text in project.pages.items()}
    sources |= {posixpath.normpath(name): path for name, path in project.files.items()}
    names: dict[str, list[str]] = {}  # folder ("" the top) -> its files' names
    folders: dict[str, set[str]] = {"": set()}  # folder -> its folders' names
    for name in sources:
        parent, base = posixpath.split(name)
        names.setdefault(parent, []).append(base)
        while parent:  # the folder in its parent's, up to the first one already there
            up, sub = posixpath.split(parent)
            if sub in folders.setdefault(up, set()):
                break
            folders[up].add(sub)
            parent = up
    files: list[Any] = []
    conflicting: list[tuple[Any, Any]] = []
    pending = [""]
    while pending:
        folder = pending.pop()
        by_dest: dict[str, Any] = {}
        for base in sorted(names.get(folder, ()), key=_file_sort_key):
            name = posixpath.join(folder, base) if folder else base
            file = File(name, None, config["site_dir"], config["use_directory_urls"])
            source = sources[name]
            if isinstance(source, str):
                file.content_string = _as_read_back(source)
            else:
                file.abs_src_path = str(source)
            first = by_dest.setdefault(file.dest_uri, file)
            if first is not file:
                conflicting.append((first, file))
            files.append(file)
        pending += [
            posixpath.join(folder, sub) if folder else sub
            for sub in sorted(folders.get(folder, ()), reverse=True)
        ]
    set_exclusions(files, config)
    for a, b in conflicting:  # get_files' choice between README.md and index.md
        with contextlib.suppress(ValueError):  # the same file twice
            files.remove(a if b.inclusion.is_included() else b)
    return files


def _as_read_back(text: str) -> str:
    """`text` written by `Path.write_text` and read back by MkDocs (`utf-8-sig`, text mode)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


@functools.cache
def _pages_in_memory() -> Any:
    """A MkDocs plugin (made at first use) that gives a project in memory its pages and files
    (`memory_files`) where MkDocs found none in the empty docs folder: before the theme's files,
    which do not replace a page or file of the same path (MkDocs' rule)."""
    from mkdocs.plugins import BasePlugin
    from mkdocs.structure.files import Files

    class PagesInMemory(BasePlugin):  # a plugin without options
        def __init__(self, project: ProjectSource) -> None:
            super().__init__()
            self.project = project

        def on_files(self, files: Any, /, *, config: Any) -> Any:
            mine = memory_files(self.project, config)
            taken = {file.src_uri for file in mine}
            return Files(mine + [file for file in files if file.src_uri not in taken])

    return PagesInMemory


def _write_sources(project: ProjectSource, cache_dir: Path) -> Path:
    """Write the generated project to a scratch folder: mkdocs.yml, pages, hard-linked files."""
    src = cache_dir / ".src" / project.key()
    if src.exists():
        shutil.rmtree(src)
    docs = src / "docs"
    for name, text in project.pages.items():
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, source in project.files.items():
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(source, path)
    (src / "mkdocs.yml").write_text(project.mkdocs_yml(), encoding="utf-8")
    return src


# Rendered by MkDocs for every project and deleted by share_theme_assets (the site has its own
# 404 pages, pipeline.not_found_page): not rendered at all.
NOT_RENDERED = "404.html"
# False: every project as before (its 404 page rendered, then deleted; its pages read back and
# rewritten for the shared assets), read at each call: the test comparing the two sets it.
ASSETS_AS_WRITTEN = True
# False: Material's navigation items and interface words rendered anew on every page (read at
# each call: the test comparing the two sets it); builder/mkdocs_fragments.py.
REMEMBER_FRAGMENTS = True


def build_project(src: Path | InMemory, output: Path, depth: int, theme: Path) -> str:
    """Build one project with MkDocs into `output` (atomically), sharing theme assets site-wide;
    `src`: the project written by `_write_sources` or in memory."""
    from mkdocs.commands.build import build

    quiet_mkdocs()
    partial = output.with_name(output.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    try:
        config = load_project_config(src, site_dir=str(partial))
        if isinstance(src, InMemory):
            config.plugins["oqu-pages"] = _pages_in_memory()(src.project)
        written: set[str] = set()
        if ASSETS_AS_WRITTEN:
            config.plugins["oqu-shared-assets"] = _shared_asset_pages()(depth, written, theme)
        if REMEMBER_FRAGMENTS:
            config.plugins["oqu-fragments"] = fragments_plugin()()
        use_page_sections(config)  # Material's search index, its sections made faster
        build(config)
    except Exception as exc:  # MkDocs raises many kinds; the user needs one clear line
        raise ProjectBuildError(f"MkDocs could not build {src.name}: {type(exc).__name__}: {exc}") from None
    share_theme_assets(partial, depth, theme, done=written)
    os.replace(partial, output)
    shutil.rmtree(src if isinstance(src, Path) else src.folder, ignore_errors=True)
    return str(output)


@functools.cache
def _shared_asset_pages() -> Any:
    """A MkDocs plugin (made at first use: mkdocs.plugins is not imported with this module) that
    points each page at the site-wide theme assets as MkDocs writes it: the substitution that
    share_theme_assets made by reading every page back and writing it again (~5 % of a
    project's CPU). It adds each page's path to `written`, and keeps MkDocs from rendering
    the 404 page that share_theme_assets deletes."""
    from mkdocs.plugins import BasePlugin

    class SharedAssetPages(BasePlugin):  # a plugin without options
        def __init__(self, depth: int, written: set[str], theme: Path | None = None) -> None:
            super().__init__()
            self.climb = "../" * depth
            self.written = written
            self.theme = theme

        def on_env(self, env: Any, /, *, config: Any, files: Any) -> Any:
            # here, after the theme's file list was made: static_templates are part of its key
            # (builder/mkdocs_setup.py), which the page-level build's projects share
            config.theme.static_templates.discard(NOT_RENDERED)
            if self.theme is not None and self.theme.is_dir():
                # here, after the pages' links were resolved against every file: not copied
                # only for share_theme_assets to delete them (the site has one copy)
                for file in shared_theme_files(files, config):
                    files.remove(file)
            return env

        def on_post_page(self, output: str, /, *, page: Any, config: Any) -> str:
            self.written.add(os.path.normpath(page.file.abs_dest_path))
            return shared_asset_refs(output, self.climb)

    return SharedAssetPages


def shared_asset_refs(html: str, climb: str) -> str:
    """`ASSET_REF_RE.sub(...)` (each quoted `(../)*(./)?assets/` climbs `climb` further), found
    from the few `assets/` of a page instead of trying the pattern at each of its quotes (that
    was ~4 % of a course project's CPU). The pattern's middle has only dots and slashes, so a
    match ends at an `assets/` and starts just before the dots and slashes ahead of it."""
    pieces = html.split("assets/")
    for i in range(len(pieces) - 1):
        piece = pieces[i]
        head = piece.rstrip("./")
        if head and head[-1] in "\"'(" and (run := _UP_RUN.fullmatch(piece, len(head))):
            pieces[i] = f"{head}{run[1]}{climb}"
    return "assets/".join(pieces)


# What may stand between the quote and `assets/` in ASSET_REF_RE: the climb kept, then `./`.
_UP_RUN = re.compile(r"((?:\.\./)*)(?:\./)?")


def share_theme_assets(site_dir: Path, depth: int, theme: Path, done: Collection[str] = ()) -> None:
    """Drop the project's copy of the theme assets and point its pages at the site-wide copy
    (`done`: pages already pointed there as they were written, `_shared_asset_pages`)."""
    assets = site_dir / SHARED_ASSETS
    if assets.is_dir():
        try:
            os.rename(assets, theme)  # the first project to finish provides the shared copy
        except OSError:
            shutil.rmtree(assets)
    (site_dir / NOT_RENDERED).unlink(missing_ok=True)
    climb = "../" * depth
    for page in site_dir.rglob("*.html"):
        if os.path.normpath(page) in done:
            continue
        text = page.read_text(encoding="utf-8")
        page.write_text(shared_asset_refs(text, climb), encoding="utf-8")


def shared_theme_files(files: Iterable[Any], config: Any) -> list[Any]:
    """The theme's files that MkDocs copies into a project's `assets` folder: the site's one copy
    of them is the shared theme folder (share_theme_assets)."""
    dirs = set(config.theme.dirs)
    prefix = SHARED_ASSETS + "/"
    return [file for file in files if file.src_dir in dirs and file.dest_uri.startswith(prefix)]


def provide_shared_assets(src: Path | InMemory, theme: Path) -> None:
    """Copy the theme's assets into the shared theme folder once, before the projects are built
    (MkDocs copies them the same way: File.copy_file), so that no project copies them only to
    have them deleted: ~4 % of a course project's CPU at 1,000 lessons. When this fails, the
    first project to finish provides them as before (share_theme_assets)."""
    from mkdocs.structure.files import Files

    quiet_mkdocs()
    staging = theme.with_name(f"{theme.name}.partial-{os.getpid()}")
    try:
        config = load_project_config(src, site_dir=str(staging))
        files = Files([])
        files.add_files_from_theme(config.theme.get_env(), config)
        for file in shared_theme_files(files, config):
            file.copy_file()
        os.rename(staging / SHARED_ASSETS, theme)
    except Exception:  # the projects' own build copies them, and reports a broken project
        pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def shared_assets_dir(cache_dir: Path) -> Path:
    """Where the theme's assets are kept once for every project built with this toolchain."""
    from builder.projects import toolchain_fingerprint

    return cache_dir / f"theme-{toolchain_fingerprint()[:16]}"
