"""What every MkDocs run of oqu shares: quiet logs, templates compiled once per process, the
shared theme assets' references, and hard links for outputs (used by the full and the page-level
build alike)."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import os
import re
import shutil
from pathlib import Path, PurePath
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.utils
import markdown
import mkdocs.structure.files
import mkdocs.structure.pages
import mkdocs.theme
import mkdocs.utils

from builder import mkdocs_fragments
from builder.library_source import source_digest
from builder.mkdocs_markdown import raw_html_preprocessor, use_fast_inline, use_toc_marker_check

ASSET_REF_RE = re.compile(r"""(?P<quote>["'(])(?P<up>(?:\.\./)*)(?:\./)?assets/""")


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """Hard-link (free, same file system) or else copy: outputs are never modified in place."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def quiet_mkdocs() -> None:
    """MkDocs' log kept to errors, and Material's templates compiled once per process."""
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    _read_entry_points_once()  # before mkdocs.config.defaults is imported: it lists the plugins
    _share_compiled_templates()
    _share_theme_file_list()
    _reuse_markdown_converter()
    _parse_configs_with_libyaml()
    _list_themes_once()
    use_fast_inline()  # Python-Markdown's inline patterns tried only where they can match
    use_toc_marker_check()  # the toc extension's marker looked for only where it is


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled theme templates kept in memory for every project built by this process, and in
    `folder` (the build cache) for the next process when one is given: a one-lesson rebuild
    compiled Material's templates again (~0.35 s of CPU). Jinja's buckets check the template's
    source checksum and the Python version's magic, so a changed template is compiled anew."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}
        self.folder: Path | None = None
        # each template's code object by key, with its source's checksum: every project's new
        # environment loaded every template again from `compiled` (marshal: ~8 % of the fixed
        # cost of a project); a code object is only executed, so one serves every environment
        self.codes: dict[str, tuple[str, Any]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.codes.get(bucket.key)  # kept with its bytes (`compiled`), not without them
        if code is not None and code[0] == bucket.checksum and bucket.key in self.compiled:
            bucket.code = code[1]
            return
        self._load_bytecode(bucket)
        if bucket.code is not None:
            self.codes[bucket.key] = (bucket.checksum, bucket.code)

    def _load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key not in self.compiled and self.folder is not None:
            try:
                self.compiled[bucket.key] = (self.folder / f"{bucket.key}.bc").read_bytes()
            except OSError:
                return
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()
        self.codes[bucket.key] = (bucket.checksum, bucket.code)
        if self.folder is not None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                partial = self.folder / f".{bucket.key}.{os.getpid()}"
                partial.write_bytes(self.compiled[bucket.key])
                os.replace(partial, self.folder / f"{bucket.key}.bc")
            except OSError:
                pass  # a cache that cannot be written is only slower


_TEMPLATES = _CompiledTemplates()


def keep_compiled_templates(folder: Path) -> None:
    """Also keep the compiled templates in `folder` (read by later builds and pool workers)."""
    _TEMPLATES.folder = folder


def _share_compiled_templates() -> None:
    """MkDocs compiles Material's ~45 templates anew for every project (measured: ~0.35 s each,
    a fifth of a 100-page project). A bytecode cache on its Jinja environment compiles them once
    per process; the generated projects themselves stay plain MkDocs projects."""
    original = mkdocs.theme.Theme.get_env
    if getattr(original, "oqu_shared", False):
        return
    cache = _TEMPLATES

    def get_env(self: mkdocs.theme.Theme) -> jinja2.Environment:
        env = original(self)
        env.bytecode_cache = cache
        mkdocs_fragments.install(env)  # enabled per project build (builder/mkdocs_runner.py)
        if isinstance(env.cache, jinja2.utils.LRUCache) and not len(env.cache):
            # Jinja's cache of loaded templates, asked at every include and import (~40 a page):
            # its LRU order kept under a lock cost ~1 % of a project; a project loads ~45
            # templates, far below the 400 it keeps, so a dict keeps the same templates
            env.cache = {}
        return env

    get_env.oqu_shared = True  # type: ignore[attr-defined]
    mkdocs.theme.Theme.get_env = get_env  # type: ignore[method-assign]


# The theme's file list per (theme folders, static templates, Markdown suffixes), in this process;
# `_walk_theme` is MkDocs' own `Files.add_files_from_theme` once `_share_theme_file_list` ran.
_LISTED: dict[tuple[object, ...], list[tuple[str, str | None]]] = {}
_walk_theme: Any = mkdocs.structure.files.Files.add_files_from_theme


def _share_theme_file_list() -> None:
    """MkDocs lists the theme's static files anew for every project: a walk of Material's folders
    (thousands of icons) and a dozen fnmatch patterns per name, measured at ~4 % of a full build's
    CPU over 14 projects. The list depends only on the theme's folders and the patterns' inputs,
    so one process computes it once and keeps it in the build cache for the next (see
    `_theme_files_path`); each project still gets its own `File` objects, and a docs
    file still wins over a theme file of the same path (MkDocs' rule)."""
    original = mkdocs.structure.files.Files.add_files_from_theme
    if getattr(original, "oqu_shared", False):
        return

    def add_files_from_theme(
        self: mkdocs.structure.files.Files, env: jinja2.Environment, config: object
    ) -> None:
        theme = config.theme  # type: ignore[attr-defined]
        key = (tuple(theme.dirs), tuple(theme.static_templates), tuple(mkdocs.utils.markdown_extensions))
        if key not in _LISTED:
            _LISTED[key] = _stored_theme_files(key) or []
        if not _LISTED[key]:
            listed = _listed_theme_files(env, theme) if LIST_THEME_FAST else None
            if listed is None:  # MkDocs' own walk
                probe = mkdocs.structure.files.Files([])
                _walk_theme(probe, env, config)
                listed = [(file.src_uri, file.src_dir) for file in probe]
            _LISTED[key] = listed
            _store_theme_files(key, _LISTED[key])
        elif (stored := _theme_files_path(key)) is not None and not stored.exists():
            _store_theme_files(key, _LISTED[key])  # a build with another cache, in this process
        for path, src_dir in _LISTED[key]:
            if self.get_file_from_path(path) is None:
                self.append(
                    mkdocs.structure.files.File(
                        path,
                        src_dir,
                        config.site_dir,  # type: ignore[attr-defined]
                        config.use_directory_urls,  # type: ignore[attr-defined]
                    )
                )

    add_files_from_theme.oqu_shared = True  # type: ignore[attr-defined]
    add_files_from_theme.oqu_original = original  # type: ignore[attr-defined]
    global _walk_theme
    _walk_theme = original
    mkdocs.structure.files.Files.add_files_from_theme = add_files_from_theme  # type: ignore[method-assign]


# False: MkDocs' own `Files.add_files_from_theme` lists the theme's files (read at each call: the
# test comparing the two lists sets it).
LIST_THEME_FAST = True

# sha256 of the source of MkDocs' `Files.add_files_from_theme` and Jinja's
# `FileSystemLoader.list_templates` (MkDocs 1.6.1, Jinja 3.1): what `_listed_theme_files` lists as
THEME_LIST_WRITTEN_FOR = "7d5f1a2062b756bee35bd9a7a1f037725b44fbb9bcafc2db73b2cd6b4b5413a0"


def theme_list_source_digest() -> str:
    """The digest of the installed MkDocs' and Jinja's functions `_listed_theme_files` stands for."""
    return source_digest(_walk_theme, jinja2.FileSystemLoader.list_templates)


def _listed_theme_files(env: jinja2.Environment, theme: Any) -> list[tuple[str, str | None]] | None:
    """What MkDocs' `add_files_from_theme` adds to an empty collection, as (path, theme folder),
    in its order: every file under the theme's folders (Jinja's `list_templates`: the names
    sorted, each once) that none of MkDocs' patterns leaves out, from the first folder holding
    it. Jinja made each name from the whole path and MkDocs tried a dozen `fnmatch` patterns on
    each of Material's ~14,500 files (~0.17 s of a full build's CPU); here a folder's part of
    the name is made once and the patterns are one expression (`fnmatch.translate`'s, joined).
    None when the loader or the library code is not the one this was written for."""
    loader = env.loader
    if isinstance(loader, mkdocs_fragments._RewritingLoader):
        loader = loader.inner
    if (
        type(loader) is not jinja2.FileSystemLoader
        or loader.followlinks
        or list(loader.searchpath) != [os.fspath(folder) for folder in theme.dirs]
        or theme_list_source_digest() != THEME_LIST_WRITTEN_FOR
    ):
        return None
    patterns = [".*", "*/.*", "*.py", "*.pyc", "*.html", "*readme*", "mkdocs_theme.yml", "locales/*"]
    patterns += [f"*{suffix}" for suffix in mkdocs.utils.markdown_extensions]
    patterns += list(theme.static_templates)
    left_out = re.compile("|".join(f"(?:{fnmatch.translate(pattern)})" for pattern in patterns)).match
    found: set[str] = set()
    for searchpath in loader.searchpath:
        for dirpath, _, filenames in os.walk(searchpath):
            folder = dirpath[len(searchpath) :].strip(os.path.sep).replace(os.path.sep, "/")
            if folder == "." or folder[:2] == "./":  # Jinja's rule for a name starting so: per name
                names = (_jinja_name(searchpath, dirpath, filename) for filename in filenames)
            else:
                names = (f"{folder}/{filename}" if folder else filename for filename in filenames)
            found.update(name for name in names if not left_out(name.lower()))
    listed = []
    for name in sorted(found):
        for folder in theme.dirs:
            if os.path.isfile(os.path.join(folder, name)):
                listed.append((PurePath(name).as_posix(), folder))  # File's `src_uri`
                break
    return listed


def _jinja_name(searchpath: str, dirpath: str, filename: str) -> str:
    """Jinja's `FileSystemLoader.list_templates` name of one file."""
    name = os.path.join(dirpath, filename)[len(searchpath) :].strip(os.path.sep).replace(os.path.sep, "/")
    return name[2:] if name[:2] == "./" else name


def _theme_files_path(key: tuple[Any, ...]) -> Path | None:
    """Where the theme's file list for `key` is kept between processes: beside the compiled
    templates, named by a digest of the toolchain (MkDocs, Material, our theme folder: what keys
    the projects' cache too) and the list's inputs. None when no build cache is in use."""
    if _TEMPLATES.folder is None:
        return None
    from builder.projects import toolchain_fingerprint

    dirs, static_templates, extensions = key  # the templates are a set: sorted, one name per list
    inputs = json.dumps(
        [
            toolchain_fingerprint(),
            list(map(str, dirs)),
            sorted(map(str, static_templates)),
            list(map(str, extensions)),
        ]
    )
    return _TEMPLATES.folder / f"theme-files-{hashlib.sha256(inputs.encode()).hexdigest()[:24]}.json"


def _stored_theme_files(key: tuple[object, ...]) -> list[tuple[str, str | None]] | None:
    """The list a previous process stored (a one-lesson rebuild listed Material's icons again:
    ~0.4 s of its CPU at 1,000 lessons); None when there is none or it cannot be read."""
    path = _theme_files_path(key)
    try:
        stored = json.loads(path.read_text(encoding="utf-8")) if path is not None else None
    except (OSError, ValueError):
        return None
    if not isinstance(stored, list) or not stored:
        return None
    return [(str(uri), None if src_dir is None else str(src_dir)) for uri, src_dir in stored]


def _store_theme_files(key: tuple[object, ...], files: list[tuple[str, str | None]]) -> None:
    path = _theme_files_path(key)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(json.dumps(files), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass  # a cache that cannot be written is only slower


# False: MkDocs' own `Page.render` (a new converter per page), read at each call (and inherited
# by forked pool workers): the test that compares the two outputs byte for byte sets it.
REUSE_MARKDOWN_CONVERTER = True


def _reuse_markdown_converter() -> None:
    """MkDocs makes a new Python-Markdown converter, with every extension set up anew, for each
    page (measured: ~5 % of a full build's CPU at 1,000 lessons). Python-Markdown's way to convert
    many documents with one converter is `reset()` between them, which every extension in
    projects.MARKDOWN_EXTENSIONS implements; this keeps one converter per project config and
    otherwise renders as MkDocs 1.6's `Page.render` does (its per-page processors registered
    anew under the same names). Pinned by the byte-for-byte tests of the page-level build and
    the golden pages; a MkDocs upgrade that changes `Page.render` must revisit it."""
    original = mkdocs.structure.pages.Page.render
    if getattr(original, "oqu_shared", False):
        return
    last: dict[str, Any] = {}
    pages = mkdocs.structure.pages

    def render(self: pages.Page, config: Any, files: mkdocs.structure.files.Files) -> None:
        if not REUSE_MARKDOWN_CONVERTER:
            original(self, config, files)
            return
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        if last.get("config") is config:
            md = last["md"]
            md.reset()
        else:
            md = markdown.Markdown(
                extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"] or {}
            )
            last.update(config=config, md=md)
        raw_html_ext = raw_html_preprocessor()
        raw_html_ext._register(md)
        extract_anchors_ext = pages._ExtractAnchorsTreeprocessor(self.file, files, config)
        extract_anchors_ext._register(md)
        relative_path_ext = pages._RelativePathTreeprocessor(self.file, files, config)
        relative_path_ext._register(md)
        extract_title_ext = pages._ExtractTitleTreeprocessor()
        extract_title_ext._register(md)
        self.content = md.convert(self.markdown)
        self.toc = pages.get_toc(getattr(md, "toc_tokens", []))
        self._title_from_render = extract_title_ext.title
        self.present_anchor_ids = extract_anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
        if pages.log.getEffectiveLevel() > logging.DEBUG:
            self.links_to_anchors = relative_path_ext.links_to_anchors

    render.oqu_shared = True  # type: ignore[attr-defined]
    pages.Page.render = render  # type: ignore[method-assign]


def _parse_configs_with_libyaml() -> None:
    """MkDocs parses mkdocs.yml with PyYAML's pure-Python parser (a course's navigation: ~2 % of a
    course project's CPU at 1,000 lessons). The same loader on libyaml's parser (`yaml.CLoader`:
    the same constructors and resolver as `yaml.Loader`, with MkDocs' `!ENV` and `!relative`
    tags) reads the generated files into the same values; MkDocs itself reads page front matter
    with libyaml already (mkdocs.utils.meta). Without libyaml, nothing changes."""
    import mkdocs.config.defaults
    import mkdocs.utils.yaml
    import yaml

    original = mkdocs.utils.yaml.get_yaml_loader
    if getattr(mkdocs.config.defaults.get_yaml_loader, "oqu_shared", False) or not hasattr(yaml, "CLoader"):
        return

    def get_yaml_loader(loader: Any = yaml.CLoader, config: Any = None) -> Any:
        return original(loader=loader, config=config)

    get_yaml_loader.oqu_shared = True  # type: ignore[attr-defined]
    mkdocs.config.defaults.get_yaml_loader = get_yaml_loader


def _read_entry_points_once() -> None:
    """MkDocs (its plugins, as mkdocs.config.defaults is imported; its themes) and Python-Markdown
    (its extensions) each ask importlib.metadata for one group of entry points, and each asking
    reads the entry points of every installed package (~150 files: ~10 ms each time on a quiet
    machine, several times that on a busy disk; a one-lesson rebuild asked three times). Here
    they are read once per process and each group selected from them: the same entry points,
    in the same order (`entry_points(group=...)` is `entry_points().select(group=...)`)."""
    import importlib.metadata

    import markdown.util
    import mkdocs.plugins

    if getattr(mkdocs.plugins.entry_points, "oqu_shared", False):
        return
    read: list[Any] = []
    selected: dict[str, Any] = {}  # Python-Markdown asks for its group once per extension

    def entry_points(*, group: str) -> Any:
        if not read:
            read.append(importlib.metadata.entry_points())
        if group not in selected:
            selected[group] = read[0].select(group=group)
        return selected[group]

    def get_installed_extensions() -> Any:
        return entry_points(group="markdown.extensions")

    entry_points.oqu_shared = True  # type: ignore[attr-defined]
    mkdocs.plugins.entry_points = entry_points  # type: ignore[assignment]
    mkdocs.utils.entry_points = entry_points  # type: ignore[assignment]
    markdown.util.get_installed_extensions = get_installed_extensions


def _list_themes_once() -> None:
    """MkDocs lists the installed themes (every installed package's entry points) twice per
    project: it empties its own cache of the list after loading a theme (for a theme installed
    while `mkdocs serve` runs). In oqu's build processes the list is kept (~25 % of the fixed
    cost of a project: measured with a one-page project)."""
    original = mkdocs.utils.get_themes
    if getattr(original, "oqu_shared", False):
        return
    listed: list[Any] = []

    def get_themes() -> Any:
        if not listed:
            listed.append(original())
        return listed[0]

    get_themes.cache_clear = lambda: None  # type: ignore[attr-defined]
    get_themes.oqu_shared = True  # type: ignore[attr-defined]
    mkdocs.utils.get_themes = get_themes  # type: ignore[assignment]
