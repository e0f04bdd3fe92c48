"""One fixture site built once per session with PDFs and offline copies (real WeasyPrint, ffmpeg,
MkDocs); the tests read what it wrote."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from builder.pipeline import build_site

FIXTURES = Path(__file__).parents[1] / "fixtures"
COURSE = "content/courses/first-aid"
SITE_URL = "https://oqu.test.example.kz/"
ALPHABET = "А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ Ц Ч Ш Щ Ъ Ы І Ь Э Ю Я"
PANGRAM = "Қазақ әліпбиіндегі ерекше әріптер: ә, ғ, қ, ң, ө, ұ, ү, һ, і."
SECRET = "секретжауап"  # the short answer's key: must never reach paper
SEARCH_WORD = "тамырсоғысы"  # a Kazakh word only the alphabet lesson has

ALPHABET_LESSON = f"""---
title: Қазақ әліпбиі
type: self-study
duration: 20
quizzes: [alphabet-check]
---

# Қазақ әліпбиі

{ALPHABET}

{ALPHABET.lower()}

{PANGRAM}

Жүрек соғуын тексеру: {SEARCH_WORD} минутына 60–90 рет болады.
"""

QUIZ = f"""title: {{kk: Әліпбиді тексеру, ru: Проверка алфавита}}
kind: practice
questions:
  - id: letter
    type: single
    text: {{kk: Қай әріп тек қазақ әліпбиінде бар?, ru: Какая буква есть только в казахском алфавите?}}
    options:
      - text: {{kk: Ә, ru: Ә}}
        correct: true
        feedback: {{kk: Керемет дұрыс түсіндірме, ru: Отличное верное объяснение}}
      - text: {{kk: Б, ru: Б}}
  - id: word
    type: short
    text: {{kk: Жасырын сөзді жазыңыз., ru: Напишите скрытое слово.}}
    answers:
      - text: {SECRET}
"""

VIDEO_FRONT_MATTER = """video: media/lecture.mp4
chapters:
  - {start: "0:00", title: Қауіпсіздік}
  - {start: "0:01", title: Тыныс}
"""

CAPTIONS_KK = """WEBVTT

00:00.000 --> 00:01.500
Алдымен қауіпсіздікке көз жеткізіңіз.

00:01.500 --> 00:03.000
Зардап шеккеннің тынысын тексеріңіз.
"""

PAPER_CONFIG = f"""
site_url: {SITE_URL}
media:
  renditions:
    - {{height: 144, crf: 32, audio_bitrate: 48k}}
    - {{height: 360, crf: 32, audio_bitrate: 48k}}
  preset: ultrafast
  image_widths: [480]
paper:
  pdf: true
  offline: true
"""


def make_paper_site(root: Path) -> Path:
    shutil.copytree(FIXTURES / "minimal-site", root)
    course = root / COURSE
    media = course / "01-basics" / "media"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=s=640x360:d=3:r=10",
            "-f",
            "lavfi",
            "-i",
            "sine=f=440:d=3",
            "-shortest",
            "-pix_fmt",
            "yuv420p",
            str(media / "lecture.mp4"),
        ],
        check=True,
    )
    (media / "lecture.kk.vtt").write_text(CAPTIONS_KK, encoding="utf-8")
    lesson = course / "01-basics" / "01-assessment.kk.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("---\n", "---\n" + VIDEO_FRONT_MATTER, 1), encoding="utf-8")
    (course / "02-practice" / "02-alphabet.kk.md").write_text(ALPHABET_LESSON, encoding="utf-8")
    (course / "quizzes").mkdir(exist_ok=True)
    (course / "quizzes" / "alphabet-check.yml").write_text(QUIZ, encoding="utf-8")
    with (root / "site_config.yml").open("a", encoding="utf-8") as config:
        config.write(PAPER_CONFIG)
    return root


@pytest.fixture(scope="session")
def paper_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built fixture site (`build/`), with PDFs and offline zips, made once."""
    root = make_paper_site(tmp_path_factory.mktemp("paper") / "site")
    build_site(root, root / "build")
    return root / "build"


@pytest.fixture(scope="session")
def course_dir(paper_build: Path) -> Path:
    return paper_build / "site" / "kk" / "courses" / "first-aid"
