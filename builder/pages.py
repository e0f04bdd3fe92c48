"""Markdown pages the builder writes for mkdocs: home, catalogue, library, course, schedule, lesson."""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from builder import schedules
from builder.i18n import STRINGS, format_date, format_datetime, format_size, script_formats, t, zone_name
from builder.model import Course, Lesson, LessonVariant, Module, Site
from builder.quizzes.publish import quiz_placeholder
from builder.schema import ScheduledClassConfig, Text

_MD_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]#+!|~>])")


def esc(text: str) -> str:
    """Text from YAML, safe inside generated Markdown and HTML: no markup, no script."""
    return _MD_SPECIAL_RE.sub(r"\\\1", html.escape(text, quote=True))


def hesc(text: str) -> str:
    return html.escape(text, quote=True)


def tr(text: Text | None, lang: str, fallback: str = "kk") -> str:
    return text.get(lang, fallback) if text else ""


def front_matter(title: str, **extra: str) -> str:
    """Front matter of a generated page; the title is escaped because themes print it raw."""
    lines = ["---", f"title: {_yaml_str(hesc(title))}"]
    lines += [f"{key}: {_yaml_str(value)}" for key, value in extra.items()]
    return "\n".join([*lines, "---", ""])


def _yaml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- the catalogue site ---------------------------------------------------------------------


def home_page(site: Site, lang: str, today: dt.date) -> str:
    """The portal's home: its short name, the institution in small print, then the courses
    (on a phone's first screen), the description and the announcements."""
    cfg = site.config
    parts = [front_matter(tr(cfg.name, lang)), f"# {esc(tr(cfg.name, lang))}", ""]
    parts += [f'<p class="oqu-institution">{hesc(tr(cfg.institution, lang))}</p>', ""]
    courses = sorted_courses(site)
    if courses:
        parts += ['<div class="oqu-catalogue oqu-catalogue--home">']
        parts += [course_link_card(course, lang) for course in courses]
        parts += ["</div>", ""]
    parts += [f"[{t('catalogue', lang)}](courses/index.md){{ .md-button .md-button--primary }}", ""]
    if cfg.description:
        parts += [esc(tr(cfg.description, lang)), ""]
    parts += [f"## {t('announcements', lang)}", ""]
    # announcements published from the service since the build (assets/oqu/notices.js)
    parts += ['<div class="oqu-live-announcements" data-oqu-announcements hidden></div>', ""]
    current = [a for a in cfg.announcements if a.until is None or a.until >= today]
    if not current:
        parts += [t("no_announcements", lang), ""]
    for item in sorted(current, key=lambda a: a.date, reverse=True):
        parts += [
            f"### {esc(tr(item.title, lang))}",
            "",
            f'<p class="oqu-date">{hesc(format_date(item.date, lang))}</p>',
            "",
            esc(tr(item.text, lang)),
            "",
        ]
    return "\n".join(parts)


def catalogue_page(site: Site, lang: str) -> str:
    parts = [front_matter(t("catalogue", lang)), f"# {t('catalogue', lang)}", ""]
    for access in ("open", "enrolled"):
        courses = [c for c in sorted_courses(site) if c.config.access == access]
        if not courses:
            continue
        parts += [f"## {t('access.' + access, lang)}", "", '<div class="oqu-catalogue">']
        parts += [course_card(course, lang) for course in courses]
        parts += ["</div>", ""]
    return "\n".join(parts)


def sorted_courses(site: Site) -> list[Course]:
    return sorted(site.courses, key=lambda c: (c.config.order if c.config.order is not None else 10**6, c.id))


