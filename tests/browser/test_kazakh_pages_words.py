"""No English or raw text on Kazakh pages (issue 12 #13): every built page of the example site's
kk folder and the kk service pages (sign-in, profile, teachers' pages), scanned for words in
Latin script outside an allow-list.

What a page shows a reader is scanned: text outside code, scripts and styles, and the `title`,
`alt`, `aria-label` and `placeholder` attributes. Allowed, and why:

- e-mail addresses and web addresses (names of places, not words);
- single capital letters and abbreviations in capitals up to five letters: fire classes
  (A–F), option letters, standards (EN 2), formats (PDF, SVG), `UTC` in a zone's offset;
- a number's unit glued to it: `360p`;
- proper names of software the lessons talk about, and the language switch's own name of
  English (a language is named in itself: "English", as "Қазақша" and "Русский").
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import requests
from auth_helpers import PASSWORD, csrf_from_form
from site_server import run_oqu_here

ADMIN = "words-admin@oqu.example.kz"

HIDDEN = {"script", "style", "code", "pre", "kbd", "samp", "math", "svg", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
# Names of software and formats, written as their makers write them.
NAMES = {
    "iCalendar",
    "JavaScript",
    "Moodle",
    "English",
    "Chromium",
    "Firefox",
    "Chrome",
    "Safari",
    "Zoom",
    "YouTube",
}
NOT_WORDS = re.compile(r"\S+@\S+|\bhttps?://\S+|\b\d+p\b")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
ABBREVIATION = re.compile(r"^[A-Z]{1,5}-?$")


class ReadText(HTMLParser):
    """The pieces of text a reader sees (or hears from a screen reader) on a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.pieces: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not any(name in HIDDEN for name in self.open) and tag not in HIDDEN:
            self.pieces += [value for name, value in attrs if name in READ_ATTRIBUTES and value]
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open and self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not any(name in HIDDEN for name in self.open):
            self.pieces.append(data)


def latin_words(html: str) -> Iterator[str]:
    reader = ReadText()
    reader.feed(html)
    for piece in reader.pieces:
        for word in LATIN_WORD.findall(NOT_WORDS.sub(" ", piece)):
            if word not in NAMES and not ABBREVIATION.match(word):
                yield word


def found_in(pages: dict[str, str]) -> dict[str, list[str]]:
    found = {name: sorted(set(latin_words(html))) for name, html in pages.items()}
    return {name: words for name, words in found.items() if words}


def test_the_scan_finds_english_where_a_reader_sees_it() -> None:
    page = (
        '<p title="Permanent link">Жүктеп алу (360p, 2,5 MB)</p><code>print("hi")</code>'
        '<a href="mailto:a.b@academy.kz">a.b@academy.kz</a> <span>UTC+5, A класы, JavaScript</span>'
        "<script>var x = 'Jump back';</script><img alt=\"Question 8\">"
    )
    assert sorted(latin_words(page)) == ["Permanent", "Question", "link"]  # MB: a capital abbreviation


def test_kazakh_pages_of_the_example_site_have_no_english(example_site: Path) -> None:
    folder = example_site / "build" / "site" / "kk"
    pages = {
        str(path.relative_to(folder)): path.read_text(encoding="utf-8") for path in folder.rglob("*.html")
    }
    assert len(pages) > 20
    assert found_in(pages) == {}, found_in(pages)


def signed_in_admin(served: str, example_site: Path) -> requests.Session:
    """An admin (the teacher tools of every course) added to the served example site."""
    env = {**os.environ, "OQU_VAR_DIR": str(example_site / "var")}
    admin = ["users", "add", ADMIN, "--role", "admin", "--name", "Сәуле Әдебиетова", "--password-stdin"]
    run_oqu_here(example_site, env, [(admin, f"{PASSWORD}\n")])
    browser = requests.Session()
    page = browser.get(f"{served}/auth/login?lang=kk", timeout=10)
    form = {"email": ADMIN, "password": PASSWORD, "csrf_token": csrf_from_form(page.text), "lang": "kk"}
    assert (
        browser.post(f"{served}/auth/login", data=form, timeout=10, allow_redirects=False).status_code == 303
    )
    return browser


def test_kazakh_service_pages_have_no_english(served: str, example_site: Path) -> None:
    pages = {"/auth/login?lang=kk": requests.get(f"{served}/auth/login?lang=kk", timeout=10).text}
    teacher = signed_in_admin(served, example_site)
    for address in ["/auth/profile?lang=kk", "/teach/?lang=kk"]:
        pages[address] = teacher.get(f"{served}{address}", timeout=10).text
    quizzes = sorted(set(re.findall(r'href="(/teach/[^/"]+/[^/"]+/)\?lang=kk"', pages["/teach/?lang=kk"])))
    assert quizzes, "the example site has quizzes"
    for quiz in quizzes:
        for address in [f"{quiz}?lang=kk", f"{quiz}statistics?lang=kk"]:
            answer = teacher.get(f"{served}{address}", timeout=10)
            assert answer.status_code == 200, address
            pages[address] = answer.text
    missing = requests.get(f"{served}/kk/courses/no-such-course/", timeout=10)
    assert missing.status_code == 404
    pages["404"] = missing.text
    assert found_in(pages) == {}, found_in(pages)
