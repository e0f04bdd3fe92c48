"""The print HTML of a course in one language: cover, contents, every lesson in order, worksheets.

Built from the content model (not from the site's pages), so that it has exactly what paper can
carry: formulas as SVG, images from their source files, each video, audio and interactive model
as its poster, a description and a QR code to its page, practice quizzes as worksheets made from
the *public* part of the quiz (the same dict the site gets: no answer can reach paper).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import cast

import markdown

from builder import schedules
from builder.formulas import render_formulas
from builder.i18n import t
from builder.links import iter_links, replace_links
from builder.load import LESSON_FILE_RE, MODULE_DIR_RE, resolve_target
from builder.media.library import LessonMedia, MediaLibrary
from builder.media.players import clock
from builder.model import Course, Lesson, LessonVariant, Module, Site
from builder.pages import lesson_facts, sorted_courses, tr
from builder.paper.hyphenate import hyphenate_kazakh_html
from builder.paper.qr import qr_html
from builder.paper.svgmath import formula_html
from builder.projects import dl_banner
from builder.quizzes.model import Quiz
from builder.quizzes.publish import public_quiz, questions_on_page

_LOCAL_HREF_RE = re.compile(r' href="#(?!lesson-|module-|schedule")([^"]*)"')
STYLESHEET = Path(__file__).parent / "print.css"
EXTENSIONS = [
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.tasklist",
    "pymdownx.mark",
    "pymdownx.caret",
    "pymdownx.tilde",
    "pymdownx.keys",
]


@dataclass(frozen=True)
class PrintLesson:
    module: Module
    lesson: Lesson
    variant: LessonVariant
    anchor: str


def course_document(site: Site, course: Course, lang: str, media: MediaLibrary) -> str:
    """The whole print HTML of `course` in `lang` (one document, styled by print.css)."""
    lessons = print_lessons(course, lang)
    body = [cover(site, course, lang), contents(course, lang, lessons)]
    for module in course.modules:
        body.append(module_heading(course, module, lang))
        for item in (i for i in lessons if i.module is module):
            body.append(lesson_section(site, course, item, lang, media, lessons))
    if course.schedule and course.schedule.classes:
        body.append(schedule_section(course, lang))
    return wrap(course_title(course, lang), lang, tr(site.config.institution, lang), "\n".join(body))


def schedule_document(site: Site, course: Course, lang: str) -> str:
    """The course's schedule on its own, for the information stands (R7.1)."""
    body = f'<header class="oqu-stand">{escape(tr(site.config.institution, lang))}</header>'
    return wrap(course_title(course, lang), lang, "", body + schedule_section(course, lang))


def wrap(title: str, lang: str, author: str, body: str) -> str:
    html = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="author" content="{escape(author)}"><meta name="generator" content="oqu">'
        f"</head><body>{body}</body></html>"
    )
    return hyphenate_kazakh_html(html) if lang == "kk" else html


def course_title(course: Course, lang: str) -> str:
    return tr(course.config.title, lang, course.languages[0])


def print_lessons(course: Course, lang: str) -> list[PrintLesson]:
    return [
        PrintLesson(module, lesson, lesson.variant(lang, course.languages), f"lesson-{module.id}-{lesson.id}")
        for module, lesson in course.lessons()
    ]


def course_url(site: Site, course: Course, lang: str, page: str = "") -> str | None:
    if not site.config.site_url:
        return None
    return f"{site.config.site_url.rstrip('/')}/{lang}/courses/{course.id}/{page}"


def lesson_url(site: Site, course: Course, item: PrintLesson, lang: str) -> str | None:
    return course_url(site, course, lang, f"{item.module.id}/{item.lesson.id}/")


# -- cover and contents ----------------------------------------------------------------------