def course_card(course: Course, lang: str) -> str:
    cfg = course.config
    shown = lang if lang in course.languages else course.languages[0]
    href = f"{course.id}/" if shown == lang else f"../../{shown}/courses/{course.id}/"
    teachers = ", ".join(tr(teacher.name, lang) for teacher in cfg.teachers)
    lessons = len(course.lessons())
    rows = [
        (t("format", lang), t("format." + cfg.format, lang)),
        (t("hours", lang), t("hours.value", lang, contact=cfg.hours.contact, distance=cfg.hours.distance)),
        (t("languages", lang), ", ".join(t("language_name." + code, lang) for code in course.languages)),
        (t("teachers", lang), teachers),
        (t("lessons", lang), str(lessons)),
    ]
    details = "".join(f"<dt>{hesc(k)}</dt><dd>{hesc(v)}</dd>" for k, v in rows)
    return (
        f'<article class="oqu-card oqu-card--{cfg.access}" data-course="{hesc(course.id)}">'
        f'<h3><a href="{hesc(href)}">{hesc(tr(cfg.title, lang))}</a></h3>'
        f'<p><span class="oqu-badge oqu-badge--{cfg.access}">{hesc(t("access." + cfg.access, lang))}</span></p>'
        f"<p>{hesc(tr(cfg.summary, lang))}</p><dl>{details}</dl></article>"
    )


def course_link_card(course: Course, lang: str) -> str:
    """A course on the portal's home: its title, open or enrolled, its summary (the facts are in
    the catalogue)."""
    cfg = course.config
    shown = lang if lang in course.languages else course.languages[0]
    href = f"courses/{course.id}/" if shown == lang else f"../{shown}/courses/{course.id}/"
    summary = f"<p>{hesc(tr(cfg.summary, lang))}</p>" if cfg.summary else ""
    return (
        f'<article class="oqu-card oqu-card--compact oqu-card--{cfg.access}" data-course="{hesc(course.id)}">'
        f'<h2><a href="{hesc(href)}">{hesc(tr(cfg.title, lang))}</a></h2>'
        f'<p><span class="oqu-badge oqu-badge--{cfg.access}">{hesc(t("access." + cfg.access, lang))}</span></p>'
        f"{summary}</article>"
    )


def library_page(site: Site, lang: str) -> str:
    parts = [front_matter(t("library", lang)), f"# {t('library', lang)}", "", t("libraries_intro", lang), ""]
    for owner in ("institution", "partner"):
        libraries = [lib for lib in site.config.libraries if lib.owner == owner]
        if not libraries:
            continue
        parts += [f"## {t('library_owner.' + owner, lang)}", ""]
        for lib in libraries:
            description = f" — {esc(tr(lib.description, lang))}" if lib.description else ""
            parts.append(f"- [{esc(tr(lib.name, lang))}]({lib.url}){description}")
        parts.append("")
    return "\n".join(parts)


# -- a course site --------------------------------------------------------------------------


class Download(NamedTuple):
    """A file beside the course page (builder/paper): its interface word key, its name, its size."""

    label: str
    href: str
    size: int


def course_home_page(
    course: Course,
    lang: str,
    video_seconds: dict[Path, float] | None = None,
    downloads: list[Download] | None = None,
    service_url: str = "/",
) -> str:
    cfg = course.config
    fallback = course.languages[0]
    parts = [front_matter(tr(cfg.title, lang, fallback)), f"# {esc(tr(cfg.title, lang, fallback))}", ""]
    if cfg.summary:
        parts += [esc(tr(cfg.summary, lang, fallback)), ""]
    parts += _course_facts(course, lang)
    parts += _downloads(downloads or [], lang)
    parts += [f"## {t('teachers', lang)}", ""]
    for teacher in cfg.teachers:
        position = f", {esc(tr(teacher.position, lang, fallback))}" if teacher.position else ""
        email = f" — <{teacher.email}>" if teacher.email else ""
        parts.append(f"- **{esc(tr(teacher.name, lang, fallback))}**{position}{email}")
    parts += ["", f"## {t('outcomes', lang)}", ""]
    parts += [f"1. {esc(tr(o.text, lang, fallback))}" for o in cfg.outcomes]
    parts += ["", f"## {t('modules', lang)}", ""]
    for module in course.modules:
        parts += _module_section(course, module, lang, video_seconds or {})
    if course.schedule and course.schedule.classes:
        parts += [f"## {t('schedule', lang)}", "", f"[{t('schedule', lang)}](schedule.md)", ""]
    parts += consultations_section(course, lang, service_url)
    return "\n".join(parts)


