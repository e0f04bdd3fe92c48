"""Build benchmark: `oqu build` against plain MkDocs on synthetic courses of 200 and 1,000 lessons.

For each size the script generates a deterministic site (Cyrillic Kazakh and Russian text, about
500 words a lesson, headings, lists, a table, an admonition, a link to the previous lesson, an SVG
figure in every 5th lesson, a formula in every 10th) in a temporary folder, then measures:

1. a full `oqu build` in-process (`build_site`, the builder's own process pool) on a fresh folder,
   and again with one worker (everything in this process, so the phases can be timed);
2. the same generated MkDocs projects (`plan_projects`, written to disk like `_write_sources`) built
   by plain MkDocs in this process, one after another (`mkdocs.commands.build.build`): the cost of
   the same docs without oqu's generation, caching, shared theme assets and parallelism (but
   with the MkDocs patches of builder/mkdocs_setup.py, which the in-process builds before it
   installed: step 5's one-project baseline runs in a new process, plain MkDocs);
3. a rebuild after appending a paragraph to one lesson (same output folder);
4. a rebuild with nothing changed;
5. the `oqu build` command in a fresh process (imports included), unless --no-cli, with its CPU time,
   beside plain MkDocs building the same pages as ONE Material project with navigation.prune in a
   fresh process (what a user of plain MkDocs would make), wall and CPU time;
6. output sizes: oqu's `site/` and the plain builds' site folders (each with its own theme copy);
7. `oqu preview`'s loop (the real file watcher, in this process): N saves of one lesson, each timed
   until the re-rendered page is written and announced to the open tab; p50 and p95 (--preview-edits).

`--only-new-lesson` measures `oqu preview` given a NEW lesson file, before and after in the same
run, interleaved: the build's own path (what the preview did before: `LiveSite.build()`, the
incremental build of the whole site) against the new-lesson path (`LiveSite.apply`), wall and CPU
(this process and its pools).

`--only-search-cache` measures one fixed cost instead, before and after in the same run: a
one-lesson rebuild by the `oqu build` command in a new process (wall and CPU, its pool and search
indexer included), with the search documents of every course made again ("before": the builder
as it was) and with them cached per course by their inputs' key ("after"), interleaved.

Figures are printed, nothing is asserted. Run:

    .venv/bin/python bench/build.py [--sizes 200,1000] [--repeat 3] [--keep] [--no-cli] [--json out.json]

The machine may be busy with other work: `--repeat N` runs every build N times, interleaved, and
reports the fastest with the range; the load average is printed before each step. The text is
deterministic for a given seed and a given set of example lessons under content/.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import logging
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import builder.mkdocs_runner as runner  # noqa: E402
import builder.pipeline as pipeline  # noqa: E402
from builder.load import load_site  # noqa: E402
from builder.mkdocs_setup import link_or_copy  # noqa: E402
from builder.pipeline import build_site  # noqa: E402
from builder.projects import ProjectSource, plan_projects  # noqa: E402

console = Console(highlight=False, width=None if sys.stdout.isatty() else 180)

# -- vocabulary --------------------------------------------------------------------------------

SEED_TEXT = Path("/work/shared/seed/000_9b8222bd0215dc2e.txt")
CYRILLIC = "А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі"
WORD_RE = re.compile(rf"[{CYRILLIC}]+(?:-[{CYRILLIC}]+)*")
KAZAKH_ONLY = set("ӘәҒғҚқҢңӨөҰұҮүҺһІі")


@dataclass
class Vocabulary:
    """Word tokens (with repeats, so that sampling keeps the sources' word frequencies)."""

    kk: list[str]
    ru: list[str]
    sources: list[str]

    def words(self, lang: str) -> list[str]:
        return self.kk if lang == "kk" else self.ru


def build_vocabulary() -> Vocabulary:
    """Tokenise the Kazakh seed text and the example lessons under content/ (*.kk.md, *.ru.md)."""
    kk_files = [SEED_TEXT] if SEED_TEXT.is_file() else []
    kk_files += sorted((REPO / "content").rglob("*.kk.md"))
    ru_files = sorted((REPO / "content").rglob("*.ru.md"))

    def tokens(paths: list[Path]) -> list[str]:
        found = []
        for path in paths:
            found += [w.lower() for w in WORD_RE.findall(path.read_text(encoding="utf-8")) if len(w) > 1]
        return found

    kk = tokens(kk_files)
    # a Russian file may quote no Kazakh, but be safe: a word with a Kazakh-only letter is not Russian
    ru = [w for w in tokens(ru_files) if not KAZAKH_ONLY & set(w)]
    if len(set(kk)) < 200 or len(set(ru)) < 200:
        raise SystemExit(f"vocabulary too small: {len(set(kk))} kk, {len(set(ru))} ru distinct words")
    sources = [str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p) for p in kk_files + ru_files]
    return Vocabulary(kk=kk, ru=ru, sources=sources)


# -- synthetic site ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    lessons: int
    courses: int
    modules: int  # per course
    per_module: int  # lessons per module
    bilingual: int  # the first `bilingual` courses have kk and ru lessons, the rest kk only


SHAPES = {
    200: Shape(200, courses=4, modules=5, per_module=10, bilingual=1),
    1000: Shape(1000, courses=10, modules=10, per_module=10, bilingual=2),
}


