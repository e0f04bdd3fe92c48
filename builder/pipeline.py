"""`oqu check` and `oqu build` as a top-down pipeline: gather, validate, generate, build, publish."""

from __future__ import annotations

import datetime as dt
import gc
import html
import multiprocessing
import os
import posixpath
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.assignments import check_gradebooks
from builder.bundle import published_lesson_ids, write_service_bundle
from builder.formulas import FormulaError, find_formulas, to_mathml
from builder.i18n import t
from builder.lesson_cache import CACHE_FILE as LESSONS_CACHE
from builder.lesson_cache import LessonCache
from builder.load import content_unchanged, load_site
from builder.media import MediaProgress, build_media, check_media
from builder.media.library import MediaLibrary
from builder.mkdocs_runner import BuiltProject, build_all, shared_assets_dir
from builder.mkdocs_setup import link_or_copy
from builder.model import LessonVariant, Site
from builder.paper import PaperResult, build_paper
from builder.problems import ContentError, Problems
from builder.project_cache import GENERATED, ProjectCache
from builder.projects import ProjectSource, plan_projects, shared_media_files
from builder.publication import check_publication, record_publications, today_in_almaty
from builder.quizzes.publish import write_site_quizzes
from builder.quizzes.site import load_site_quizzes
from builder.schedules import write_calendars
from builder.search import build_search_index


@dataclass
class BuildReport:
    pages: int = 0
    projects: int = 0
    rebuilt: int = 0
    relinked: int = 0  # files hard-linked (or copied) into the site tree by this build
    media_encoded: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    site: Site | None = field(default=None, repr=False)  # the model and media it was built from (oqu preview)
    media: MediaLibrary | None = field(default=None, repr=False)


def check_content(
    root: Path, out: Path | None = None, today: dt.date | None = None
) -> tuple[Site | None, Problems]:
    """Every problem of the site in one run (the content model, formulas, orphaned ids, late
    schedules: `today` is the date in Asia/Almaty unless a test gives one). With `out`, lesson
    files parsed by the last run are reused from its cache while their bytes are the same."""
    with content_unchanged():
        return _check_content(root, out, today)


def _check_content(root: Path, out: Path | None, today: dt.date | None) -> tuple[Site | None, Problems]:
    cache = LessonCache(out / ".cache" / LESSONS_CACHE, root) if out is not None else None
    site, problems = load_site(root, cache)
    if site is not None:
        check_formulas(site, problems, cache)
    if cache is not None:
        cache.save()
    if site is not None:
        check_publication(site, problems, out, today or today_in_almaty())
        check_media(site, problems)
        site.quizzes = load_site_quizzes(site, problems)
        check_gradebooks(site, problems)
        if out is not None:
            warn_vanished_lessons(site, out / "service", problems)
    return site, problems


def check_formulas(site: Site, problems: Problems, cache: LessonCache | None = None) -> None:
    """Every formula of every lesson converted to MathML, each failure an error at its line;
    with `cache`, a lesson file's verdict is the one kept for its bytes (reported all the same)."""
    from functools import partial

    for course in site.courses:
        for _, lesson in course.lessons():
            for variant in lesson.variants.values():
                found = (
                    cache.formula_problems(variant.digest, partial(formula_problems, variant))
                    if cache is not None
                    else formula_problems(variant)
                )
                for line, message in found:
                    problems.error(variant.path, line, message)


def formula_problems(variant: LessonVariant) -> tuple[tuple[int, str], ...]:
    """The lesson's formulas that do not convert: (line, message) each."""
    found = []
    for formula in find_formulas(variant.body, variant.body_line):
        try:
            to_mathml(formula.latex, formula.display)
        except FormulaError as exc:
            found.append((formula.line, str(exc)))
    return tuple(found)


def warn_vanished_lessons(site: Site, service_dir: Path, problems: Problems) -> None:
    previous = published_lesson_ids(service_dir)
    for course in site.courses:
        now = {lesson.id for _, lesson in course.lessons()}
        for gone in sorted(previous.get(course.id, set()) - now):
            problems.warn(
                course.path / "course.yml",
                1,
                f"lesson '{gone}' was published by the previous build and is gone; if it was renamed, "
                f"set 'id: {gone}' in its front matter to keep students' progress",
            )


