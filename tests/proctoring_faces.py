"""A labelled set of drawn pictures for proctoring's fairness figures (tests and bench/proctoring.py).

These are NOT photographs of people: faces are drawn with OpenCV (an oval, hair, brows, eyes
with pupils, a nose line, a mouth), then blurred and given sensor noise. They can show whether
the server's analysis counts drawn faces under light conditions (dim, backlit, uneven), never
how it does on real faces of real people: that needs a licensed photo set, which we do not ship.

Conditions and what a proctor should be shown (the expected flag of ONE frame; a flag is
raised only when a condition lasts several frames):

  one           one face, even light                        -> nothing
  two           two faces                                   -> faces
  none          an empty room                               -> absent
  turned        one face in profile (a drawn half face)     -> head
  dim           one face, the picture very dark             -> nothing (or "dark", never "absent")
  backlight     one face darker than a bright window behind -> nothing
  hand          one face with a hand-coloured block over the mouth -> nothing
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

WIDTH, HEIGHT = 640, 480
Picture = NDArray[np.uint8]


@dataclass(frozen=True)
class Labelled:
    condition: str
    picture: Picture  # grey, HEIGHT x WIDTH
    expected: frozenset[str]  # conditions a proctor should be shown for this frame


def draw_face(img: Picture, cx: int, cy: int, s: int, skin: int = 200, mouth_cover: bool = False) -> None:
    cv2.ellipse(img, (cx, cy), (int(s * 0.75), s), 0, 0, 360, skin, -1)
    cv2.ellipse(
        img, (cx, cy - int(s * 0.75)), (int(s * 0.8), int(s * 0.4)), 0, 180, 360, max(skin - 160, 10), -1
    )
    for dx in (-1, 1):
        ex, ey = cx + dx * int(s * 0.33), cy - int(s * 0.18)
        cv2.ellipse(
            img, (ex, ey - int(s * 0.17)), (int(s * 0.2), int(s * 0.05)), 0, 0, 360, max(skin - 140, 5), -1
        )
        cv2.ellipse(img, (ex, ey), (int(s * 0.16), int(s * 0.08)), 0, 0, 360, min(skin + 45, 255), -1)
        cv2.circle(img, (ex, ey), int(s * 0.07), max(skin - 170, 5), -1)
    cv2.line(img, (cx, cy - int(s * 0.1)), (cx - int(s * 0.06), cy + int(s * 0.2)), skin - 60, 3)
    cv2.ellipse(img, (cx, cy + int(s * 0.45)), (int(s * 0.28), int(s * 0.08)), 0, 0, 360, skin - 110, -1)
    if mouth_cover:
        cv2.rectangle(
            img,
            (cx - int(s * 0.4), cy + int(s * 0.3)),
            (cx + int(s * 0.4), cy + int(s * 0.75)),
            skin - 20,
            -1,
        )


def draw_profile(img: Picture, cx: int, cy: int, s: int, skin: int = 200) -> None:
    """A head turned to the side: the oval, hair at the back, one eye, a nose out of the outline."""
    cv2.ellipse(img, (cx, cy), (int(s * 0.6), s), 0, 0, 360, skin, -1)
    cv2.ellipse(
        img, (cx - int(s * 0.2), cy - int(s * 0.4)), (int(s * 0.55), int(s * 0.7)), 0, 90, 300, 40, -1
    )
    cv2.ellipse(
        img, (cx + int(s * 0.3), cy - int(s * 0.18)), (int(s * 0.1), int(s * 0.06)), 0, 0, 360, 30, -1
    )
    points = np.array(
        [
            [cx + int(s * 0.55), cy - int(s * 0.1)],
            [cx + int(s * 0.8), cy + int(s * 0.2)],
            [cx + int(s * 0.55), cy + int(s * 0.25)],
        ]
    )
    cv2.fillPoly(img, [points], skin)
    cv2.line(
        img, (cx + int(s * 0.35), cy + int(s * 0.5)), (cx + int(s * 0.55), cy + int(s * 0.48)), skin - 110, 4
    )


def _finish(img: Picture, rng: random.Random) -> Picture:
    blurred = cv2.GaussianBlur(img, (5, 5), 0).astype(np.int16)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 4, blurred.shape).astype(np.int16)
    return np.clip(blurred + noise, 0, 255).astype(np.uint8)


def make(condition: str, seed: int) -> Labelled:
    rng = random.Random(f"{condition}/{seed}")
    background = rng.randrange(60, 110)
    img = np.full((HEIGHT, WIDTH), background, np.uint8)
    cx, cy, size = (
        WIDTH // 2 + rng.randrange(-40, 41),
        HEIGHT // 2 + rng.randrange(-20, 21),
        rng.randrange(95, 125),
    )
    expected: frozenset[str] = frozenset()
    if condition == "one":
        draw_face(img, cx, cy, size)
    elif condition == "two":
        draw_face(img, 170 + rng.randrange(-20, 21), cy, size - 25)
        draw_face(img, 470 + rng.randrange(-20, 21), cy, size - 25)
        expected = frozenset({"faces"})
    elif condition == "none":
        cv2.rectangle(
            img, (rng.randrange(50, 200), 300), (rng.randrange(400, 600), 470), background + 30, -1
        )  # a desk
        expected = frozenset({"absent"})
    elif condition == "turned":
        draw_profile(img, cx, cy, size)
        expected = frozenset({"head"})
    elif condition == "dim":
        draw_face(img, cx, cy, size)
        img = (img.astype(np.float32) * rng.uniform(0.12, 0.2)).astype(np.uint8)
    elif condition == "backlight":
        img[:, :] = 235  # a bright window behind
        draw_face(img, cx, cy, size, skin=rng.randrange(90, 120))
    elif condition == "hand":
        draw_face(img, cx, cy, size, mouth_cover=True)
    else:
        raise ValueError(condition)
    return Labelled(condition, _finish(img, rng), expected)


CONDITIONS = ("one", "two", "none", "turned", "dim", "backlight", "hand")


def labelled_set(per_condition: int = 10) -> list[Labelled]:
    return [make(condition, seed) for condition in CONDITIONS for seed in range(per_condition)]


def jpeg(picture: Picture) -> bytes:
    ok, data = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, 88])
    assert ok
    return bytes(data)