def shape_for(lessons: int) -> Shape:
    if lessons in SHAPES:
        return SHAPES[lessons]
    per_module = 10
    modules = 5 if lessons <= 250 else 10
    courses = max(1, round(lessons / (modules * per_module)))
    per_module = max(1, lessons // (courses * modules))
    return Shape(courses * modules * per_module, courses, modules, per_module, bilingual=1)


class Writer:
    """Deterministic Cyrillic text from the vocabulary."""

    def __init__(self, vocab: Vocabulary, rng: random.Random) -> None:
        self.vocab = vocab
        self.rng = rng

    def phrase(self, lang: str, low: int, high: int) -> str:
        words = [self.rng.choice(self.vocab.words(lang)) for _ in range(self.rng.randint(low, high))]
        text = " ".join(words)
        return text[:1].upper() + text[1:]

    def sentence(self, lang: str) -> str:
        words = [self.rng.choice(self.vocab.words(lang)) for _ in range(self.rng.randint(6, 14))]
        words[0] = words[0][:1].upper() + words[0][1:]
        if self.rng.random() < 0.15:
            i = self.rng.randrange(len(words))
            words[i] = f"**{words[i]}**"
        elif self.rng.random() < 0.15:
            i = self.rng.randrange(len(words))
            words[i] = f"*{words[i]}*"
        if len(words) > 8 and self.rng.random() < 0.4:
            words[self.rng.randrange(2, len(words) - 2)] += ","
        return " ".join(words) + "."

    def paragraph(self, lang: str, low: int = 3, high: int = 6) -> str:
        return " ".join(self.sentence(lang) for _ in range(self.rng.randint(low, high)))


def _count_words(text: str) -> int:
    return len(WORD_RE.findall(text))


def lesson_markdown(
    w: Writer,
    lang: str,
    title: str,
    meta: dict[str, Any],
    figure: str | None,
    previous: str | None,
    formula: bool,
    words: int = 500,
) -> str:
    front = yaml.safe_dump({"title": title, **meta}, allow_unicode=True, sort_keys=False)
    body = [f"# {title}", "", w.paragraph(lang), ""]
    body += [f"## {w.phrase(lang, 2, 4)}", "", w.paragraph(lang), ""]
    body += [f"- {w.phrase(lang, 3, 8)};" for _ in range(w.rng.randint(3, 5))] + [""]
    if previous:
        body += [f"[{w.phrase(lang, 2, 4)}]({previous})", ""]
    body += [f"## {w.phrase(lang, 2, 4)}", ""]
    body += [f"| {w.phrase(lang, 1, 1)} | {w.phrase(lang, 1, 2)} | {w.phrase(lang, 1, 1)} |", "|---|---|---|"]
    body += [
        f"| {w.rng.randint(1, 99)} | {w.phrase(lang, 3, 6)} | {w.phrase(lang, 2, 4)} |"
        for _ in range(w.rng.randint(3, 5))
    ] + [""]
    admonition = w.rng.choice(["note", "tip", "warning", "info"])
    body += [f'!!! {admonition} "{w.phrase(lang, 2, 3)}"', "", "    " + w.paragraph(lang, 2, 3), ""]
    if figure:
        body += [f"![{w.phrase(lang, 2, 5)}](media/{figure})", ""]
    if formula:
        body += [f"{w.sentence(lang)} $E = mc^2$, $v = \\frac{{s}}{{t}}$.", ""]
    while _count_words("\n".join(body)) < words:
        if w.rng.random() < 0.2:
            body += [f"### {w.phrase(lang, 2, 4)}", ""]
        body += [w.paragraph(lang), ""]
    return f"---\n{front}---\n\n" + "\n".join(body)


def svg_figure(rng: random.Random, label: str) -> str:
    """A small diagram (about 1-2 KB). Pillow is not a dependency of oqu, so figures are SVG."""
    shapes = []
    for _ in range(rng.randint(4, 8)):
        colour = rng.choice(["#e4572e", "#29335c", "#f3a712", "#a8c686", "#669bbc"])
        x, y = rng.randint(10, 520), rng.randint(10, 260)
        if rng.random() < 0.5:
            shapes.append(
                f'<rect x="{x}" y="{y}" width="{rng.randint(40, 110)}" height="{rng.randint(30, 80)}" '
                f'rx="6" fill="{colour}" opacity="0.8"/>'
            )
        else:
            shapes.append(f'<circle cx="{x + 40}" cy="{y + 30}" r="{rng.randint(15, 45)}" fill="{colour}"/>')
    shapes.append(
        '<line x1="20" y1="330" x2="620" y2="330" stroke="#333" stroke-width="3" marker-end="url(#a)"/>'
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360" viewBox="0 0 640 360" '
        f'role="img" aria-label="{label}"><defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z"/></marker></defs>'
        '<rect width="640" height="360" fill="#fafafa"/>'
        + "".join(shapes)
        + f'<text x="320" y="40" text-anchor="middle" font-family="sans-serif" font-size="22">{label}</text>'
        + "</svg>\n"
    )


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _translatable(w: Writer, langs: list[str], low: int, high: int) -> Any:
    if langs == ["kk"]:
        return w.phrase("kk", low, high)
    return {lang: w.phrase(lang, low, high) for lang in langs}


def _translatable_paragraph(w: Writer, langs: list[str]) -> Any:
    if langs == ["kk"]:
        return w.paragraph("kk", 2, 3)
    return {lang: w.paragraph(lang, 2, 3) for lang in langs}


@dataclass
class Generated:
    root: Path
    shape: Shape
    lesson_files: int
    figures: int
    edit_target: Path
    words_per_lesson: float


def generate_site(root: Path, shape: Shape, vocab: Vocabulary, seed: int) -> Generated:
    rng = random.Random(seed * 1_000_003 + shape.lessons)
    w = Writer(vocab, rng)
    root.mkdir(parents=True)
    site_langs = ["kk", "ru"]
    (root / "site_config.yml").write_text(
        _dump(
            {
                "name": {"kk": "Бенчмарк академиясы", "ru": "Академия бенчмарка"},
                "institution": {lang: w.phrase(lang, 6, 10) for lang in site_langs},
                "description": {lang: w.paragraph(lang, 2, 3) for lang in site_langs},
                "languages": site_langs,
                "site_url": "https://bench.example.kz/",
                "contact_email": "bench@example.kz",
            }
        ),
        encoding="utf-8",
    )
    courses_dir = root / "content" / "courses"
    lesson_files = figures = 0
    word_counts: list[int] = []
    edit_target: Path | None = None
    types = ["lecture", "practice", "seminar", "self-study"]
    for ci in range(1, shape.courses + 1):
        langs = ["kk", "ru"] if ci <= shape.bilingual else ["kk"]
        course_dir = courses_dir / f"course-{ci:02d}"
        course_dir.mkdir(parents=True)
        outcomes = [f"o{i}" for i in range(1, 5)]
        (course_dir / "course.yml").write_text(
            _dump(
                {
                    "title": _translatable(w, langs, 3, 6),
                    "summary": _translatable_paragraph(w, langs),
                    "languages": langs,
                    # a MOOC is open by definition (R2.9)
                    "access": "open" if ci % 2 or ci % 3 == 2 else "enrolled",
                    "format": ["asynchronous", "synchronous", "mooc"][ci % 3],
                    "order": ci,
                    "hours": {"contact": 12 + ci, "distance": 30 + 2 * ci},
                    "teachers": [
                        {
                            "name": _translatable(w, langs, 2, 3),
                            "position": _translatable(w, langs, 3, 6),
                            "email": f"teacher{ci}.{i}@example.kz",
                        }
                        for i in range(1, 3)
                    ],
                    "outcomes": [{"id": o, "text": _translatable(w, langs, 6, 12)} for o in outcomes],
                }
            ),
            encoding="utf-8",
        )
        for mi in range(1, shape.modules + 1):
            module_dir = course_dir / f"{mi:02d}-module-{mi:02d}"
            module_dir.mkdir()
            (module_dir / "module.yml").write_text(
                _dump({"title": _translatable(w, langs, 2, 5), "summary": _translatable_paragraph(w, langs)}),
                encoding="utf-8",
            )
            previous_stem = None
            for li in range(1, shape.per_module + 1):
                stem = f"{li:02d}-lesson-{mi:02d}-{li:02d}"
                number = ((ci - 1) * shape.modules + (mi - 1)) * shape.per_module + li
                figure = None
                if number % 5 == 0:
                    figure = f"fig-{li:02d}.svg"
                    (module_dir / "media").mkdir(exist_ok=True)
                    (module_dir / "media" / figure).write_text(
                        svg_figure(rng, w.phrase("kk", 1, 3)), encoding="utf-8"
                    )
                    figures += 1
                meta = {
                    "type": types[number % len(types)],
                    "duration": rng.choice([30, 45, 60, 90]),
                    "outcomes": [outcomes[number % len(outcomes)]],
                }
                for lang in langs:
                    text = lesson_markdown(
                        w,
                        lang,
                        w.phrase(lang, 2, 6),
                        meta,
                        figure,
                        f"{previous_stem}.md" if previous_stem else None,  # a link without language
                        formula=number % 10 == 0,
                    )
                    path = module_dir / f"{stem}.{lang}.md"
                    path.write_text(text, encoding="utf-8")
                    word_counts.append(_count_words(text.split("---", 2)[2]))
                    lesson_files += 1
                previous_stem = stem
        if ci == shape.courses:  # edit a lesson of the last course (kk only): one project to rebuild
            li = min(3, shape.per_module)
            edit_target = course_dir / "01-module-01" / f"{li:02d}-lesson-01-{li:02d}.kk.md"
    assert edit_target is not None and edit_target.is_file()
    return Generated(
        root, shape, lesson_files, figures, edit_target, sum(word_counts) / max(1, len(word_counts))
    )


# -- phase timing (wrappers installed around builder functions for one build) ------------------


@dataclass
class Phases:
    seconds: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        self.calls[name] = self.calls.get(name, 0) + 1


def _timed(phases: Phases, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            phases.add(name, time.perf_counter() - started)

    return wrapper


# (label, module or class, attribute); nested phases are indented in the printed table
PHASES: list[tuple[str, Any, str]] = [
    ("check_content (load, validate, formulas)", pipeline, "check_content"),
    ("plan_projects (generate Markdown, mkdocs.yml)", pipeline, "plan_projects"),
    ("build_all (cache lookup, write, MkDocs)", pipeline, "build_all"),
    ("  ProjectSource.key (content hash)", ProjectSource, "key"),
    ("  _sources (in memory, or written to disk)", runner, "_sources"),
    ("  mkdocs build (in this process only)", None, "build"),
    ("  share_theme_assets (in this process only)", runner, "share_theme_assets"),
    ("assemble_site (hard links)", pipeline, "assemble_site"),
    ("write_service_bundle", pipeline, "write_service_bundle"),
    ("publish (2 swaps)", pipeline, "publish"),
    ("prune_cache", pipeline, "prune_cache"),
]


@contextlib.contextmanager
def instrumented(phases: Phases, workers: int | None = None) -> Iterator[None]:
    import mkdocs.commands.build as mkdocs_build

    saved = []
    for label, owner, attr in PHASES:
        owner = mkdocs_build if owner is None else owner
        original = getattr(owner, attr)
        saved.append((owner, attr, original))
        setattr(owner, attr, _timed(phases, label, original))
    if workers is not None:
        timed_build_all = pipeline.build_all
        pipeline.build_all = lambda projects, cache, on_done=lambda _: None: timed_build_all(
            projects, cache, on_done, workers=workers
        )
    try:
        yield
    finally:
        if workers is not None:
            pipeline.build_all = timed_build_all
        for owner, attr, original in reversed(saved):
            setattr(owner, attr, original)


# -- measurements ------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    pages: int = 0
    projects: int = 0
    rebuilt: int = 0
    phases: Phases | None = None
    samples: list[float] = field(default_factory=list)  # every repeat's seconds; `seconds` is the least


def fastest(runs: list[Run]) -> Run:
    """The fastest of repeated runs (the least disturbed by other work on the machine)."""
    best = min(runs, key=lambda run: run.seconds)
    best.samples = [run.seconds for run in runs]
    return best


def oqu_build(root: Path, out: Path, workers: int | None = None) -> Run:
    phases = Phases()
    with instrumented(phases, workers):
        started = time.perf_counter()
        report = build_site(root, out)
        seconds = time.perf_counter() - started
    return Run(seconds, report.pages, report.projects, report.rebuilt, phases)


@dataclass
class PlainRun:
    build_seconds: float
    write_seconds: float
    pages: int
    projects: int
    site_dirs: list[Path]
    samples: list[float] = field(default_factory=list)


def plain_mkdocs(root: Path, work: Path) -> PlainRun:
    """The generated projects built by plain MkDocs, sequentially, each into its own site folder."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site, problems = load_site(root)
    assert site is not None, problems.errors
    projects = plan_projects(site)
    started = time.perf_counter()
    sources = [(project, runner._write_sources(project, work)) for project in projects]
    write_seconds = time.perf_counter() - started
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    site_dirs = []
    started = time.perf_counter()
    for index, (project, src) in enumerate(sources):
        site_dir = work / "site" / f"{index:03d}-{project.dest.replace('/', '-')}"  # not nested
        config = load_config(config_file=str(src / "mkdocs.yml"), site_dir=str(site_dir))
        build(config)
        site_dirs.append(site_dir)
    build_seconds = time.perf_counter() - started
    return PlainRun(
        build_seconds, write_seconds, sum(len(p.pages) for p in projects), len(projects), site_dirs
    )


@dataclass
class Timed:
    """Wall-clock and CPU seconds (user + system, child processes and their pools included)."""

    wall: float
    cpu: float


def run_timed(command: list[str], cwd: Path) -> Timed:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Timed(wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)


def uncached_search_index(site: Any, path: Path) -> Any:
    """The search step as it was: every course's documents made on every build (keeps the stored
    keys, so that the cached runs interleaved with these see the same state)."""
    from builder.search.documents import site_documents
    from builder.search.index import read_state, update_index

    return update_index(path, site_documents(site), inputs=read_state(path).get("inputs"))


def cli_rebuild(root: Path, out: Path, cached_search: bool) -> Timed:
    """`oqu build` in a new process; `cached_search=False`: with the search step as it was."""
    patch = (
        ""
        if cached_search
        else "import sys; sys.path.insert(0, {bench!r}); import build as bench; import builder.pipeline as p; "
        "p.build_search_index = bench.uncached_search_index; ".format(bench=str(REPO / "bench"))
    )
    command = [sys.executable, "-c", patch + "from builder.cli import main; main()"]
    return run_timed([*command, "build", "--out", str(out), "--quiet"], root)


def search_cache_comparison(lessons: int, tmp: Path, vocab: Vocabulary, seed: int, repeat: int) -> None:
    shape = shape_for(lessons)
    base = tmp / f"lessons-{shape.lessons}"
    gen = generate_site(base / "site", shape, vocab, seed)
    console.print(f"[bold]{shape.lessons} lessons[/]: first build (load average {os.getloadavg()[0]:.1f})")
    first = cli_rebuild(gen.root, base / "out", cached_search=True)
    console.print(f"  full build: {first.wall:.1f} s wall, {first.cpu:.1f} s CPU", style="dim")
    runs: dict[bool, list[Timed]] = {False: [], True: []}
    for i in range(repeat):
        for cached in (False, True):
            edit_lesson(gen.edit_target, vocab, seed + 2 * i + cached)
            runs[cached].append(cli_rebuild(gen.root, base / "out", cached_search=cached))
            last = runs[cached][-1]
            console.print(
                f"  [{i + 1}/{repeat}] one-lesson rebuild, search documents "
                f"{'cached per course' if cached else 'made for every course'}: {last.wall:.1f} s wall, "
                f"{last.cpu:.2f} s CPU (load average {os.getloadavg()[0]:.1f})",
                style="dim",
            )
    table = Table(title=f"one-lesson rebuild, {shape.lessons} lessons, `oqu build` in a new process")
    for column in ("search documents", "wall (best)", "CPU (best)", "CPU samples", "CPU / full build's"):
        table.add_column(column)
    for cached in (False, True):
        best = min(runs[cached], key=lambda run: run.cpu)
        table.add_row(
            "cached per course" if cached else "made for every course (before)",
            f"{min(run.wall for run in runs[cached]):.2f} s",
            f"{best.cpu:.2f} s",
            ", ".join(f"{run.cpu:.2f}" for run in runs[cached]),
            f"{best.cpu / first.cpu:.1%}",
        )
    console.print(table)
    before = min(run.cpu for run in runs[False])
    after = min(run.cpu for run in runs[True])
    wall_before = min(run.wall for run in runs[False])
    wall_after = min(run.wall for run in runs[True])
    console.print(f"after / before: CPU {after / before:.2f}, wall {wall_after / wall_before:.2f}")


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def new_lesson_comparison(lessons: int, tmp: Path, vocab: Vocabulary, seed: int, repeat: int) -> None:
    from builder.preview.live import LiveSite

    shape = shape_for(lessons)
    base = tmp / f"lessons-{shape.lessons}"
    gen = generate_site(base / "site", shape, vocab, seed)
    live = LiveSite(gen.root, base / "out")
    console.print(
        f"[bold]{shape.lessons} lessons[/]: oqu preview's first build (load {os.getloadavg()[0]:.1f})"
    )
    assert not live.build().problems
    runs: dict[bool, list[Timed]] = {False: [], True: []}
    module = gen.edit_target.parent
    for i in range(repeat):
        for fast in (False, True):
            path = module / f"9{i}{int(fast)}-new-lesson-{i}-{int(fast)}.kk.md"
            w = Writer(vocab, random.Random(seed + i))
            path.write_text(
                f"---\ntitle: Жаңа сабақ {i} {int(fast)}\ntype: lecture\nduration: 20\n---\n\n"
                + w.paragraph("kk")
                + "\n",
                encoding="utf-8",
            )
            cpu, started = _cpu(), time.perf_counter()
            outcome = live.apply([path]) if fast else live.build()
            runs[fast].append(Timed(time.perf_counter() - started, _cpu() - cpu))
            assert not outcome.problems and outcome.full != fast, outcome
            console.print(
                f"  [{i + 1}/{repeat}] new lesson, {'new-lesson path' if fast else 'the build (before)'}: "
                f"{runs[fast][-1].wall:.2f} s wall, {runs[fast][-1].cpu:.2f} s CPU, rebuilt {outcome.rebuilt}",
                style="dim",
            )
    before = min(runs[False], key=lambda run: run.wall)
    after = min(runs[True], key=lambda run: run.wall)
    console.print(
        f"new lesson in oqu preview, {shape.lessons} lessons (best of {repeat}): before {before.wall:.2f} s wall / "
        f"{before.cpu:.2f} s CPU, after {after.wall:.2f} s wall / {after.cpu:.2f} s CPU; after / before: "
        f"wall {after.wall / before.wall:.2f}, CPU {after.cpu / before.cpu:.2f}"
    )


def full_build_comparison(lessons: int, tmp: Path, vocab: Vocabulary, seed: int, repeat: int) -> None:
    """`oqu build` (new process, empty cache) against one plain MkDocs project with every page
    (new process), interleaved, wall and CPU of each run; then a one-lesson rebuild of the last."""
    shape = shape_for(lessons)
    base = tmp / f"lessons-{shape.lessons}"
    gen = generate_site(base / "site", shape, vocab, seed)
    oqus: list[Timed] = []
    ones: list[Timed] = []
    for i in range(repeat):
        for kind in ("oqu", "one"):
            shutil.rmtree(base / kind, ignore_errors=True)
            load = os.getloadavg()[0]
            if kind == "oqu":
                oqus.append(cli_build(gen.root, base / kind))
            else:
                ones.append(one_project_mkdocs(gen.root, base / kind))
            last = (oqus if kind == "oqu" else ones)[-1]
            console.print(
                f"  [{i + 1}/{repeat}] {'oqu build, empty cache' if kind == 'oqu' else 'plain MkDocs, one project'}"
                f": {last.wall:.2f} s wall, {last.cpu:.2f} s CPU (load average before {load:.1f})",
                style="dim",
            )
        console.print(
            f"  [{i + 1}/{repeat}] oqu / one project: wall {oqus[-1].wall / ones[-1].wall:.2f}, "
            f"CPU {oqus[-1].cpu / ones[-1].cpu:.2f}"
        )
    edits: list[Timed] = []
    for i in range(repeat):
        edit_lesson(gen.edit_target, vocab, seed + i)
        edits.append(cli_build(gen.root, base / "oqu"))
        console.print(
            f"  [{i + 1}/{repeat}] one-lesson rebuild: {edits[-1].wall:.2f} s wall, {edits[-1].cpu:.2f} s CPU",
            style="dim",
        )
    table = Table(title=f"{shape.lessons} lessons: full build vs one plain MkDocs project (new processes)")
    for column in ("build", "wall (best)", "CPU (best)", "wall samples", "CPU samples"):
        table.add_column(column)
    for label, runs in (
        ("oqu build, empty cache", oqus),
        ("plain MkDocs, one project, navigation.prune", ones),
        ("oqu build, one lesson edited", edits),
    ):
        table.add_row(
            label,
            f"{min(r.wall for r in runs):.2f} s",
            f"{min(r.cpu for r in runs):.2f} s",
            ", ".join(f"{r.wall:.2f}" for r in runs),
            ", ".join(f"{r.cpu:.2f}" for r in runs),
        )
    console.print(table)
    full_wall, full_cpu = min(r.wall for r in oqus), min(r.cpu for r in oqus)
    console.print(
        f"oqu / one project (best of each): wall {full_wall / min(r.wall for r in ones):.2f}, "
        f"CPU {full_cpu / min(r.cpu for r in ones):.2f}; one-lesson rebuild / full build: "
        f"wall {min(r.wall for r in edits) / full_wall:.3f}, CPU {min(r.cpu for r in edits) / full_cpu:.3f}"
    )


def cli_build(root: Path, out: Path) -> Timed:
    """`oqu build` from the command line in a new process (imports included), this source tree."""
    command = [sys.executable, "-c", "from builder.cli import main; main()"]
    return run_timed([*command, "build", "--out", str(out), "--quiet"], root)


def one_project_source(root: Path, work: Path) -> Path:
    """The same pages as ONE Material project with navigation.prune (what a user of plain MkDocs
    would make): every generated project's pages under its own folder, one nav section each."""
    site, problems = load_site(root)
    assert site is not None, problems.errors
    projects = plan_projects(site)
    docs = work / "docs"
    nav: list[Any] = []
    for project in projects:
        for name, text in project.pages.items():
            path = docs / project.dest / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for name, source in project.files.items():
            path = docs / project.dest / name
            path.parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(source, path)
        nav.append(
            {f"{project.dest}: {project.config['site_name']}": _prefixed(project.config["nav"], project.dest)}
        )
    config = dict(projects[0].config)
    config.update(site_name="one project", nav=nav)
    config.pop("site_url", None)
    # the same mkdocs.yml text as oqu's (its Markdown extensions with their titles filled in)
    (work / "mkdocs.yml").write_text(ProjectSource(dest="one", config=config).mkdocs_yml(), encoding="utf-8")
    return work / "mkdocs.yml"


def _prefixed(nav: Any, prefix: str) -> Any:
    if isinstance(nav, str):
        return f"{prefix}/{nav}"
    if isinstance(nav, list):
        return [_prefixed(item, prefix) for item in nav]
    return {key: _prefixed(value, prefix) for key, value in nav.items()}


def one_project_mkdocs(root: Path, work: Path) -> Timed:
    """`mkdocs build` of the one-project baseline in a new process (writing its docs not counted)."""
    config = one_project_source(root, work)
    return run_timed(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(work / "site")], work
    )