def build_site(
    root: Path,
    out: Path,
    strict: bool = False,
    on_planned: Callable[[int], None] = lambda _: None,
    on_project: Callable[[BuiltProject], None] = lambda _: None,
    on_media: MediaProgress = lambda *_: None,
    paper: bool = True,
    today: dt.date | None = None,
    publication: bool = True,
) -> BuildReport:
    """Check, then build everything into `out`; on any error raise and leave `out/site` as it was.
    `paper=False` skips the PDFs and offline copies even when site_config.yml asks for them (a
    preview loop that must stay fast); `publication=False` records no first publication of a
    schedule (`oqu preview`)."""
    with _frozen_heap(), _spare_made_ahead(out) as spare_ready:  # (see each)
        return _build_site(
            root, out, strict, on_planned, on_project, on_media, paper, today, publication, spare_ready
        )


def _build_site(
    root: Path,
    out: Path,
    strict: bool,
    on_planned: Callable[[int], None],
    on_project: Callable[[BuiltProject], None],
    on_media: MediaProgress,
    paper: bool,
    today: dt.date | None,
    publication: bool,
    spare_ready: Callable[[], None],
) -> BuildReport:
    started = time.perf_counter()
    today = today or today_in_almaty()
    with ExitStack() as indexing:
        with content_unchanged():  # from the check to the generated pages: links resolved once
            site, problems = check_content(root, out, today)
            if site is None or problems.has_errors(strict):
                raise ContentError(problems.errors + (problems.warnings if strict else []))
            # the search index is made in a process of its own from here on: it reads only the
            # checked model, so the media, the PDFs, the MkDocs projects and the assembly run
            # beside it (in a one-lesson rebuild it takes about as long as the page's project);
            # it is done before anything is published
            search_index = indexing.enter_context(_search_index_beside(site, out / "search"))
            media = build_media(site, out / "media", on_media)
            printed = build_paper(site, media, out / ".cache" / "paper") if paper else PaperResult()
            generated = ProjectCache(out / ".cache" / GENERATED, site, media)  # unchanged courses: reused
            projects = plan_projects(site, media=media, downloads=printed.downloads, reuse=generated)
        # the generated projects frozen too before the MkDocs pool forks (its workers' full
        # collections would walk every page of every project, copying the pages they touch)
        indexing.enter_context(_frozen_heap())
        on_planned(len(projects))
        built, relinked = _assemble_and_publish(
            site, out, projects, on_project, media, printed, publication, today, spare_ready, search_index
        )
    prune_cache(out / ".cache" / "projects", {b.output.name for b in built})
    generated.prune()
    return BuildReport(
        pages=sum(p.page_count() for p in projects),
        projects=len(projects),
        rebuilt=sum(not b.cached for b in built),
        relinked=relinked,
        media_encoded=media.made,
        seconds=time.perf_counter() - started,
        warnings=[str(w) for w in problems.warnings],
        site=site,
        media=media,
    )


def _assemble_and_publish(
    site: Site,
    out: Path,
    projects: list[ProjectSource],
    on_project: Callable[[BuiltProject], None],
    media: MediaLibrary,
    printed: PaperResult,
    publication: bool,
    today: dt.date,
    spare_ready: Callable[[], None],
    search_index: Future[Any],
) -> tuple[list[BuiltProject], int]:
    """Build the MkDocs projects, assemble the site and the service bundle beside the old ones,
    wait for the search index, then swap them in; return the built projects and how many files
    were linked."""
    staging = out / f".site-new-{os.getpid()}"
    service_staging = out / f".service-new-{os.getpid()}"
    spare = out / SPARE_SITE
    try:
        built = build_all(projects, out / ".cache" / "projects", on_project)
        spare_ready()
        if spare.is_dir():  # the tree the last build replaced: brought up to date, not made anew
            os.replace(spare, staging)
        relinked = assemble_site(
            site,
            built,
            shared_assets_dir(out / ".cache" / "projects"),
            staging,
            shared_media_files(site, media),
        )
        write_service_bundle(site, service_staging, previous=out / "service")
        write_site_quizzes(site, staging, service_staging)
        printed.copy_into(staging)
        write_calendars(site, staging)
        search_index.result()
        publish(staging, out / "site", spare=spare)
        for site_path in printed.files:  # copies, not links: the spare would hold them twice
            (spare / site_path).unlink(missing_ok=True)
        publish(service_staging, out / "service")
        if publication:  # a preview shows, it does not publish (R7.1 counts the publishing build)
            record_publications(site, out, today)
    finally:
        for leftover in (staging, service_staging):
            shutil.rmtree(leftover, ignore_errors=True)
    return built, relinked


