"""What the search index holds, taken from the content model: one document per lesson section
(heading and anchor), per caption cue (with its second), per quiz question shown on a lesson
page, and per course and language.

Only public text goes in: lesson bodies, headings, captions, course and module titles, and the
text of questions the page itself shows. Options, answers and feedback never do, nor any
question of an exam or a random draw (those the service hands out per attempt).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, TypedDict

from pymdownx.slugs import slugify

from builder.model import Course, Lesson, LessonVariant, Module, Site
from builder.quizzes.publish import questions_on_page
from builder.schema import Text
from builder.search.analyzers import LANGUAGES
from builder.search.captions import caption_files, read_cues

if TYPE_CHECKING:
    from builder.quizzes.model import Quiz

_slugify = slugify(case="lower")  # the same slugs as the toc extension of the generated projects
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class SearchDocument:
    id: str
    kind: str  # "lesson" (a section), "caption" (a cue), "question" (of a quiz on a lesson) or "course"
    course: str
    lang: str
    access: str
    url: str  # site-relative, without a leading slash
    title: str
    heading: str
    text: str
    course_title: str = ""
    module: str = ""
    module_title: str = ""
    lesson: str = ""
    seconds: int = -1

    def as_dict(self) -> dict[str, object]:
        """`dataclasses.asdict` without its deep copies (every field is a str or an int): it was
        ~4 % of indexing 1,000 lessons, for the digest and the index's fields."""
        return {name: getattr(self, name) for name in _DOCUMENT_FIELDS}


_DOCUMENT_FIELDS = tuple(f.name for f in fields(SearchDocument))


@dataclass(frozen=True)
class Section:
    heading: str
    anchor: str
    text: str


def site_documents(site: Site) -> dict[str, list[SearchDocument]]:
    """Course id -> its documents, for every course of the site."""
    return {course.id: course_documents(site, course) for course in site.courses}


def course_documents(site: Site, course: Course) -> list[SearchDocument]:
    documents = course_entries(site, course)
    quizzes = {quiz.id: quiz for quiz in site.quizzes if quiz.course == course.id}
    for module, lesson in course.lessons():
        for variant in lesson.variants.values():
            if variant.lang not in LANGUAGES:
                continue
            documents += lesson_documents(course, module, lesson, variant)
            documents += caption_documents(course, module, lesson, variant)
            for quiz_id in getattr(variant.meta, "quizzes", None) or []:
                if quiz_id in quizzes:
                    documents += question_documents(course, module, lesson, variant.lang, quizzes[quiz_id])
    return documents


def question_documents(
    course: Course, module: Module, lesson: Lesson, lang: str, quiz: Quiz
) -> list[SearchDocument]:
    """The text of the questions a lesson page shows (never options, answers or feedback)."""
    if not questions_on_page(quiz):
        return []
    questions = quiz.questions.get(lang) or next(iter(quiz.questions.values()), ())
    url = lesson_url(course, module, lesson, lang)
    quiz_title = clean(quiz.title.get(lang) or next(iter(quiz.title.values()), quiz.id))
    return [
        SearchDocument(
            id=f"{course.id}/{lang}/{lesson.id}/q/{quiz.id}/{number}",
            kind="question",
            url=url,
            title=clean(lesson.variant(lang, course.languages).meta.title),
            heading=quiz_title,
            text=clean(plain_text(question.text)),
            **_base(course, module, lesson, lang),
        )
        for number, question in enumerate(questions)
        if question.type != "description" and question.text.strip()
    ]


