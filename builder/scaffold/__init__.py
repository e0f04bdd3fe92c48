"""`oqu init`, `oqu new course`, `oqu new lesson`: new files that pass `oqu check` as written."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

from builder.command_words import say
from builder.load import LESSON_FILE_RE, MODULE_DIR_RE
from builder.problems import BuildError
from builder.scaffold.slugs import slugify
from builder.scaffold.texts import TEXTS, text
from builder.schema import SLUG_RE

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("kk", "ru", "en")
STATIC_FILES = {
    ".gitattributes": "gitattributes",
    ".gitignore": "gitignore",
    ".gitlab-ci.yml": "gitlab-ci.yml",
    ".github/workflows/oqu.yml": "github-workflow.yml",
    "README.md": "README.md",
}


class ScaffoldError(BuildError):
    """A file or folder the command would create is already there, or a name is not usable."""


@dataclass(frozen=True)
class Names:
    """The site's and the institution's names in kk, ru and en."""

    site: dict[str, str]
    institution: dict[str, str]


def init_site(folder: Path, names: Names, example: str = "example") -> list[Path]:
    """A new site repository in `folder` (empty or missing): config, one course, git and CI files."""
    if folder.exists() and any(folder.iterdir()):
        raise ScaffoldError(say("cli.scaffold.not_empty", folder=folder))
    folder.mkdir(parents=True, exist_ok=True)
    made = [_write(folder / "site_config.yml", site_config_yml(names))]
    for target, template in STATIC_FILES.items():
        made.append(_write(folder / target, _template(template)))
    made += new_course(folder, example, languages=["kk", "ru"], example=True)
    _git_init(folder)
    return made


def site_config_yml(names: Names) -> str:
    config = {
        "name": names.site,
        "institution": names.institution,
        "languages": ["kk", "ru"],
        "service_url": "/",
        "distance_learning": {"enabled": False},
    }
    return "# oqu: see the teacher's guide (docs/teacher-guide.kk.md, .ru.md)\n" + _dump(config)


def new_course(
    root: Path, course_id: str, languages: list[str] | None = None, example: bool = False
) -> list[Path]:
    """content/courses/ID with course.yml, a first module and a first lesson in every language."""
    _check_site(root)
    if not SLUG_RE.match(course_id):
        raise ScaffoldError(say("cli.scaffold.bad_id", id=course_id))
    course_dir = root / "content" / "courses" / course_id
    if course_dir.exists():
        raise ScaffoldError(say("cli.scaffold.exists", path=_shown(root, course_dir)))
    languages = languages or _site_languages(root)
    made = [_write(course_dir / "course.yml", course_yml(languages))]
    made.append(
        _write(course_dir / "01-introduction" / "module.yml", _dump({"title": _tr("module", languages)}))
    )
    key = "example_lesson" if example else "first_lesson"
    made += _lesson_files(course_dir / "01-introduction", 1, "welcome", languages, key)
    return made


def course_yml(languages: list[str]) -> str:
    config: dict[str, Any] = {
        "title": _tr("course_title", languages),
        "summary": _tr("course_summary", languages),
        "languages": languages,
        "access": "open",
        "format": "asynchronous",
        "hours": {"contact": 0, "distance": 2},
        "teachers": [{"name": _tr("teacher_name", languages), "email": "teacher@example.kz"}],
        "outcomes": [{"id": "o1", "text": _tr("outcome", languages)}],
    }
    return _dump(config)


def new_lesson(
    root: Path, where: str, title: str, lesson_type: str = "lecture", duration: int = 45
) -> list[Path]:
    """A lesson titled `title` at the end of COURSE/MODULE (the module is made if it is new)."""
    _check_site(root)
    course_id, _, module_name = where.partition("/")
    course_dir = root / "content" / "courses" / course_id
    if not (course_dir / "course.yml").is_file():
        raise ScaffoldError(say("cli.scaffold.no_course", course=course_id))
    if not module_name:
        raise ScaffoldError(say("cli.scaffold.no_module"))
    module_dir = _module_dir(course_dir, module_name)
    slug = slugify(title) or "lesson"
    if any(_lesson_slug(p) == slug for p in module_dir.glob("*.md")):
        raise ScaffoldError(say("cli.scaffold.lesson_exists", module=_shown(root, module_dir), slug=slug))
    number = 1 + max((_number(p.name, LESSON_FILE_RE) for p in module_dir.glob("*.md")), default=0)
    languages = _course_languages(course_dir)
    return _lesson_files(module_dir, number, slug, languages, "new_lesson", title, lesson_type, duration)


def _module_dir(course_dir: Path, name: str) -> Path:
    """An existing module by folder name (`02-practice`) or id (`practice`); else a new one at the end."""
    for path in sorted(course_dir.iterdir()):
        match = MODULE_DIR_RE.match(path.name)
        if path.is_dir() and match and name in (path.name, match.group(2)):
            return path
    match = MODULE_DIR_RE.match(name)
    module_id = match.group(2) if match else name
    if not SLUG_RE.match(module_id):
        raise ScaffoldError(say("cli.scaffold.bad_module_id", id=name))
    number = 1 + max((_number(p.name, MODULE_DIR_RE) for p in course_dir.iterdir() if p.is_dir()), default=0)
    module_dir = course_dir / f"{number:02d}-{module_id}"
    languages = _course_languages(course_dir)
    _write(module_dir / "module.yml", _dump({"title": _tr("module", languages)}))
    return module_dir


def _lesson_files(
    module_dir: Path,
    number: int,
    slug: str,
    languages: list[str],
    body_key: str,
    title: str | None = None,
    lesson_type: str = "lecture",
    duration: int = 45,
) -> list[Path]:
    made = []
    for lang in languages:
        shown = title or text("lesson_title", lang)
        meta = {"title": shown, "type": lesson_type, "duration": duration, "outcomes": ["o1"]}
        if not _course_has_outcome(module_dir.parent, "o1"):
            del meta["outcomes"]
        body = text(body_key, lang).format(title=shown)
        made.append(_write(module_dir / f"{number:02d}-{slug}.{lang}.md", f"---\n{_dump(meta)}---\n\n{body}"))
    return made


def _course_has_outcome(course_dir: Path, outcome: str) -> bool:
    data = _read_yaml(course_dir / "course.yml")
    outcomes = data.get("outcomes") if isinstance(data, dict) else None
    return isinstance(outcomes, list) and any(
        isinstance(o, dict) and o.get("id") == outcome for o in outcomes
    )


def _course_languages(course_dir: Path) -> list[str]:
    data = _read_yaml(course_dir / "course.yml")
    languages = data.get("languages") if isinstance(data, dict) else None
    return [str(lang) for lang in languages] if isinstance(languages, list) and languages else ["kk"]


def _site_languages(root: Path) -> list[str]:
    data = _read_yaml(root / "site_config.yml")
    languages = data.get("languages") if isinstance(data, dict) else None
    if isinstance(languages, list) and languages:
        return [str(lang) for lang in languages if lang in LANGUAGES] or ["kk"]
    return ["kk", "ru", "en"]


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None


def _check_site(root: Path) -> None:
    if not (root / "site_config.yml").is_file():
        raise ScaffoldError(say("cli.no_site"))


def _lesson_slug(path: Path) -> str | None:
    match = LESSON_FILE_RE.match(path.name)
    return match.group(2) if match else None


def _number(name: str, pattern: re.Pattern[str]) -> int:
    match = pattern.match(name)
    return int(match.group(1)) if match else 0


def _tr(key: str, languages: list[str]) -> dict[str, str]:
    return {lang: text(key, lang) for lang in languages}


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8").replace("@OQU_VERSION@", _oqu_version())


def _oqu_version() -> str:
    try:
        return version("oqu")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree that was never installed
        return "0.1.0"


def _write(path: Path, content: str) -> Path:
    if path.exists():
        raise ScaffoldError(say("cli.scaffold.exists", path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def _shown(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _git_init(folder: Path) -> None:
    """Make the folder a git repository (nothing committed), when git is installed."""
    git = shutil.which("git")
    if git and not (folder / ".git").exists():
        subprocess.run([git, "init", "-q", "-b", "main", str(folder)], check=False, capture_output=True)


__all__ = ["TEXTS", "Names", "ScaffoldError", "init_site", "new_course", "new_lesson"]