@functools.cache
def consult_words(lang: str) -> str:
    """The words of assets/oqu/consult.js in `lang`, for an element's data-words (escaped); made
    once per language and process (every lesson page carries them: 2 × 1,000 JSON dumps were ~8 %
    of a one-lesson rebuild's CPU)."""
    return hesc(
        json.dumps(
            {key[8:]: t(key, lang) for key in STRINGS if key.startswith("consult.")}, ensure_ascii=False
        )
    )


def consultations_section(course: Course, lang: str, service_url: str) -> list[str]:
    """The course page's way to the consultations page, where to ask, and the FAQ the teachers
    published in the service (loaded by assets/oqu/consult.js; the note stays without it)."""
    return [
        f"## {t('consult.heading', lang)}",
        "",
        f'<p><a class="md-button" href="consultations/">{hesc(t("consult.book_link", lang))}</a></p>',
        "",
        esc(t("consult.where_to_ask", lang)),
        "",
        f"### {t('consult.faq_heading', lang)}",
        "",
        f'<div class="oqu-faq" data-oqu-faq="{hesc(course.id)}" data-words="{consult_words(lang)}" lang="{lang}">'
        f"<p>{hesc(t('consult.faq_note', lang))}</p></div>",
        "",
    ]


def book_words(lang: str) -> str:
    """The words and date formats of assets/oqu/book.js in `lang`, for data-words (escaped)."""
    words: dict[str, object] = {key[5:]: t(key, lang) for key in STRINGS if key.startswith("book.")}
    return hesc(json.dumps(words | script_formats(lang), ensure_ascii=False))


def course_zone(course: Course) -> ZoneInfo:
    """The zone the course's times are read in: consultations.yml's, schedule.yml's, else Almaty."""
    if course.consultations is not None:
        return course.consultations.zone
    return course.schedule.zone if course.schedule is not None else ZoneInfo("Asia/Almaty")


def consultations_page(course: Course, lang: str, service_url: str) -> str:
    """The course's consultations page: assets/oqu/book.js lists the open slots from the service
    and books, queues, cancels and accepts in place for a signed-in student; signed out or
    without the script, the link to the service's booking page stays."""
    base = service_url if service_url.endswith("/") else service_url + "/"
    href = hesc(f"{base}consultations/{course.id}?lang={lang}")
    zone = course_zone(course)
    title = t("book.title", lang)
    return "\n".join(
        [
            front_matter(f"{title}: {tr(course.config.title, lang, course.languages[0])}"),
            f"# {esc(title)}",
            "",
            esc(t("book.intro", lang)),
            "",
            f'<div class="oqu-book" data-oqu-book="{hesc(course.id)}" data-words="{book_words(lang)}" '
            f'data-zone="{hesc(zone.key)}" data-zone-name="{hesc(zone_name(zone, lang))}" lang="{lang}">'
            f'<p class="oqu-book__fallback">{hesc(t("book.fallback", lang))} '
            f'<a class="md-button" href="{href}">{hesc(t("consult.book_link", lang))}</a></p></div>',
            "",
        ]
    )


def ask_section(course: Course, lesson: Lesson, lang: str) -> list[str]:
    """A lesson page's question form for signed-in students, drawn by assets/oqu/consult.js. Not
    in the course's search index (Material's `data-search-exclude` on the heading drops the
    section, on the block its text): the same words on every lesson would match every lesson."""
    return [
        f"## {t('consult.ask_heading', lang)} {{ data-search-exclude }}",
        "",
        f'<div class="oqu-ask" data-search-exclude data-oqu-ask="{hesc(course.id)}" data-lesson="{hesc(lesson.id)}" '
        f'data-words="{consult_words(lang)}" lang="{lang}"><p>{hesc(t("consult.ask_placeholder", lang))}</p></div>',
        "",
    ]