def digest(documents: list[SearchDocument]) -> str:
    """What decides a course's part of the index: unchanged digest, nothing to reindex."""
    payload = json.dumps([d.as_dict() for d in documents], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def digests(documents: list[SearchDocument]) -> tuple[str, list[str]]:
    """`digest(documents)` and each document's `digest([document])`, from one JSON text per
    document (json's list is its items' texts joined by ", " in brackets): each document was
    dumped twice, for its course's digest and its own."""
    items = [json.dumps(d.as_dict(), ensure_ascii=False, sort_keys=True) for d in documents]
    whole = hashlib.sha256(("[" + ", ".join(items) + "]").encode()).hexdigest()
    return whole, [hashlib.sha256(f"[{item}]".encode()).hexdigest() for item in items]


def _text(text: Text | None, lang: str) -> str:
    return text.get(lang) if text is not None and text.has(lang) else ""


def course_entries(site: Site, course: Course) -> list[SearchDocument]:
    """The course itself in every site language it has a title in (the catalogue shows it there)."""
    entries = []
    for lang in [lang for lang in site.languages if lang in LANGUAGES]:
        title = _text(course.config.title, lang)
        if not title:
            continue
        shown = lang if lang in course.languages else course.languages[0]
        parts = [_text(course.config.summary, lang)]
        parts += [_text(outcome.text, lang) for outcome in course.config.outcomes]
        parts += [_text(module.config.title, lang) for module in course.modules]
        entries.append(
            SearchDocument(
                id=f"{course.id}/{lang}/course",
                kind="course",
                course=course.id,
                lang=lang,
                access=course.config.access,
                url=f"{shown}/courses/{course.id}/",
                title=clean(title),
                heading="",
                text=clean(" ".join(part for part in parts if part)),
                course_title=clean(title),
            )
        )
    return entries


class _Base(TypedDict):
    """The fields every document of a lesson shares."""

    course: str
    lang: str
    access: str
    course_title: str
    module: str
    module_title: str
    lesson: str


def _base(course: Course, module: Module, lesson: Lesson, lang: str) -> _Base:
    fallback = course.languages[0]
    return {
        "course": course.id,
        "lang": lang,
        "access": course.config.access,
        "course_title": clean(course.config.title.get(lang, fallback)),
        "module": module.id,
        "module_title": clean(module.config.title.get(lang, fallback)),
        "lesson": lesson.id,
    }


def lesson_url(course: Course, module: Module, lesson: Lesson, lang: str) -> str:
    shown = lang if lang in course.languages else course.languages[0]
    return f"{shown}/courses/{course.id}/{module.id}/{lesson.id}/"


def lesson_documents(
    course: Course, module: Module, lesson: Lesson, variant: LessonVariant
) -> list[SearchDocument]:
    url = lesson_url(course, module, lesson, variant.lang)
    base = _base(course, module, lesson, variant.lang)
    return [
        SearchDocument(
            id=f"{course.id}/{variant.lang}/{lesson.id}/{number}",
            kind="lesson",
            url=url + (f"#{section.anchor}" if section.anchor else ""),
            title=clean(variant.meta.title),
            heading=section.heading,
            text=section.text,
            **base,
        )
        for number, section in enumerate(markdown_sections(variant.body))
        if section.text or section.heading
    ]


def caption_documents(
    course: Course, module: Module, lesson: Lesson, variant: LessonVariant
) -> list[SearchDocument]:
    if not variant.meta.video or "://" in variant.meta.video:
        return []
    video = (variant.path.parent / variant.meta.video).resolve()
    documents = chapter_documents(course, module, lesson, variant)
    for lang, path in caption_files(video).items():
        if lang not in LANGUAGES or (lang != variant.lang and lang in lesson.variants):
            continue  # a caption language with its own lesson text is indexed with that variant
        url = lesson_url(course, module, lesson, lang)
        base = _base(course, module, lesson, lang)
        for number, cue in enumerate(read_cues(path)):
            documents.append(_moment(f"t{number}", url, int(cue.start), cue.text, variant, base))
    return documents


def _moment(
    key: str, url: str, second: int, text: str, variant: LessonVariant, base: _Base
) -> SearchDocument:
    """A moment of a lecture video (a caption cue or a chapter): found at `#t=second`."""
    return SearchDocument(
        id=f"{base['course']}/{base['lang']}/{base['lesson']}/{key}",
        kind="caption",
        url=f"{url}#t={second}",
        title=clean(variant.meta.title),
        heading=f"{second // 60}:{second % 60:02d}",
        text=clean(text),
        seconds=second,
        **base,
    )


def chapter_documents(
    course: Course, module: Module, lesson: Lesson, variant: LessonVariant
) -> list[SearchDocument]:
    """A video's chapter titles are moments too (the lesson's language)."""
    url = lesson_url(course, module, lesson, variant.lang)
    base = _base(course, module, lesson, variant.lang)
    return [
        _moment(f"c{number}", url, chapter.seconds, chapter.title, variant, base)
        for number, chapter in enumerate(getattr(variant.meta, "chapters", None) or [])
    ]


# -- Markdown to plain text -----------------------------------------------------------------


def clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def markdown_sections(body: str) -> list[Section]:
    """The body split at headings; the part before the first heading has no anchor."""
    sections: list[Section] = []
    heading, anchor, lines = "", "", []
    seen: dict[str, int] = {}
    fenced = False
    fences = "```" in body or "~~~" in body  # else no line can open a fence
    for line in body.splitlines():
        if fences and _FENCE_RE.match(line):
            fenced = not fenced
        match = None if fenced or not line.startswith("#") else _HEADING_RE.match(line)
        if match is None:
            lines.append(line)
            continue
        sections.append(Section(heading, anchor, plain_text("\n".join(lines))))
        heading = plain_text(match.group(2))
        anchor = _unique(_slugify(heading, "-"), seen)
        if len(match.group(1)) == 1:  # the lesson's title: a hit there opens the page at its top
            heading, anchor = "", ""
        lines = []
    sections.append(Section(heading, anchor, plain_text("\n".join(lines))))
    return [section for section in sections if section.heading or section.text]


def _unique(anchor: str, seen: dict[str, int]) -> str:
    """As Python-Markdown's toc: a repeated slug gets `_1`, `_2`…"""
    count = seen.get(anchor)
    seen[anchor] = 0 if count is None else count + 1
    return anchor if count is None else f"{anchor}_{count + 1}"


# Emphasis and table characters, and a line's heading, list and number marks (the last clean-up)
_MARKUP_RE = re.compile(r"[*_`|>~^=]+|^\s*#+\s*|^\s*[-+]\s+|^\s*\d+\.\s+", re.M)
# Each pattern with the strings one of which its match must hold: a text without them skips it.
_MARKDOWN_CLEANUP: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = [
    (re.compile(r"^\s*(```|~~~).*$", re.M), " ", ("```", "~~~")),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1", ("](",)),  # image: its alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1", ("](",)),  # link: its text
    (re.compile(r"\{[:#.][^}]*\}"), " ", ("{",)),  # attr_list
    (
        re.compile(r"^\s*(!!!|\?\?\?\+?)\s*\w+(?:\s+\"([^\"]*)\")?", re.M),
        r" \2 ",
        ("!!!", "???"),
    ),  # admonition
    (re.compile(r"<[^>]+>"), " ", ("<",)),  # HTML tags
    (re.compile(r"^\s*\|?\s*:?-{3,}.*$", re.M), " ", ("---",)),  # table rule
    (_MARKUP_RE, " ", ("",)),
]