def cover(site: Site, course: Course, lang: str) -> str:
    cfg = course.config
    fallback = course.languages[0]
    teachers = "".join(
        f"<li><strong>{escape(tr(teacher.name, lang, fallback))}</strong>"
        + (f"<br>{escape(tr(teacher.position, lang, fallback))}" if teacher.position else "")
        + "</li>"
        for teacher in cfg.teachers
    )
    facts = [
        (t("access", lang), t("access." + cfg.access, lang)),
        (t("format", lang), t("format." + cfg.format, lang)),
        (t("hours", lang), t("hours.value", lang, contact=cfg.hours.contact, distance=cfg.hours.distance)),
        (t("lessons", lang), str(len(course.lessons()))),
    ]
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    order = dl_banner(site, lang)
    url = course_url(site, course, lang)
    parts = [
        '<section class="oqu-cover">',
        f'<p class="oqu-institution">{escape(tr(site.config.institution, lang))}</p>',
        f'<div class="oqu-cover-qr"><p>{escape(t("paper.online", lang))}</p>'
        f"{qr_html(url, t('paper.online', lang))}</div>"
        if url
        else "",
        f"<h1>{escape(course_title(course, lang))}</h1>",
        f'<p class="oqu-summary">{escape(tr(cfg.summary, lang, fallback))}</p>' if cfg.summary else "",
        f'<table class="oqu-facts">{rows}</table>',
        f'<h2 class="oqu-plain">{escape(t("teachers", lang))}</h2><ul class="oqu-teachers">{teachers}</ul>',
        f'<p class="oqu-order">{escape(order)}</p>' if order else "",
        "</section>",
    ]
    return "".join(parts)


def contents(course: Course, lang: str, lessons: list[PrintLesson]) -> str:
    items = []
    for module in course.modules:
        entries = "".join(
            f'<li><a href="#{item.anchor}">{escape(item.variant.meta.title)}</a></li>'
            for item in lessons
            if item.module is module
        )
        items.append(
            f'<li class="oqu-toc-module"><a href="#module-{module.id}">{escape(module_title(course, module, lang))}'
            f"</a><ol>{entries}</ol></li>"
        )
    if course.schedule and course.schedule.classes:
        items.append(f'<li class="oqu-toc-module"><a href="#schedule">{escape(t("schedule", lang))}</a></li>')
    return (
        f'<nav class="oqu-contents"><h1 class="oqu-plain">{escape(t("paper.contents", lang))}</h1>'
        f"<ol>{''.join(items)}</ol></nav>"
    )


def module_title(course: Course, module: Module, lang: str) -> str:
    return f"{module.order}. {tr(module.config.title, lang, course.languages[0])}"


def module_heading(course: Course, module: Module, lang: str) -> str:
    summary = tr(module.config.summary, lang, course.languages[0])
    return (
        f'<section class="oqu-module"><h1 id="module-{module.id}">{escape(module_title(course, module, lang))}</h1>'
        + (f'<p class="oqu-summary">{escape(summary)}</p>' if summary else "")
        + "</section>"
    )


# -- lessons ---------------------------------------------------------------------------------


def lesson_section(
    site: Site, course: Course, item: PrintLesson, lang: str, media: MediaLibrary, lessons: list[PrintLesson]
) -> str:
    variant = item.variant
    body = lesson_markdown(site, course, item, lang, lessons)
    html = prefix_ids(markdown_html(render_formulas(body, formula_html)), item.anchor)
    url = lesson_url(site, course, item, lang)
    players = media_blocks(media.lessons.get(variant.path), variant, lang, url)
    sheets = "".join(
        worksheet(quiz, lang, url)
        for quiz in lesson_quizzes(site, course, variant)
        if questions_on_page(quiz)
    )
    return (
        f'<article class="oqu-lesson" lang="{variant.lang}">'
        f'<h2 id="{item.anchor}" class="oqu-lesson-title">{escape(variant.meta.title)}</h2>'
        f'<p class="oqu-lesson-meta">{escape(lesson_facts(variant, lang))}</p>'
        f"{players}{html}{sheets}</article>"
    )


def lesson_markdown(
    site: Site, course: Course, item: PrintLesson, lang: str, lessons: list[PrintLesson]
) -> str:
    """The lesson's Markdown without its `# Title`; links point inside the PDF or at the site."""
    body = item.variant.body.lstrip("\n")
    if body.startswith("# "):
        body = body.partition("\n")[2]
    links = list(iter_links(body))
    replacements = {}
    for link in links:
        if link.is_external:
            continue
        path, _anchor = link.path_and_anchor
        if not path:  # `#section` inside this lesson: prefix_ids makes it unique
            continue
        target = resolve_target(site.content_dir, item.variant.path, path)
        if target is not None:
            replacements[(link.line_index, link.start)] = link_target(site, course, target, lang, lessons)
    return replace_links(body, replacements, links)