@contextmanager
def _search_index_beside(site: Site, path: Path) -> Iterator[Future[Any]]:
    """`build_search_index(site, path)` running in a process of its own while the block runs
    (the MkDocs pool's), and the processes forked in the block made cheaper:

    - every object made so far (the content model, the generated pages, the imported modules)
      is frozen out of the garbage collector until the block ends, so that no forked process's
      collections walk the inherited heap again (each full collection walked all of it, touching
      every page the child shares with the parent);
    - a forked indexer takes the site it inherited: pickling it to the indexer and unpickling
      it there (~10 MB at 1,000 lessons) cost ~0.1 s of CPU in each process, and the copy was
      a new heap for the indexer's collector. Where processes cannot be forked, it is pickled."""
    global _SITE_TO_INDEX
    forked = "fork" in multiprocessing.get_all_start_methods()
    with _frozen_heap():
        context = multiprocessing.get_context("fork") if forked else None
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as indexer:
            if not forked:
                yield indexer.submit(build_search_index, site, path)
                return
            _SITE_TO_INDEX = site
            try:
                future = indexer.submit(_index_inherited_site, path)  # forks the process, now
            finally:
                _SITE_TO_INDEX = None
            yield future


# How many `_frozen_heap` blocks are running (they nest: only the outermost one unfreezes).
_FROZEN = 0


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Every object made so far moved out of the garbage collector's reach (`gc.freeze`) until
    the outermost such block ends (`gc.unfreeze`: they are collected as before from then on).

    A one-lesson rebuild in a new process imports ~1 s of modules and then loads 1,000 lessons:
    the first full collection of the build walked every imported object again (40–100 ms at
    1,000 lessons, ~a quarter of the check's time) to free nothing of theirs. A collection
    still runs when the build's own objects call for one, over those objects only."""
    global _FROZEN
    gc.freeze()
    _FROZEN += 1
    try:
        yield
    finally:
        _FROZEN -= 1
        if not _FROZEN:
            gc.unfreeze()


@contextmanager
def _spare_made_ahead(out: Path) -> Iterator[Callable[[], None]]:
    """Without a spare tree (the first build after a full one, whose site replaced no tree), a
    forked process makes one while this build checks and plans: the current site's folders,
    without files (`_bring_up_to_date` then links the files and mends the folders that differ).
    The block gives a function that waits for it and puts it in place as the spare (also
    called when the block ends, on an error too).

    At 1,000 lessons the site has ~1,500 folders (one per page): making them in the build's own
    process cost ~0.2 s of CPU on ext4 (a `mkdir` takes 100–250 µs: an inode and a directory
    block), so the first rebuild after a full build took ~0.2 s longer than the later ones (which
    bring the spare up to date). The folders are made in parallel with the check, the media and
    the plan (~0.5 s), as the search index is made beside the MkDocs projects; their CPU is the
    child's, counted by `getrusage(RUSAGE_CHILDREN)` and by a cgroup, not removed."""
    site, spare = out / "site", out / SPARE_SITE
    making = out / f".site-spare-new-{os.getpid()}"
    pid = 0
    if "fork" in multiprocessing.get_all_start_methods() and site.is_dir() and not spare.exists():
        pid = os.fork()
        if pid == 0:  # the child: only folders made, then gone without running the parent's code
            code = 1
            try:
                _make_folders_of(str(site), str(making))
                code = 0
            finally:
                os._exit(code)

    def ready() -> None:
        nonlocal pid
        if not pid:
            return
        _, status = os.waitpid(pid, 0)
        pid = 0
        if os.waitstatus_to_exitcode(status) == 0 and not spare.exists():
            try:
                os.rename(making, spare)
                return
            except OSError:  # another build's spare came first
                pass
        shutil.rmtree(making, ignore_errors=True)

    try:
        yield ready
    finally:
        ready()


def _make_folders_of(source: str, target: str) -> None:
    """`target` made with the folders of the tree at `source` (not following links), no files."""
    os.mkdir(target)
    pending = [(source, target)]
    while pending:
        folder, made = pending.pop()
        with os.scandir(folder) as listing:
            for entry in listing:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, os.path.join(made, entry.name)))
                    os.mkdir(pending[-1][1])


# The site the indexer forked by `_search_index_beside` inherits (set only while it is forked).
_SITE_TO_INDEX: Site | None = None


def _index_inherited_site(path: Path) -> None:
    site = _SITE_TO_INDEX
    if site is None:  # not forked by _search_index_beside
        raise RuntimeError("the search indexer was not forked from the build")
    # the report stays here: unpickling it in the build's process would import whoosh there
    build_search_index(site, path)


# The site tree the last build replaced, kept (hard links: a few kilobytes of folders) so that the
# next build brings it up to date instead of linking every file into an empty folder and deleting
# the old tree (at 1,000 lessons: ~0.4 s of CPU and ~3 s of waiting for the disk per build).
SPARE_SITE = ".site-spare"