def _course_facts(course: Course, lang: str) -> list[str]:
    cfg = course.config
    rows = [
        (t("access", lang), t("access." + cfg.access, lang)),
        (t("format", lang), t("format." + cfg.format, lang)),
        (t("hours", lang), t("hours.value", lang, contact=cfg.hours.contact, distance=cfg.hours.distance)),
        (t("languages", lang), ", ".join(t("language_name." + code, lang) for code in course.languages)),
    ]
    cells = "".join(f'<tr><th scope="row">{hesc(k)}</th><td>{hesc(v)}</td></tr>' for k, v in rows)
    return [f'<table class="oqu-facts"><tbody>{cells}</tbody></table>', ""]  # no empty header row


def _downloads(downloads: list[Download], lang: str) -> list[str]:
    """Links to the course's PDF and offline copy with their sizes (raw HTML: MkDocs leaves it be)."""
    if not downloads:
        return []
    items = "".join(
        f'<li><a href="{hesc(item.href)}" download>{hesc(t(item.label, lang))}</a> '
        f'<span class="oqu-size">({format_size(item.size, lang)})</span></li>'
        for item in downloads
    )
    hint = f'<p class="oqu-offline-hint">{hesc(t("paper.offline_hint", lang))}</p>'
    offline = any(item.href.endswith(".zip") for item in downloads)
    return [
        f"## {t('paper.downloads', lang)}",
        "",
        f'<ul class="oqu-downloads">{items}</ul>' + (hint if offline else ""),
        "",
    ]


def _module_section(course: Course, module: Module, lang: str, video_seconds: dict[Path, float]) -> list[str]:
    fallback = course.languages[0]
    lines = [f"### {module.order}. {esc(tr(module.config.title, lang, fallback))}", ""]
    if module.config.summary:
        lines += [esc(tr(module.config.summary, lang, fallback)), ""]
    for lesson in module.lessons:
        variant = lesson.variant(lang, course.languages)
        lines.append(
            f"1. [{esc(variant.meta.title)}]({lesson_doc_path(module, lesson)}) — "
            f"{lesson_facts(variant, lang, video_seconds.get(variant.path))}"
        )
    return [*lines, ""]


def lesson_doc_path(module: Module, lesson: Lesson) -> str:
    return f"{module.id}/{lesson.id}.md"


def lesson_facts(variant: LessonVariant, lang: str, video_seconds: float | None = None) -> str:
    facts = [t("lesson_type." + variant.meta.type, lang), t("minutes", lang, n=variant.meta.duration)]
    if video_seconds:
        whole = round(video_seconds)
        facts.append(f"{t('media.video', lang)} {whole // 60}:{whole % 60:02d}")
    due = variant.meta.due
    if due is not None:
        shown = format_datetime(due, lang) if isinstance(due, dt.datetime) else format_date(due, lang)
        facts.append(f"{t('due', lang)}: {shown}")
    return " · ".join(facts)


def schedule_page(course: Course, lang: str, service_url: str = "/", pdf: bool = False) -> str:
    view = schedules.course_view(course)
    recorded = functools.partial(schedules.recording_shown, course)
    return schedule_markdown(view, lang, service_url, course.find_lesson, pdf, recorded)


def staff_training_page(site: Site, lang: str) -> str:
    view = schedules.staff_view(site)
    return schedule_markdown(view, lang, site.config.service_url, lambda _: None, site.config.paper.pdf)