def link_target(site: Site, course: Course, target: Path, lang: str, lessons: list[PrintLesson]) -> str:
    """A lesson of this course: its place in the PDF; another course: its page online; a file: itself."""
    match = LESSON_FILE_RE.match(target.name)
    module_match = MODULE_DIR_RE.match(target.parent.name)
    if match and module_match:
        for item in lessons:
            same = item.module.id == module_match.group(2) and item.lesson.slug == match.group(2)
            if same and Path(os.path.abspath(item.module.path)) == target.parent:
                return f"#{item.anchor}"
        other = other_course_url(site, target, lang, module_match.group(2), match.group(2))
        if other:
            return other
    return target.as_uri()


def other_course_url(site: Site, target: Path, lang: str, module_id: str, slug: str) -> str | None:
    for course in sorted_courses(site):
        for module, lesson in course.lessons():
            if (
                module.id == module_id
                and lesson.slug == slug
                and target.parent == Path(os.path.abspath(module.path))
            ):
                shown = lang if lang in course.languages else course.languages[0]
                return course_url(site, course, shown, f"{module.id}/{lesson.id}/")
    return None


def markdown_html(body: str) -> str:
    return markdown.markdown(
        body,
        extensions=EXTENSIONS,
        extension_configs={"toc": {"permalink": False}},
        output_format="html",
    )


def prefix_ids(html: str, prefix: str) -> str:
    """Headings and footnotes of every lesson get ids unique in the whole document."""
    html = html.replace(' id="', f' id="{prefix}-')
    return _LOCAL_HREF_RE.sub(lambda m: f' href="#{prefix}-{m.group(1)}"', html)


def lesson_quizzes(site: Site, course: Course, variant: LessonVariant) -> list[Quiz]:
    found = {quiz.id: quiz for quiz in site.quizzes if quiz.course == course.id}
    return [found[quiz_id] for quiz_id in variant.meta.quizzes if quiz_id in found]


# -- media: the poster, a description, a QR code ---------------------------------------------


def media_blocks(media: LessonMedia | None, variant: LessonVariant, lang: str, url: str | None) -> str:
    if media is None:
        return ""
    blocks = []
    if media.video:
        chapters = "".join(
            f"<li><span>{clock(chapter.seconds)}</span> {escape(chapter.title)}</li>"
            for chapter in variant.meta.chapters
        )
        details = f'<ol class="oqu-chapters">{chapters}</ol>' if chapters else ""
        poster = f'<img class="oqu-poster" src="{media.video.poster.path.as_uri()}" alt="">'
        title = f"{t('media.video', lang)} · {clock(media.video.probe.duration)}"
        blocks.append(media_block(title, t("paper.watch", lang), poster + details, url))
    if media.audio:
        title = f"{t('media.audio', lang)} · {clock(media.audio.probe.duration)}"
        transcript = media.audio.transcripts.get(lang) or next(iter(media.audio.transcripts.values()), "")
        text = "".join(
            f"<p>{escape(block.strip())}</p>" for block in transcript.split("\n\n") if block.strip()
        )
        blocks.append(media_block(title, t("paper.listen", lang), text, url))
    for embed in media.embeds:
        blocks.append(media_block(embed.title, t("paper.interactive", lang), "", url))
    return "".join(blocks)


def media_block(title: str, hint: str, inner: str, url: str | None) -> str:
    code = qr_html(url, hint) if url else ""
    return (
        f'<aside class="oqu-media-print">{code}<p class="oqu-media-title">{escape(title)}</p>'
        f'<p class="oqu-media-hint">{escape(hint)}</p>{inner}</aside>'
    )


# -- worksheets --------------------------------------------------------------------------------


def worksheet(quiz: Quiz, lang: str, url: str | None) -> str:
    public = public_quiz(quiz, lang)
    note = escape(t("paper.worksheet_note", lang, url=url)) if url else ""
    questions = "".join(f"<li>{worksheet_question(q, lang)}</li>" for q in public["questions"])
    return (
        f'<section class="oqu-worksheet"><h3>{escape(t("paper.worksheet", lang))}: {escape(public["title"])}</h3>'
        f'<p class="oqu-media-hint">{note}</p><ol class="oqu-questions">{questions}</ol></section>'
    )


