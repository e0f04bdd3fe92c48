"""Search fixtures: the example content (content/) indexed once per session, without MkDocs."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.bundle import write_service_bundle
from builder.model import Site
from builder.pipeline import build_site, check_content
from builder.search import SearchIndex, build_search_index

REPO = Path(__file__).parents[2]


@pytest.fixture(scope="session")
def example_site() -> Site:
    site, problems = check_content(REPO)  # as the build does: quizzes too
    assert site is not None and not problems.errors, [str(p) for p in problems.errors]
    return site


@pytest.fixture(scope="session")
def example_build(example_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """build/service and build/search of the example content."""
    out = tmp_path_factory.mktemp("example-build")
    write_service_bundle(example_site, out / "service")
    build_search_index(example_site, out / "search")
    return out


@pytest.fixture(scope="session")
def example_index(example_build: Path) -> Iterator[SearchIndex]:
    index = SearchIndex(example_build / "search")
    yield index
    index.close()


LECTURE = """---
title: Таңу техникасы
type: lecture
duration: 20
video: media/bandage-lecture.mp4
---

# Таңу техникасы

## Қан тоқтату

Жараны таза матамен басып, қан тоқтағанша ұстап тұрыңыз.
"""

CAPTIONS = """WEBVTT

NOTE бейнедәрістің субтитрлері

1
00:00:00.000 --> 00:00:01.000
Сәлеметсіздер ме!

2
00:00:02.000 --> 00:00:03.000 align:start
<v Дәріскер>Турникетті жарадан жоғары <b>салыңыз</b>.
"""


def make_video(path: Path, seconds: int = 3) -> None:
    """A small real H.264/AAC video (ffmpeg's test pattern and a tone)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        "ffmpeg", "-v", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc=size=160x120:rate=10:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path),
    ]  # fmt: skip
    subprocess.run(command, check=True, timeout=60)


@pytest.fixture(scope="session")
def lecture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal fixture site, its course open, with a lecture video and WebVTT captions; built."""
    root = tmp_path_factory.mktemp("lecture") / "site"
    shutil.copytree(REPO / "tests" / "fixtures" / "minimal-site", root)
    course = root / "content" / "courses" / "first-aid"
    config = course / "course.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("access: enrolled", "access: open"), "utf-8")
    (course / "01-basics" / "02-lecture.kk.md").write_text(LECTURE, encoding="utf-8")
    make_video(course / "01-basics" / "media" / "bandage-lecture.mp4")
    (course / "01-basics" / "media" / "bandage-lecture.kk.vtt").write_text(CAPTIONS, encoding="utf-8")
    build_site(root, root / "build")
    return root
