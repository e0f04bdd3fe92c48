"""Small media made by the real ffmpeg and Pillow, and a fixture site whose lessons use them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from media_site import make_media_site
from PIL import Image


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-y", "-loglevel", "error", *args], check=True)


@pytest.fixture(scope="session")
def sample_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 s 320×240 test pattern with a tone (MPEG-4 in MKV), a quiet tone, a photo."""
    folder = tmp_path_factory.mktemp("samples")
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=3",
        "-f", "lavfi", "-i", "sine=f=440:d=3",
        "-c:v", "mpeg4", "-q:v", "5", "-c:a", "libopus", "-shortest", str(folder / "lecture.mkv"),
    )  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", "sine=f=330:d=3,volume=-30dB", str(folder / "talk.wav"))
    image = Image.linear_gradient("L").resize((1200, 800)).convert("RGB")
    image.save(folder / "photo.jpg", quality=90)
    return folder


@pytest.fixture
def media_site(tmp_path: Path, sample_media: Path) -> Path:
    return make_media_site(tmp_path / "site", sample_media)