def assemble_site(
    site: Site, built: list[BuiltProject], theme: Path, staging: Path, shared: dict[str, Path] | None = None
) -> int:
    """Put every project's output in its place (hard links), the shared theme assets, the courses'
    shared video renditions (`shared`: site path → file) and the root pages; return how many
    files were linked or copied. An existing `staging` (a previous build's tree) keeps the files
    that already are the right ones (the same inode) and loses everything else, so that it ends
    exactly as an empty folder would after the same steps."""
    sources = [(theme, "assets")] + [
        (b.output, b.dest) for b in sorted(built, key=lambda b: b.dest.count("/"))
    ]
    plan = _link_plan(sources, shared or {})
    if plan is None:  # a source holds a symbolic link: copytree's rules
        relinked = _assemble_anew(staging, sources, shared or {})
    else:
        # without a previous tree (a full build, the first rebuild after one) the plan is made
        # in an empty folder: a `mkdir` per folder and a link per file, where `shutil.copytree`
        # also stat'ed each file and copied each folder's mode, times and extended attributes
        # (~0.3 s of CPU at 1,000 lessons: the first rebuild after a full build paid it)
        staging.mkdir(parents=True, exist_ok=True)
        relinked = _bring_up_to_date(staging, plan)
    (staging / "index.html").write_text(root_redirect(site), encoding="utf-8")
    (staging / "404.html").write_text(not_found_page(site, site.default_language), encoding="utf-8")
    for lang in site.languages:  # each language's folder has its own, in its language only
        (staging / lang).mkdir(exist_ok=True)
        (staging / lang / "404.html").write_text(not_found_page(site, lang), encoding="utf-8")
    return relinked


def _assemble_anew(staging: Path, sources: list[tuple[Path, str]], shared: dict[str, Path]) -> int:
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    linked = 0

    def counted(source: str, target: str) -> None:
        nonlocal linked
        linked += 1
        link_or_copy(source, target)

    theme, _ = sources[0]
    shutil.copytree(theme, staging / "assets", copy_function=counted)
    for name, source in sorted(shared.items()):
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        counted(str(source), str(staging / name))
    for output, dest in sources[1:]:
        shutil.copytree(output, staging / dest, copy_function=counted, dirs_exist_ok=True)
    return linked


@dataclass
class _LinkPlan:
    files: dict[str, Path]  # site path → the file linked there
    copied: set[str]  # paths given twice: the later file is copied over the earlier link (copytree)
    folders: set[str]  # every folder the steps make, "" the tree itself
    # site path → (device, inode) of a file from a project's or the theme's tree, read from its
    # folder's listing (no stat per file); the shared media files are stat'ed when compared
    inodes: dict[str, tuple[int, int]] = field(default_factory=dict)


def _link_plan(sources: list[tuple[Path, str]], shared: dict[str, Path]) -> _LinkPlan | None:
    """What `_assemble_anew` makes, as paths, in the same order (a later file replaces an
    earlier one); None when a source holds a symbolic link (copytree's rules apply then).

    The trees are read with `os.scandir`: a file's inode comes from its folder's listing and a
    symbolic link is told by the listing's type, where `os.walk`, `os.path.islink` and a stat of
    each file cost ~3 system calls a file (~1,600 files and ~1,500 folders at 1,000 lessons)."""
    plan = _LinkPlan({}, set(), {""})

    def add_folder(site_path: str) -> None:
        while site_path not in plan.folders:
            plan.folders.add(site_path)
            site_path = posixpath.dirname(site_path)

    def add_file(site_path: str, source: Path) -> None:
        if site_path in plan.files:
            plan.copied.add(site_path)
        plan.files[site_path] = source
        add_folder(posixpath.dirname(site_path))

    def add_tree(top: Path, dest: str) -> bool:
        if not os.path.isdir(top):  # as os.walk: nothing
            return True
        device = os.stat(top).st_dev
        base = posixpath.normpath(dest).lstrip("/")
        pending = [(str(top), "" if base == "." else base)]
        while pending:
            folder, base = pending.pop()
            add_folder(base)
            with os.scandir(folder) as listing:
                entries = list(listing)
            if any(entry.is_symlink() for entry in entries):
                return False
            for entry in entries:
                site_path = posixpath.join(base, entry.name)
                if entry.is_dir():
                    pending.append((entry.path, site_path))
                else:
                    add_file(site_path, Path(entry.path))
                    plan.inodes[site_path] = (device, entry.inode())
        return True

    (theme, theme_dest), projects = sources[0], sources[1:]
    if not add_tree(theme, theme_dest):
        return None
    for name, source in sorted(shared.items()):
        add_file(name, source)
        plan.inodes.pop(name, None)
    for output, dest in projects:
        if not add_tree(output, dest):
            return None
    return plan