# `_MARKUP_RE`'s alternatives apart: the emphasis and table characters (a match starts at one of
# them), and the line's heading, list and number marks (a match starts at a line's start), found
# from its newline (the engine tried the whole pattern at every character: half of plain_text)
_MARKS = re.compile(r"[*_`|>~^=]+")
_LINE_MARK_ALTERNATIVES = r"(?:\s*#+\s*|\s*[-+]\s+|\s*\d+\.\s+)"
_LINE_MARK = re.compile(rf"^{_LINE_MARK_ALTERNATIVES}", re.M)
_NEWLINE_THEN_MARK = re.compile(rf"\n{_LINE_MARK_ALTERNATIVES}")
# False: `_MARKUP_RE.sub` itself (read at each call: the test comparing the two sets it)
SPLIT_MARKUP = True


def plain_text(markdown: str) -> str:
    text = markdown
    for pattern, replacement, needs in _MARKDOWN_CLEANUP[:-1]:
        for need in needs:  # (not `any` over a generator: ~100,000 of them at 1,000 lessons)
            if need in text:
                text = pattern.sub(replacement, text)
                break
    text = _without_marks(text) if SPLIT_MARKUP else _MARKUP_RE.sub(" ", text)
    return clean(html.unescape(text))


def _without_marks(text: str) -> str:
    """`_MARKUP_RE.sub(" ", text)`: the leftmost match each time, the characters' alternative
    first where both start at one place (the pattern's order), the search going on after it."""
    pieces: list[str] = []
    done = 0
    marks = _MARKS.search(text)
    line = _line_mark(text, 0)
    while marks is not None or line is not None:
        if marks is not None and (line is None or marks.start() <= line.start()):
            match = marks
        else:
            assert line is not None
            match = line
        pieces += (text[done : match.start()], " ")
        done = match.end()
        if marks is not None and marks.start() < done:
            marks = _MARKS.search(text, done)
        if line is not None and line.start() < done:
            line = _line_mark(text, done)
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _line_mark(text: str, start: int) -> re.Match[str] | None:
    """The first match of a line's mark at a line's start from `start` on (`start` itself counts
    when a line starts there, as `^` at a search's start)."""
    if start == 0 or text[start - 1] == "\n":
        match = _LINE_MARK.match(text, start)
        if match is not None:
            return match
    newline = _NEWLINE_THEN_MARK.search(text, start)
    return None if newline is None else _LINE_MARK.match(text, newline.start() + 1)