def schedule_markdown(
    view: schedules.ScheduleView,
    lang: str,
    service_url: str,
    find_lesson: Callable[[str], tuple[Module, Lesson] | None],
    pdf: bool = False,
    recorded: Callable[[ScheduledClassConfig], bool] = lambda _: False,
) -> str:
    """The schedule as a page: zone, approval, a table, the feed and the A4 sheet (R7.1)."""
    title = t("schedule", lang) if view.key != schedules.STAFF_TRAINING_KEY else t("staff_training", lang)
    parts = [front_matter(title), f"# {esc(title)}", ""]
    if view.key == schedules.STAFF_TRAINING_KEY and view.title:
        parts += [f"**{esc(view.text(view.title, lang))}**", ""]
    parts += [t("schedule.zone", lang, zone=schedules.zone_note(view, lang)), ""]
    if approval := schedules.approval_line(view, lang):
        parts += [f'<p class="oqu-approval">{hesc(approval)}</p>', ""]
    ics = f"../{view.ics_name(lang)}"
    sheet = f"../{view.key}-{lang}-schedule.pdf"
    links = [f'<a href="{hesc(ics)}" download>{hesc(t("schedule.ics", lang))}</a>']
    if pdf:  # the A4 sheet for the information stands exists when site_config.yml asks for PDFs
        links.append(f'<a href="{hesc(sheet)}">{hesc(t("paper.schedule", lang))}</a>')
    parts += [f'<p class="oqu-schedule-files">{" · ".join(links)}</p>', ""]
    parts += ['<div class="oqu-schedule" markdown>', ""]  # a card per class on a phone (oqu.css)
    parts += [
        "| " + " | ".join(t(key, lang) for key in schedules.HEADER) + " |",
        "|---" * len(schedules.HEADER) + "|",
    ]
    for item in view.sorted_classes():
        cells = [esc(cell) for cell in schedules.row_cells(view, item, lang)]
        found = find_lesson(item.lesson) if item.lesson else None
        if found:
            cells[1] = f"[{cells[1]}]({lesson_doc_path(*found)})"
        if found and recorded(item):  # the session is over: its recording is the lesson's video
            cells[1] += f"<br>[▶ {esc(t('schedule.recording', lang))}]({lesson_doc_path(*found)})"
        elif item.join_url:
            href = hesc(schedules.join_href(service_url, view, item))
            cells[1] += f'<br><a class="oqu-join" href="{href}">▶ {hesc(t("schedule.join", lang))}</a>'
        parts.append(f'| <span id="{hesc(item.id)}"></span>' + " | ".join(cells) + " |")
    return "\n".join([*parts, "", "</div>", ""])


def lesson_page(
    course: Course,
    lesson: Lesson,
    variant: LessonVariant,
    lang: str,
    body: str,
    player: str = "",
    video_seconds: float | None = None,
) -> str:
    """The lesson's page in `lang`; `body` is its Markdown with links and formulas already rewritten."""
    meta = f'<p class="oqu-lesson-meta">{hesc(lesson_facts(variant, lang, video_seconds))}</p>'
    notice = []
    if variant.lang != lang:
        source = t("lang." + variant.lang, lang)
        # Raw HTML rather than `!!! warning`: the notice carries the site's language while the
        # theme marks the rest of the page with the text's own (main.html, screen readers).
        notice = [
            f'<div class="admonition warning" lang="{lang}">'
            f'<p class="admonition-title">{hesc(t("fallback_title", lang))}</p>'
            f"<p>{hesc(t('fallback_notice', lang, source=source))}</p></div>",
            "",
        ]
    head, rest = _split_title(body)
    title_line = head or f"# {esc(variant.meta.title)}"
    extra = {"oqu_lesson": lesson.id, "oqu_lang": variant.lang}
    media = [player, ""] if player else []
    quizzes = [f"\n{quiz_placeholder(course.id, quiz_id, lang)}\n" for quiz_id in variant.meta.quizzes]
    return "\n".join(
        [
            front_matter(variant.meta.title, **extra), title_line, "", meta, "", *notice, *media, rest, *quizzes,
            "", *ask_section(course, lesson, lang),
        ]
    )  # fmt: skip


def _split_title(body: str) -> tuple[str, str]:
    """Split off the first `# Heading` if the body starts with one (after blank lines)."""
    stripped = body.lstrip("\n")
    first, _, rest = stripped.partition("\n")
    if first.startswith("# "):
        return first, rest
    return "", body