@dataclass
class PreviewRun:
    start_seconds: float  # oqu preview's first build (with the cache of the builds before it)
    warm_up_seconds: float  # loading every course project for page re-rendering
    samples: list[float] = field(default_factory=list)  # save → rebuilt page written → page notified
    rebuilt: set[str] = field(default_factory=set)

    def quantile(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def preview_edits(
    root: Path, out: Path, target: Path, vocab: Vocabulary, seed: int, edits: int
) -> PreviewRun:
    """`oqu preview`'s loop in this process with the real file watcher: save a lesson, wait until the
    change feed announces the re-rendered page (what makes the open tab reload), `edits` times."""
    from builder.preview.live import LiveSite
    from builder.preview.server import ChangeFeed, Watcher

    live, feed = LiveSite(root, out), ChangeFeed()
    started = time.perf_counter()
    feed.publish(live.build())
    start_seconds = time.perf_counter() - started
    started = time.perf_counter()
    live.warm_up()
    run = PreviewRun(start_seconds, time.perf_counter() - started)
    watcher = Watcher(live, feed, lambda outcome: None)
    watcher.start()
    try:
        time.sleep(0.5)  # the observer is watching
        for i in range(edits):
            generation = feed.outcome.generation
            saved = time.perf_counter()
            edit_lesson(target, vocab, seed + 100 + i)
            outcome = feed.wait(generation, timeout=60)
            run.samples.append(time.perf_counter() - saved)
            assert not outcome.problems, outcome.problems
            run.rebuilt.update(outcome.rebuilt)
            time.sleep(0.2)  # a teacher does not save twice within a fraction of a second
    finally:
        watcher.stop()
    return run


def edit_lesson(path: Path, vocab: Vocabulary, seed: int) -> None:
    w = Writer(vocab, random.Random(seed))
    with path.open("a", encoding="utf-8") as f:
        f.write("\n" + w.paragraph("kk", 4, 6) + "\n")


@dataclass
class Size:
    files: int = 0
    apparent: int = 0  # every file counted (what a deployment uploads)
    on_disk: int = 0  # hard links counted once


def tree_size(*paths: Path) -> Size:
    size, inodes = Size(), set()
    for top in paths:
        for dirpath, _, names in os.walk(top):
            for name in names:
                st = os.lstat(os.path.join(dirpath, name))
                size.files += 1
                size.apparent += st.st_size
                if (st.st_dev, st.st_ino) not in inodes:
                    inodes.add((st.st_dev, st.st_ino))
                    size.on_disk += st.st_size
    return size


def mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


@dataclass
class Result:
    gen: Generated
    gen_seconds: float
    full: Run
    sequential: Run
    plain: PlainRun
    edit: Run
    nochange: Run
    cli: float | None
    cli_samples: list[float]
    oqu_site: Size
    oqu_out: Size
    plain_site: Size
    plain_assets: Size
    preview: PreviewRun | None = None
    cli_cpu: float | None = None
    one: Timed | None = None  # plain MkDocs, one project for every page, new process
    one_samples: list[Timed] = field(default_factory=list)


def measure(
    lessons: int, tmp: Path, vocab: Vocabulary, seed: int, cli: bool, repeat: int, preview: int = 20
) -> Result:
    shape = shape_for(lessons)
    base = tmp / f"lessons-{shape.lessons}"
    console.print(
        f"[bold]{shape.lessons} lessons[/]: {shape.courses} courses x {shape.modules} modules x "
        f"{shape.per_module} lessons …"
    )
    started = time.perf_counter()
    gen = generate_site(base / "site", shape, vocab, seed)
    gen_seconds = time.perf_counter() - started

    def step(text: str) -> None:
        console.print(f"  {text} (load average {os.getloadavg()[0]:.1f})", style="dim")

    def fresh(path: Path) -> Path:
        shutil.rmtree(path, ignore_errors=True)
        return path

    fulls, sequentials, plains, edits, nochanges, clis, ones = [], [], [], [], [], [], []
    for i in range(repeat):  # interleaved, so that each kind of build sees the same disturbances
        step(f"[{i + 1}/{repeat}] oqu build (process pool)")
        fulls.append(oqu_build(gen.root, fresh(base / "out")))
        step(f"[{i + 1}/{repeat}] oqu build (1 worker, in this process)")
        sequentials.append(oqu_build(gen.root, fresh(base / "out-1worker"), workers=1))
        step(f"[{i + 1}/{repeat}] plain mkdocs build of the same projects")
        plains.append(plain_mkdocs(gen.root, fresh(base / "plain")))
        if cli:
            step(f"[{i + 1}/{repeat}] oqu build command in a new process")
            clis.append(cli_build(gen.root, fresh(base / "out-cli")))
            step(f"[{i + 1}/{repeat}] plain mkdocs build of one project with every page, new process")
            ones.append(one_project_mkdocs(gen.root, fresh(base / "one")))
    shutil.rmtree(base / "out-1worker")
    for i in range(repeat):
        step(f"[{i + 1}/{repeat}] edit one lesson, rebuild")
        edit_lesson(gen.edit_target, vocab, seed + i)
        edits.append(oqu_build(gen.root, base / "out"))
    for i in range(repeat):
        step(f"[{i + 1}/{repeat}] rebuild, nothing changed")
        nochanges.append(oqu_build(gen.root, base / "out"))
    preview_run = None
    if preview:
        step(f"oqu preview: {preview} saves of one lesson, each until the page is re-rendered and announced")
        preview_run = preview_edits(gen.root, base / "out", gen.edit_target, vocab, seed, preview)
    full, sequential, edit, nochange = (
        fastest(fulls),
        fastest(sequentials),
        fastest(edits),
        fastest(nochanges),
    )
    plain = min(plains, key=lambda run: run.build_seconds)
    plain.samples = [run.build_seconds for run in plains]
    cli_best = min(clis, key=lambda run: run.wall) if clis else None
    one_best = min(ones, key=lambda run: run.wall) if ones else None
    plain_assets = tree_size(*[d / "assets" for d in plain.site_dirs])
    return Result(
        gen=gen,
        gen_seconds=gen_seconds,
        full=full,
        sequential=sequential,
        plain=plain,
        edit=edit,
        nochange=nochange,
        cli=cli_best.wall if cli_best else None,
        cli_samples=[run.wall for run in clis],
        cli_cpu=cli_best.cpu if cli_best else None,
        one=one_best,
        one_samples=ones,
        oqu_site=tree_size(base / "out" / "site"),
        oqu_out=tree_size(base / "out"),
        plain_site=tree_size(*plain.site_dirs),
        plain_assets=plain_assets,
        preview=preview_run,
    )


def warm_up(tmp: Path, vocab: Vocabulary, seed: int) -> float:
    """A tiny site through both paths first, so that imports are paid before anything is timed."""
    started = time.perf_counter()
    gen = generate_site(tmp / "warm-up" / "site", Shape(2, 1, 1, 2, 1), vocab, seed)
    oqu_build(gen.root, tmp / "warm-up" / "out")
    plain_mkdocs(gen.root, tmp / "warm-up" / "plain")
    seconds = time.perf_counter() - started
    shutil.rmtree(tmp / "warm-up")
    return seconds


# -- report ------------------------------------------------------------------------------------


def _ratio(a: float, b: float, goal: float | None = None) -> str:
    text = f"{a / b:.2f}"
    if goal is not None:
        text += f" (goal ≤ {goal:g}: {'met' if a / b <= goal else 'missed'})"
    return text


def _secs(seconds: float, samples: list[float]) -> str:
    """Seconds; with repeats, the fastest run and the range of all runs."""
    if len(samples) > 1:
        return f"{seconds:.2f} s ({min(samples):.1f}–{max(samples):.1f})"
    return f"{seconds:.2f} s"


def print_results(results: list[Result], workers: int, repeat: int) -> None:
    title = "oqu build vs plain MkDocs" + (
        f" (fastest of {repeat} runs, range in brackets)" if repeat > 1 else ""
    )
    table = Table(title=title)
    table.add_column("measure")
    for r in results:
        table.add_column(f"{r.gen.shape.lessons} lessons", justify="right")

    def row(label: str, cell: Callable[[Result], str]) -> None:
        table.add_row(label, *[cell(r) for r in results])

    def section(label: str) -> None:
        table.add_row(f"[bold]{label}[/]", *["" for _ in results])

    section("site")
    row(
        "courses x modules x lessons",
        lambda r: f"{r.gen.shape.courses} x {r.gen.shape.modules} x {r.gen.shape.per_module}",
    )
    row("courses with kk+ru lessons (rest kk only)", lambda r: str(r.gen.shape.bilingual))
    row(
        "lesson files / words per lesson file",
        lambda r: f"{r.gen.lesson_files} / {r.gen.words_per_lesson:.0f}",
    )
    row("figures (SVG)", lambda r: str(r.gen.figures))
    row("pages / MkDocs projects", lambda r: f"{r.full.pages} / {r.full.projects}")
    row("generating the content", lambda r: f"{r.gen_seconds:.2f} s")
    section("full build")
    row(f"oqu build, in-process, pool of {workers}", lambda r: _secs(r.full.seconds, r.full.samples))
    row("  pages/s", lambda r: f"{r.full.pages / r.full.seconds:.0f}")
    row("oqu build, 1 worker", lambda r: _secs(r.sequential.seconds, r.sequential.samples))
    row("  pages/s", lambda r: f"{r.sequential.pages / r.sequential.seconds:.0f}")
    if any(r.cli is not None for r in results):
        row("`oqu build` command, new process", lambda r: _secs(r.cli, r.cli_samples) if r.cli else "-")
        row("  its CPU time (all processes)", lambda r: f"{r.cli_cpu:.1f} s" if r.cli_cpu else "-")
        row(
            "plain mkdocs, ONE project of every page (prune), new process",
            lambda r: _secs(r.one.wall, [o.wall for o in r.one_samples]) if r.one else "-",
        )
        row("  its CPU time", lambda r: f"{r.one.cpu:.1f} s" if r.one else "-")
        row(
            "ratio oqu command / one project: wall, CPU (goal < 1)",
            lambda r: (
                f"{r.cli / r.one.wall:.2f}, {r.cli_cpu / r.one.cpu:.2f}"
                if r.one and r.cli and r.cli_cpu
                else "-"
            ),
        )
    row(
        "plain mkdocs build, same projects, sequential",
        lambda r: _secs(r.plain.build_seconds, r.plain.samples),
    )
    row("  pages/s", lambda r: f"{r.plain.pages / r.plain.build_seconds:.0f}")
    row("  (writing the projects to disk, not counted)", lambda r: f"{r.plain.write_seconds:.2f} s")
    row("ratio oqu (pool) / plain", lambda r: _ratio(r.full.seconds, r.plain.build_seconds, 1.3))
    row("ratio oqu (1 worker) / plain", lambda r: _ratio(r.sequential.seconds, r.plain.build_seconds, 1.3))
    section("rebuilds (same output folder)")
    row("one lesson edited", lambda r: _secs(r.edit.seconds, r.edit.samples))
    row("  projects rebuilt", lambda r: f"{r.edit.rebuilt} of {r.edit.projects}")
    row("  ratio to full oqu build (pool)", lambda r: _ratio(r.edit.seconds, r.full.seconds, 0.25))
    row("  ratio to full oqu build (1 worker)", lambda r: _ratio(r.edit.seconds, r.sequential.seconds))
    row("  ratio to plain mkdocs (rebuilds all)", lambda r: _ratio(r.edit.seconds, r.plain.build_seconds))
    row("nothing changed", lambda r: _secs(r.nochange.seconds, r.nochange.samples))
    row("  projects rebuilt", lambda r: f"{r.nochange.rebuilt} of {r.nochange.projects}")
    if any(r.preview for r in results):
        section("oqu preview: save → page re-rendered and announced to the tab")
        row("  saves", lambda r: str(len(r.preview.samples)) if r.preview else "-")
        row("  p50", lambda r: f"{r.preview.quantile(0.5) * 1000:.0f} ms" if r.preview else "-")
        row(
            "  p95 (goal < 1 s)",
            lambda r: f"{r.preview.quantile(0.95) * 1000:.0f} ms" if r.preview else "-",
        )
        row("  max", lambda r: f"{max(r.preview.samples) * 1000:.0f} ms" if r.preview else "-")
        row("  projects touched", lambda r: ", ".join(sorted(r.preview.rebuilt)) if r.preview else "-")
        row(
            "  preview start (build) / warm-up",
            lambda r: (
                f"{r.preview.start_seconds:.2f} s / {r.preview.warm_up_seconds:.2f} s" if r.preview else "-"
            ),
        )
    section("output size (bytes of every file)")
    row("oqu build/site", lambda r: f"{mb(r.oqu_site.apparent)}, {r.oqu_site.files} files")
    row("oqu build/ on disk (site + cache, links once)", lambda r: mb(r.oqu_out.on_disk))
    row("plain mkdocs site folders", lambda r: f"{mb(r.plain_site.apparent)}, {r.plain_site.files} files")
    row(
        "  of which theme assets copies",
        lambda r: f"{mb(r.plain_assets.apparent)} ({r.plain.projects} copies)",
    )
    row("saving of oqu's site", lambda r: f"{mb(r.plain_site.apparent - r.oqu_site.apparent)}")
    console.print(table)

    for r in results:
        runs = {
            "full, 1 worker": r.sequential,
            "full, pool": r.full,
            "one edit": r.edit,
            "no change": r.nochange,
        }
        phases = Table(title=f"{r.gen.shape.lessons} lessons: where the time goes (fastest run of each kind)")
        phases.add_column("phase (calls)")
        for name in runs:
            phases.add_column(name, justify="right")
        for label, _, _ in PHASES:
            cells = []
            for run in runs.values():
                assert run.phases is not None
                seconds = run.phases.seconds.get(label)
                cells.append("-" if seconds is None else f"{seconds:.2f} s ({run.phases.calls[label]})")
            phases.add_row(label, *cells)
        phases.add_row("[bold]total build_site[/]", *[f"{run.seconds:.2f} s" for run in runs.values()])
        console.print(phases)
    console.print(
        "With the pool, MkDocs and share_theme_assets run in worker processes (inside build_all, not timed "
        "separately); a single project to build runs in this process."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="200,1000", help="lesson counts, comma-separated (default 200,1000)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    parser.add_argument("--no-cli", action="store_true", help="skip the `oqu build` run in a new process")
    parser.add_argument(
        "--repeat", type=int, default=1, help="run each build N times and report the fastest (default 1)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--preview-edits",
        type=int,
        default=20,
        help="saves measured through oqu preview (0: skip; default 20)",
    )
    parser.add_argument(
        "--only-search-cache",
        action="store_true",
        help="only the one-lesson rebuild with and without the search documents' cache (see above)",
    )
    parser.add_argument(
        "--only-full",
        action="store_true",
        help="only the full oqu build against the one-project plain MkDocs build, and a one-lesson rebuild",
    )
    parser.add_argument(
        "--only-new-lesson",
        action="store_true",
        help="only oqu preview given a new lesson file, before and after (see above)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    vocab = build_vocabulary()
    workers = os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp(prefix="oqu-bench-build-"))
    console.print(
        f"[bold]oqu build benchmark[/]: Python {sys.version.split()[0]}, {workers} CPU(s), "
        f"mkdocs {_version('mkdocs')}, mkdocs-material {_version('mkdocs-material')}, seed {args.seed}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    console.print(
        f"vocabulary: {len(set(vocab.kk))} Kazakh and {len(set(vocab.ru))} Russian distinct words from "
        f"{len(vocab.sources)} files (the seed text and the example lessons)\n"
        "site: several courses (an institution has many), site languages kk and ru; the first course "
        "(first two for 1,000) has kk and ru lessons, the others kk only; every 5th lesson has an SVG "
        "figure (Pillow is not installed), every 10th a formula; each lesson links the previous one.\n"
        "plain = the projects oqu generates, written to disk and built by MkDocs in this process one "
        "after another: no oqu content loading or generation, no cache, no shared theme assets, no "
        "parallelism. Timings are wall-clock, after a warm-up build that pays the imports."
    )
    try:
        if args.only_full:
            for n in sizes:
                full_build_comparison(n, tmp, vocab, args.seed, args.repeat)
            return
        if args.only_new_lesson:
            for n in sizes:
                new_lesson_comparison(n, tmp, vocab, args.seed, args.repeat)
            return
        if args.only_search_cache:
            for n in sizes:
                search_cache_comparison(n, tmp, vocab, args.seed, args.repeat)
            return
        console.print(f"warm-up: {warm_up(tmp, vocab, args.seed):.2f} s", style="dim")
        results = [
            measure(n, tmp, vocab, args.seed, not args.no_cli, args.repeat, args.preview_edits) for n in sizes
        ]
        print_results(results, workers, args.repeat)
        console.print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        if args.json:
            args.json.write_text(json.dumps([_as_dict(r) for r in results], indent=2), encoding="utf-8")
    finally:
        if args.keep:
            console.print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _as_dict(r: Result) -> dict[str, Any]:
    return {
        "lessons": r.gen.shape.lessons,
        "shape": [r.gen.shape.courses, r.gen.shape.modules, r.gen.shape.per_module],
        "pages": r.full.pages,
        "projects": r.full.projects,
        "full_seconds": r.full.seconds,
        "full_1worker_seconds": r.sequential.seconds,
        "cli_seconds": r.cli,
        "cli_cpu_seconds": r.cli_cpu,
        "one_project_seconds": r.one.wall if r.one else None,
        "one_project_cpu_seconds": r.one.cpu if r.one else None,
        "plain_seconds": r.plain.build_seconds,
        "edit_seconds": r.edit.seconds,
        "edit_rebuilt": r.edit.rebuilt,
        "nochange_seconds": r.nochange.seconds,
        "preview_seconds": r.preview.samples if r.preview else [],
        "oqu_site_bytes": r.oqu_site.apparent,
        "plain_site_bytes": r.plain_site.apparent,
        "plain_assets_bytes": r.plain_assets.apparent,
        "samples": {
            "full": r.full.samples,
            "full_1worker": r.sequential.samples,
            "cli": r.cli_samples,
            "plain": r.plain.samples,
            "edit": r.edit.samples,
            "nochange": r.nochange.samples,
        },
        "phases": {
            name: run.phases.seconds if run.phases else {}
            for name, run in (
                ("full_1worker", r.sequential),
                ("full", r.full),
                ("edit", r.edit),
                ("nochange", r.nochange),
            )
        },
    }


if __name__ == "__main__":
    main()