def worksheet_question(question: dict[str, object], lang: str) -> str:
    text = str(question["text"])
    kind = question["type"]
    if kind == "fill-blanks":
        for number in range(1, int(str(question["blanks"])) + 1):
            text = text.replace(f"[[{number}]]", "________________")
    stem = markdown_html(text) if question.get("format") == "markdown" else f"<p>{escape(text)}</p>"
    return stem + answer_space(question, lang)


def answer_space(question: dict[str, object], lang: str) -> str:
    kind = question["type"]
    if kind in ("single", "multiple"):
        return _boxes([str(o["text"]) for o in _entries(question, "options")])
    if kind == "true-false":
        return _boxes([t("quiz.true", lang), t("quiz.false", lang)])
    if kind == "ordering":
        items = "".join(f"<li>☐ {escape(str(o['text']))}</li>" for o in _entries(question, "items"))
        return f'<p class="oqu-media-hint">{escape(t("paper.order_hint", lang))}</p><ul class="oqu-boxes">{items}</ul>'
    if kind == "matching":
        return _matching(question, lang)
    if kind in ("description", "fill-blanks"):
        return ""
    lines = 6 if kind == "essay" else 1
    return (
        f'<p class="oqu-answer">{escape(t("paper.answer", lang))}:</p>'
        + '<div class="oqu-line"></div>' * lines
    )


def _entries(question: dict[str, object], key: str) -> list[dict[str, object]]:
    """A list field of the question (options, items, left, right): a list of mappings, as the
    quiz schema checked when the quiz was read."""
    return cast(list[dict[str, object]], question[key])


def _boxes(texts: list[str]) -> str:
    return '<ul class="oqu-boxes">' + "".join(f"<li>☐ {escape(text)}</li>" for text in texts) + "</ul>"


def _matching(question: dict[str, object], lang: str) -> str:
    letters = "АБВГДЕЖЗИКЛМНОП" if lang != "en" else "ABCDEFGHIJKLMNOP"
    left = "".join(f"<li>{escape(str(item['text']))} ____</li>" for item in _entries(question, "left"))
    right = "".join(
        f"<li>{letters[index]}. {escape(str(item['text']))}</li>"
        for index, item in enumerate(_entries(question, "right"))
    )
    return (
        f'<p class="oqu-media-hint">{escape(t("paper.match_hint", lang))}</p>'
        f'<table class="oqu-matching"><tr><td><ol>{left}</ol></td><td><ul>{right}</ul></td></tr></table>'
    )


# -- the schedule -----------------------------------------------------------------------------


def schedule_section(course: Course, lang: str) -> str:
    return schedule_table(schedules.course_view(course), lang, course_title(course, lang))


def staff_training_document(site: Site, lang: str) -> str:
    """The staff training schedule for the information stands (R7.1)."""
    view = schedules.staff_view(site)
    title = view.text(view.title, lang) or t("staff_training", lang)
    body = f'<header class="oqu-stand">{escape(tr(site.config.institution, lang))}</header>'
    return wrap(title, lang, "", body + schedule_table(view, lang, title, t("staff_training", lang)))


def schedule_table(view: schedules.ScheduleView, lang: str, title: str, heading: str = "") -> str:
    note = t("schedule.zone", lang, zone=schedules.zone_note(view, lang)).split(". ")[0]
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{escape(cell)}</td>" for cell in schedules.row_cells(view, item, lang))
        + "</tr>"
        for item in view.sorted_classes()
    )
    head = "".join(f"<th>{escape(t(key, lang))}</th>" for key in schedules.HEADER)
    approval = schedules.approval_line(view, lang)
    approved = f'<p class="oqu-approval">{escape(approval)}</p>' if approval else ""
    return (
        f'<section class="oqu-schedule"><h1 id="schedule">{escape(heading or t("schedule", lang))}: '
        f"{escape(title)}</h1>{approved}<p>{escape(note)}.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
    )
