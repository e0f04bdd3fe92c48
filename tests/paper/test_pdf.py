"""The course PDF: Kazakh text extracts back intact, links and contents resolve, QR codes decode,
worksheets carry no answers, and the course page links the files with their sizes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pypdf.generic import Destination

from builder.cli import main
from builder.i18n import format_size
from builder.paper.hyphenate import SOFT_HYPHEN, hyphenate_kazakh_html, hyphenate_kazakh_word
from builder.paper.svgmath import formula_html
from tests.paper.conftest import ALPHABET, PANGRAM, SECRET, SITE_URL


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, str(pdf), "-"], check=True, capture_output=True
    )
    return out.stdout.decode("utf-8")


def unbroken(text: str) -> str:
    """Text as written: lines joined, hyphenation at line ends undone, spaces collapsed."""
    text = text.replace(SOFT_HYPHEN, "")
    text = re.sub(r"(\w)[-\u2010]\n(\w)", r"\1\2", text)  # WeasyPrint draws U+2010 at a break
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def pdf(course_dir: Path) -> Path:
    return course_dir / "first-aid-kk.pdf"


def test_kazakh_alphabet_extracts_back_intact(pdf: Path) -> None:
    text = unbroken(pdf_text(pdf))
    letters = text.replace(" ", "")  # a justified line of single letters extracts without its spaces
    assert ALPHABET.replace(" ", "") in letters
    assert ALPHABET.lower().replace(" ", "") in letters
    assert PANGRAM in text
    assert "\ufffd" not in text  # no glyph without a character behind it


def test_fonts_are_embedded_and_cover_kazakh(pdf: Path) -> None:
    reader = PdfReader(pdf)
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descriptor = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font
                else font.get("/FontDescriptor")
            )
            fonts[str(font["/BaseFont"])] = descriptor is not None and any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert fonts and all(fonts.values()), fonts
    assert all("DejaVu" in name for name in fonts), fonts


def test_every_internal_link_and_bookmark_resolves(pdf: Path) -> None:
    reader = PdfReader(pdf)
    named = reader.named_destinations
    links = 0
    for page in reader.pages:
        for annotation in page.get("/Annots", []) or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A", {})
            if "/URI" in action:
                continue
            target = annotation.get("/Dest", action.get("/D"))
            assert target is not None, annotation
            if isinstance(target, str) or hasattr(target, "startswith"):
                assert str(target) in named, target
            links += 1
    assert links >= 5  # the contents and the links between lessons

    def walk(items: list[object]) -> list[Destination]:
        found: list[Destination] = []
        for item in items:
            found += walk(item) if isinstance(item, list) else [item]  # type: ignore[list-item]
        return found

    bookmarks = walk(reader.outline)
    assert len(bookmarks) >= 6
    for bookmark in bookmarks:
        assert 0 <= reader.get_destination_page_number(bookmark) < len(reader.pages)


def test_contents_page_numbers_point_at_the_lessons(pdf: Path) -> None:
    reader = PdfReader(pdf)
    contents = unbroken(pdf_text(pdf, 2, 2))
    entry = re.search(r"Қазақ әліпбиі \.*\s*(\d+)", contents)
    assert entry, contents
    page = int(entry.group(1))
    assert "Қазақ әліпбиі" in pdf_text(pdf, page, page)
    assert page <= len(reader.pages)


def test_qr_codes_decode_to_the_lesson_and_course_urls(pdf: Path, tmp_path: Path) -> None:
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "4", str(pdf), str(tmp_path / "p")], check=True
    )
    decoded = set()
    for image in sorted(tmp_path.glob("p-*.png")):
        out = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)], capture_output=True
        )
        decoded |= set(out.stdout.decode("utf-8").split())
    assert f"{SITE_URL}kk/courses/first-aid/" in decoded  # the cover
    assert f"{SITE_URL}kk/courses/first-aid/basics/assessment/" in decoded  # the video's page


def test_video_is_its_poster_description_and_chapters(pdf: Path) -> None:
    text = unbroken(pdf_text(pdf))
    assert "Бейнедәріс · 0:03" in text
    assert "Қауіпсіздік" in text and "Тыныс" in text


def test_formulas_are_vector_graphics_not_latex(pdf: Path) -> None:
    assert "\\frac" not in pdf_text(pdf)
    html = formula_html(r"f = \frac{n}{t}", False)
    assert html.startswith('<img class="oqu-formula" alt="f = \\frac{n}{t}" src="data:image/svg+xml;base64,')


def test_worksheet_has_the_questions_and_no_answers(pdf: Path) -> None:
    text = unbroken(pdf_text(pdf))
    assert "Жұмыс парағы: Әліпбиді тексеру" in text
    assert "Қай әріп тек қазақ әліпбиінде бар?" in text
    assert SECRET not in text
    assert "Керемет дұрыс түсіндірме" not in text


def test_schedule_prints_on_its_own(course_dir: Path) -> None:
    text = unbroken(pdf_text(course_dir / "first-aid-kk-schedule.pdf"))
    assert "Сабақ кестесі" in text and "Күні мен уақыты" in text


def test_course_page_links_pdf_and_offline_copy_with_sizes(course_dir: Path) -> None:
    page = (course_dir / "index.html").read_text(encoding="utf-8")
    for name in ("first-aid-kk.pdf", "first-aid-kk-offline.zip", "first-aid-kk-schedule.pdf"):
        size = (course_dir / name).stat().st_size
        shown = format_size(size, "kk")  # "1,2 МБ", "85 кБ"
        assert re.search(
            rf'<a href="{re.escape(name)}" download>[^<]+</a> <span class="oqu-size">\({shown}\)', page
        )
    assert "Курстың PDF нұсқасы" in page
    ru = (course_dir.parents[2] / "ru" / "courses" / "first-aid" / "index.html").read_text(encoding="utf-8")
    assert 'href="first-aid-ru.pdf"' in ru and "PDF-версия курса" in ru


def test_kazakh_hyphenation_follows_syllables() -> None:
    assert hyphenate_kazakh_word("тотықтырғыш").split(SOFT_HYPHEN) == ["то", "тық", "тыр", "ғыш"]
    assert hyphenate_kazakh_word("әліпбиіндегі").split(SOFT_HYPHEN) == ["әліп", "биін", "де", "гі"]


def test_oqu_pdf_writes_one_course_and_names_unknown_ones(
    paper_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(paper_build.parent)  # commands work on the site in the current folder
    runner = CliRunner()
    missing = runner.invoke(main, ["pdf", "no-such-course"])
    assert missing.exit_code == 1
    assert "қате: 'no-such-course' курсы жоқ (курстар: first-aid)" in missing.output
    made = runner.invoke(main, ["pdf", "first-aid", "--lang", "ru", "--out", str(tmp_path / "pdf")])
    assert made.exit_code == 0, made.output
    written = tmp_path / "pdf" / "first-aid-ru.pdf"
    assert made.output.startswith(str(written))
    assert "Первая помощь" in unbroken(pdf_text(written, 1, 1))


def test_kazakh_hyphenation_leaves_tags_attributes_and_code_alone() -> None:
    html = '<p title="тотықтырғыш">тотықтырғыш <code>тотықтырғыш</code></p><pre>әліпбиіндегі</pre>'
    assert hyphenate_kazakh_html(html) == html.replace(">тотықтырғыш ", ">то\u00adтық\u00adтыр\u00adғыш ")
