"""A fixture site whose lessons use media; the samples come from conftest.py (real ffmpeg)."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).parents[1] / "fixtures"
COURSE = "content/courses/first-aid"
LESSON_KK = f"{COURSE}/01-basics/01-assessment.kk.md"
LESSON_RU = f"{COURSE}/01-basics/01-assessment.ru.md"
PRACTICE = f"{COURSE}/02-practice/01-bandage.kk.md"

SRT_KK = """1
00:00:00,000 --> 00:00:01,500
Алдымен қауіпсіздікке көз жеткізіңіз.

2
00:00:01,500 --> 00:00:02,900
Зардап шеккеннің <тынысын> & тамырын тексеріңіз.
"""
VTT_RU = """WEBVTT

00:00.000 --> 00:01.500
Сначала убедитесь в безопасности.

00:01.500 --> 00:02.900
Проверьте дыхание пострадавшего.
"""
MEDIA_CONFIG = """
media:
  renditions:
    - {height: 144, crf: 30, audio_bitrate: 48k}
    - {height: 240, crf: 30, audio_bitrate: 64k}
    - {height: 480, crf: 28}
  preset: ultrafast
  image_widths: [480, 960]
"""
FRONT_MATTER_KK = """video: media/lecture.mkv
chapters:
  - {start: "0:00", title: Қауіпсіздік}
  - {start: "0:01", title: Тыныс пен тамыр}
audio: media/talk.wav
interactive:
  - {src: media/sim, title: Жүрек-өкпе реанимациясының үлгісі, height: 300}
"""


def make_media_site(root: Path, samples: Path) -> Path:
    shutil.copytree(FIXTURES / "minimal-site", root)
    media = root / COURSE / "01-basics" / "media"
    for name in ("lecture.mkv", "talk.wav", "photo.jpg"):
        shutil.copy(samples / name, media / name)
    (media / "lecture.kk.srt").write_text(SRT_KK, encoding="utf-8")
    (media / "lecture.ru.vtt").write_text(VTT_RU, encoding="utf-8")
    (media / "talk.kk.txt").write_text("Бірінші абзац.\n\nЕкінші <абзац>.", encoding="utf-8")
    (media / "sim").mkdir()
    (media / "sim" / "index.html").write_text("<!doctype html><title>sim</title><p>ok</p>", encoding="utf-8")
    with (root / "site_config.yml").open("a", encoding="utf-8") as config:
        config.write(MEDIA_CONFIG)
    add_front_matter(root / LESSON_KK, FRONT_MATTER_KK)
    add_front_matter(root / LESSON_RU, "video: media/lecture.mkv\n")
    lesson = root / LESSON_KK
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + "\n![Оқу алаңының суреті](media/photo.jpg)\n", encoding="utf-8"
    )
    return root


def add_front_matter(path: Path, lines: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n")
    path.write_text(f"{head}\n{lines.rstrip()}\n---\n{body}", encoding="utf-8")
