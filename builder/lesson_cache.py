"""Lesson files (and the courses' and modules' YAML) parsed by an earlier check or build, kept
in the build's cache.

A one-lesson rebuild of a 1,000-lesson site read, YAML-parsed and validated every lesson file
again (front matter, `LessonMeta`, the body's links): a third of its own CPU outside MkDocs. The
cache keeps, per lesson file, what parsing that file alone gives — the `LessonVariant`, the
problems it reported and the links of its body (not the body itself: it is cut again from the
file's bytes, which are read for the hash anyway) — under the file's content hash (BLAKE2b of its
bytes: an edit within the file system's timestamp granularity, or a file put back as it was,
is still seen). Nothing that depends on another file is kept: whether a link's target exists,
a lesson's outcomes, media and the cross-file checks are asked again on every run (cheaply:
`load.content_unchanged`), so a cache can never hide an error such as a link to a lesson that
was deleted. `course.yml` and `module.yml` are kept the same way (their document with its lines
and the validated configuration).

Beside the parse, each lesson file's formulas' verdict (`formula_problems`: every `$…$` and
`$$…$$` of its body converted to MathML, the errors by line) is kept under the same hash: it
depends on nothing but the file's bytes and latex2mathml, and a check converted every formula
of every lesson on every run. A lesson whose formula fails still reports it on every run.

The whole cache is forgotten when the builder's code (every `builder/**/*.py`), Python,
pydantic, latex2mathml or the site's folder changes. It is a pickle of the build's own making
in the build folder (like the MkDocs outputs beside it): a file that cannot be read is
ignored, one that cannot be written is skipped.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel

from builder.links import Link, iter_links, remember_links
from builder.load import lesson_text, parse_lesson_variant, parse_yaml_file, resolved_links, tree_signature
from builder.model import LessonVariant
from builder.problems import Problem, Problems
from builder.schema import LessonMeta
from builder.validation import validate_document
from builder.yamlsource import YamlDocument

CACHE_FILE = "lessons.pickle"
M = TypeVar("M", bound=BaseModel)
_FORMAT = 5
# a lesson file's formulas' errors: (line, message) each
FormulaProblems = tuple[tuple[int, str], ...]


class ParsedLesson(NamedTuple):
    """What parsing one lesson file gave, and the hash of the bytes it was parsed from. The body
    is not kept: it is the end of the file's text (`body_start` characters in), cut again from
    the bytes read for the hash (a tenth of the cache's size and of its reading time)."""

    digest: bytes
    lang: str
    parsed: tuple[LessonMeta, int, int, dict[str, int]] | None  # meta, body_start, body_line, meta_lines
    problems: tuple[Problem, ...]
    links: tuple[Link, ...]


class ParsedConfig(NamedTuple):
    """A YAML file of the content (course.yml, module.yml) read and validated against a model."""

    digest: bytes
    doc: YamlDocument | None
    config: BaseModel | None
    problems: tuple[Problem, ...]


class LessonCache:
    """Parsed lesson files by path; `save` keeps the files this run read, and only those."""

    def __init__(self, path: Path, root: Path) -> None:
        self.path = path
        self.header = (_FORMAT, code_key(), str(root), _latex2mathml())
        self.tree = tree_signature(root / "content") if root.is_absolute() else None
        self.known, self.links, self.formulas_known = self._read()
        self.used: dict[str, ParsedLesson | ParsedConfig] = {}
        self.formulas_used: dict[bytes, FormulaProblems] = {}
        self.parsed = 0  # files parsed by this run (the others came from the cache)
        memo = resolved_links()  # the last run's answers while content/ has the same names
        if memo is not None and self.tree is not None and self.links.get("tree") == self.tree:
            for key, found in self.links["answers"].items():
                memo.setdefault(key, found)  # the path's text: made a Path when asked

    def variant(self, path: Path, lang: str, problems: Problems) -> LessonVariant | None:
        """The lesson file parsed as `load.load_lesson_variant` does, its problems reported."""
        data = path.read_bytes()
        digest = hashlib.blake2b(data, digest_size=20).digest()
        entry = self.known.get(str(path))
        if not isinstance(entry, ParsedLesson) or entry.digest != digest or entry.lang != lang:
            variant, entry = self._parse(path, data, digest, lang, problems)
        else:
            variant = self._rebuilt(path, data, entry)
        self.used[str(path)] = entry
        problems.items.extend(entry.problems)
        return variant

    def config(self, path: Path, model: type[M], problems: Problems) -> tuple[YamlDocument | None, M | None]:
        """`path` read and validated against `model` as `load.read_config` does, its problems reported."""
        data = path.read_bytes()
        digest = hashlib.blake2b(data, digest_size=20).digest()
        key = f"{path}\0{model.__module__}.{model.__qualname__}"
        entry = self.known.get(key)
        if not isinstance(entry, ParsedConfig) or entry.digest != digest:
            self.parsed += 1
            own = Problems(problems.root)
            doc = parse_yaml_file(path, data, own)
            config = validate_document(doc, model, path, own) if doc else None
            entry = ParsedConfig(digest, doc, config, tuple(own.items))
        self.used[key] = entry
        problems.items.extend(entry.problems)
        return entry.doc, entry.config if isinstance(entry.config, model) else None

    def formula_problems(self, digest: bytes | None, check: Callable[[], FormulaProblems]) -> FormulaProblems:
        """The formulas' errors of the lesson file whose bytes have `digest`: `check()` when this
        cache has no verdict for those bytes (or no digest is known), kept for the next run."""
        if digest is None:
            return check()
        found = self.formulas_used.get(digest)
        if found is None:
            found = self.formulas_known.get(digest)
            if found is None:
                found = check()
            self.formulas_used[digest] = found
        return found

    def _parse(
        self, path: Path, data: bytes, digest: bytes, lang: str, problems: Problems
    ) -> tuple[LessonVariant | None, ParsedLesson]:
        self.parsed += 1
        own = Problems(problems.root)
        variant = parse_lesson_variant(path, data, lang, own)
        if variant is None:
            return None, ParsedLesson(digest, lang, None, tuple(own.items), ())
        body_start = len(lesson_text(data)) - len(variant.body)
        parsed = (variant.meta, body_start, variant.body_line, variant.meta_lines)
        links = tuple(iter_links(variant.body, variant.body_line))
        return replace(variant, digest=digest), ParsedLesson(digest, lang, parsed, tuple(own.items), links)

    @staticmethod
    def _rebuilt(path: Path, data: bytes, entry: ParsedLesson) -> LessonVariant | None:
        if entry.parsed is None:
            return None
        meta, body_start, body_line, meta_lines = entry.parsed
        body = lesson_text(data)[body_start:]
        remember_links(body, body_line, entry.links)
        return LessonVariant(entry.lang, path, meta, body, body_line, dict(meta_lines), entry.digest)

    def save(self) -> None:
        """Write the entries of this run, and the links' answers, when they differ from those
        read (atomically)."""
        memo = resolved_links()
        answers = {key: None if found is None else str(found) for key, found in (memo or {}).items()}
        links = {"tree": self.tree, "answers": answers} if self.tree is not None else {}
        if links and answers.keys() - self.links.get("answers", {}).keys() and not self._same_tree():
            links = {}  # content/ changed while it was read: its answers are not kept
        if (
            not self.parsed
            and self.used.keys() == self.known.keys()
            and self.formulas_used.keys() == self.formulas_known.keys()
            and links == self.links
        ):
            return
        temporary = self.path.with_name(f".{self.path.name}-{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as stream:
                pickle.dump(self.header, stream, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump((self.used, links, self.formulas_used), stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError:  # a read-only build folder: the next run parses again
            temporary.unlink(missing_ok=True)

    def _same_tree(self) -> bool:
        return tree_signature(Path(self.header[2]) / "content") == self.tree

    def _read(
        self,
    ) -> tuple[dict[str, ParsedLesson | ParsedConfig], dict[str, Any], dict[bytes, FormulaProblems]]:
        try:
            with self.path.open("rb") as stream:
                if pickle.load(stream) != self.header:  # other code, Python or site: not unpickled
                    return {}, {}, {}
                known, links, formulas = pickle.load(stream)
        except Exception:  # missing, cut short or unreadable: parsed again, rewritten at the end
            return {}, {}, {}
        return known, links, formulas


@cache
def code_key() -> str:
    """The builder's code, Python's and pydantic's versions: a parse by other code is not reused."""
    digest = hashlib.sha256(f"{sys.version};pydantic={version('pydantic')};".encode())
    package = Path(__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


@cache
def _latex2mathml() -> str:
    """The formulas' verdicts are latex2mathml's: another version checks them again."""
    try:
        return version("latex2mathml")
    except PackageNotFoundError:
        return "none"
