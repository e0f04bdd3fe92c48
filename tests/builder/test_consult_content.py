"""consultations.yml: `oqu check`'s messages at their lines, and the slots in the service bundle."""

from __future__ import annotations

import json
from pathlib import Path

from builder.bundle import write_service_bundle
from builder.pipeline import check_content

COURSE = "content/courses/first-aid"
SLOTS = """\
timezone: Asia/Almaty
slots:
  - teacher: a.serikkyzy@academy.example.kz
    start: 2026-12-10 11:00
    minutes: 30
    mode: online
    link: https://meet.example.kz/serikkyzy
    weeks: 3
    title: Жеке консультация
  - teacher: a.serikkyzy@academy.example.kz
    start: 2026-12-12 15:00
    seats: 8
    mode: in_person
    room: 214 ауд.
"""


def write(root: Path, text: str) -> None:
    (root / COURSE / "consultations.yml").write_text(text, encoding="utf-8")


def errors(root: Path) -> list[str]:
    _, problems = check_content(root)
    return [str(p) for p in problems.errors]


def test_declared_slots_go_into_the_service_bundle_zoned(minimal_site: Path, tmp_path: Path) -> None:
    write(minimal_site, SLOTS)
    site, problems = check_content(minimal_site)
    assert problems.errors == [] and site is not None
    write_service_bundle(site, tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    [course] = [c for c in manifest["courses"] if c["id"] == "first-aid"]
    first, second = course["consultations"]
    assert first == {
        "key": None, "source": "content/courses/first-aid/consultations.yml:3",
        "teacher": "a.serikkyzy@academy.example.kz", "start": "2026-12-10T11:00:00+05:00", "minutes": 30,
        "seats": 1, "mode": "online", "link": "https://meet.example.kz/serikkyzy", "room": None,
        "title": "Жеке консультация", "weeks": 3,
    }  # fmt: skip
    assert second["mode"] == "in_person" and second["room"] == "214 ауд." and second["seats"] == 8
    assert second["source"].startswith("content/courses/first-aid/consultations.yml:")


def test_slot_ids_are_unique_in_the_file(minimal_site: Path) -> None:
    twice = SLOTS.replace("  - teacher:", "  - id: same\n    teacher:")
    write(minimal_site, twice)
    assert any("a second slot with the id 'same'" in error for error in errors(minimal_site))
    write(minimal_site, SLOTS.replace("  - teacher:", "  - id: one\n    teacher:", 1))
    site, problems = check_content(minimal_site)
    assert problems.errors == [] and site is not None and site.courses


def test_check_names_the_line_of_each_mistake(minimal_site: Path) -> None:
    path = f"{COURSE}/consultations.yml"
    write(minimal_site, SLOTS.replace("teacher: a.serikkyzy@", "teacher: a.serikkizi@", 1))
    assert errors(minimal_site) == [
        f"{path}:3: unknown teacher 'a.serikkizi@academy.example.kz': name a teacher by the"
        " e-mail course.yml gives (did you mean 'a.serikkyzy@academy.example.kz'?)",
    ]
    write(minimal_site, SLOTS.replace("    link: https://meet.example.kz/serikkyzy\n", ""))
    [missing_link] = errors(minimal_site)
    assert missing_link.startswith(f"{path}:3:") and "an online slot needs a `link`" in missing_link
    # The second entry falls on the first series' third week (Dec 24 11:00, 30 min): refused.
    write(minimal_site, SLOTS.replace("start: 2026-12-12 15:00", "start: 2026-12-24 11:15"))
    assert errors(minimal_site) == [f"{path}:11: overlaps slot 1 of the same teacher (2026-12-24 11:15)"]
    write(minimal_site, SLOTS.replace("seats: 8", "seats: 0"))
    [seats] = errors(minimal_site)
    assert seats.startswith(f"{path}:12:")


def test_consult_js_loads_only_on_lesson_and_course_pages(minimal_site: Path) -> None:
    from builder.pipeline import build_site

    build_site(minimal_site, minimal_site / "build", paper=False)
    site = minimal_site / "build" / "site"

    def scripts(page: str) -> bool:
        return "assets/oqu/consult.js" in (site / page).read_text(encoding="utf-8")

    lesson = (site / "kk/courses/first-aid/basics/assessment/index.html").read_text(encoding="utf-8")
    assert 'data-oqu-ask="first-aid"' in lesson and 'data-lesson="assessment"' in lesson
    assert scripts("kk/courses/first-aid/basics/assessment/index.html")
    course = (site / "kk/courses/first-aid/index.html").read_text(encoding="utf-8")
    assert 'data-oqu-faq="first-aid"' in course and 'href="consultations/"' in course
    assert scripts("kk/courses/first-aid/index.html")
    assert not scripts("kk/index.html") and not scripts("kk/courses/index.html")
    # The course's consultations page: book.js, the zone, and the link to the service's page
    # that signed-out and no-script readers keep.
    booking = (site / "kk/courses/first-aid/consultations/index.html").read_text(encoding="utf-8")
    assert 'data-oqu-book="first-aid"' in booking and 'data-zone="Asia/Almaty"' in booking
    assert 'href="/consultations/first-aid?lang=kk"' in booking and "assets/oqu/book.js" in booking
    assert "assets/oqu/book.js" not in course and "assets/oqu/book.js" not in lesson


def test_the_question_form_is_not_in_the_search_texts(minimal_site: Path) -> None:
    """The «Оқытушыға сұрақ» section is on every lesson page: neither the course's search index
    (MkDocs/Material, offline too) nor the service's search documents carry it."""
    from builder.i18n import t
    from builder.pipeline import build_site
    from builder.search.documents import site_documents

    build_site(minimal_site, minimal_site / "build", paper=False)
    site = minimal_site / "build" / "site"
    lesson = (site / "kk/courses/first-aid/basics/assessment/index.html").read_text(encoding="utf-8")
    assert t("consult.ask_heading", "kk") in lesson and 'data-oqu-ask="first-aid"' in lesson  # still shown
    for lang in ("kk", "ru"):
        index = json.loads(
            (site / f"{lang}/courses/first-aid/search/search_index.json").read_text(encoding="utf-8")
        )
        heading, note = t("consult.ask_heading", lang), t("consult.ask_placeholder", lang)
        assert index["docs"] and any("assessment/" in doc["location"] for doc in index["docs"])
        assert not [
            doc["location"] for doc in index["docs"] if heading in doc["title"] or note in doc["text"]
        ]
    loaded, problems = check_content(minimal_site)
    assert loaded is not None and not problems.errors
    documents = [doc for docs in site_documents(loaded).values() for doc in docs]
    assert documents and not [d.id for d in documents if "Оқытушыға сұрақ" in f"{d.heading} {d.text}"]