def _bring_up_to_date(staging: Path, plan: _LinkPlan) -> int:
    """Remove from `staging` every file that is not already the planned file (hard link, same
    inode) and every folder not planned, then make the missing folders and links."""
    kept: set[str] = set()
    present: set[str] = set()
    device = os.stat(staging).st_dev

    def same(site_path: str, entry: os.DirEntry[str]) -> bool:
        source = plan.files.get(site_path)
        if source is None or site_path in plan.copied:
            return False
        planned = plan.inodes.get(site_path)
        if planned is None:
            return _same_file(entry.path, source)
        return (device, entry.inode()) == planned

    def prune(folder: str, rel: str) -> None:
        with os.scandir(folder) as listing:
            entries = list(listing)
        for entry in entries:
            site_path = posixpath.join(rel, entry.name)
            if entry.is_dir(follow_symlinks=False):
                prune(entry.path, site_path)
            elif same(site_path, entry):
                kept.add(site_path)
            else:
                os.unlink(entry.path)
        if rel in plan.folders:
            present.add(rel)
        else:
            os.rmdir(folder)

    prune(str(staging), "")
    for folder in sorted(plan.folders - present):  # a parent sorts before its children
        (staging / folder).mkdir(exist_ok=True)
    relinked = 0
    for site_path, source in plan.files.items():
        if site_path in kept:
            continue
        relinked += 1
        if site_path in plan.copied:
            shutil.copy2(source, staging / site_path)
        else:
            link_or_copy(source, staging / site_path)
    return relinked


def _same_file(path: str, source: Path) -> bool:
    try:
        mine, theirs = os.lstat(path), os.stat(source)
    except OSError:
        return False
    return (mine.st_ino, mine.st_dev) == (theirs.st_ino, theirs.st_dev)


def root_redirect(site: Site) -> str:
    lang = site.default_language
    name = html.escape(site.config.name.get(lang))
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={lang}/"><title>{name}</title>'
        f'<link rel="canonical" href="{lang}/"></head><body>'
        f'<p><a href="{lang}/">{html.escape(t("redirect", lang))}</a></p></body></html>\n'
    )


# The 404 page has the site's colours (Material's deep orange header) without its scripts or
# stylesheets: a missing page's address may be any depth, so it links nothing relative.
NOT_FOUND_STYLE = (
    "body{margin:0;font-family:Roboto,system-ui,-apple-system,'Segoe UI',sans-serif;"
    "color:rgba(0,0,0,.87)}header{background:#bf360c;color:#fff;padding:.8rem 1rem}"
    "header a{color:#fff;text-decoration:none;font-weight:700}"
    "main{max-width:40rem;margin:2rem auto;padding:0 1rem}"
    "h1{font-weight:300;color:rgba(0,0,0,.54);font-size:2rem}a{color:#bf360c}"
    "li{margin:.4rem 0}"
)


def not_found_page(site: Site, lang: str) -> str:
    """The 404 page of one language's folder, in that language only: where to go instead."""
    name = html.escape(site.config.name.get(lang))
    links = [
        (f"/{lang}/", t("home", lang)),
        (f"/{lang}/courses/", t("catalogue", lang)),
        (f"/{lang}/find/", t("search", lang)),
    ]
    items = "".join(f'<li><a href="{href}">{html.escape(text)}</a></li>' for href, text in links)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(t('not_found', lang))} — {name}</title><style>{NOT_FOUND_STYLE}</style></head>"
        f'<body><header><a href="/{lang}/">{name}</a></header><main>'
        f"<h1>{html.escape(t('not_found', lang))}</h1><p>{html.escape(t('not_found.message', lang))}</p>"
        f"<ul>{items}</ul></main></body></html>\n"
    )


def publish(staging: Path, target: Path, spare: Path | None = None) -> None:
    """Swap `staging` in for `target`: the old folder stays whole until the new one is complete.
    With `spare`, the old folder is kept there (when that name is free) for the next build."""
    old = (
        spare
        if spare is not None and not spare.exists()
        else target.with_name(f".{target.name}-old-{os.getpid()}")
    )
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    if old.exists() and old != spare:
        shutil.rmtree(old)


def prune_cache(cache: Path, keep: set[str]) -> None:
    """Forget outputs this build did not use (old projects, old theme copies), so the cache stays small."""
    keep = keep | {shared_assets_dir(cache).name}
    for entry in cache.iterdir():
        if entry.is_dir() and not entry.name.startswith(".") and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)
