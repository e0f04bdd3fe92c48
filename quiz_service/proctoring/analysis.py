"""The server's second opinion on a snapshot, with weights that ship in opencv-python-headless 4.x.

Faces: OpenCV's Haar cascades (frontal, then profile) on an equalised grey image, so that a dim
picture or a face against a window is brightened before looking. Head: where the face's centre
is, as a share of the frame, compared with the live photo's. Identity: a local binary pattern
histogram of the face (the idea of OpenCV's LBPH, written with numpy: the `face` module is not
in the headless wheel) compared by histogram intersection, 0 … 1. Every number is for a
proctor to weigh; none of them decides anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

Image = NDArray[Any]  # a grey picture (uint8); OpenCV types its results loosely
Signature = NDArray[np.float64]
FACE_SIZE = 96  # faces are compared at this size
GRID = 6  # LBP histograms per cell of a GRID x GRID grid
MAX_SIDE = 640  # snapshots are analysed at most this wide or high


@dataclass(frozen=True)
class Face:
    x: int
    y: int
    w: int
    h: int
    profile: bool = False


@dataclass(frozen=True)
class SnapshotAnalysis:
    faces: int  # frontal faces found
    profiles: int  # turned faces found when no frontal one was
    bodies: int  # people found by the HOG detector when no face was (someone there, face not seen)
    brightness: float  # mean grey level 0 … 255 before equalising
    bright_share: float  # share of nearly white pixels: a window or a lamp behind the student
    centre: tuple[float, float] | None  # the largest face's centre, as shares of the frame
    face_share: float  # the largest face's width as a share of the frame's

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@cache
def _cascade(name: str) -> cv2.CascadeClassifier:
    classifier = cv2.CascadeClassifier(cv2.data.haarcascades + name)  # type: ignore[attr-defined]
    if classifier.empty():
        raise RuntimeError(f"OpenCV's {name} is missing (opencv-python-headless 4.x ships it; 5.x does not)")
    return classifier


def decode(data: bytes) -> Image:
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ValueError("not an image OpenCV can read")
    return _fit(image)


def _fit(grey: Image) -> Image:
    height, width = grey.shape[:2]
    scale = MAX_SIDE / max(height, width)
    if scale >= 1:
        return grey
    return cv2.resize(grey, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)


def find_faces(grey: Image) -> tuple[list[Face], list[Face]]:
    """Frontal faces, and profile faces (both sides) when no frontal one was found."""
    equalised = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(grey)
    minimum = max(24, min(grey.shape[:2]) // 10)
    frontal = _detect(_cascade("haarcascade_frontalface_default.xml"), equalised, minimum, 6)
    if frontal:
        return frontal, []
    profile = _detect(_cascade("haarcascade_profileface.xml"), equalised, minimum, 5)
    mirrored = cv2.flip(equalised, 1)
    width = grey.shape[1]
    for face in _detect(_cascade("haarcascade_profileface.xml"), mirrored, minimum, 5):
        profile.append(Face(width - face.x - face.w, face.y, face.w, face.h))
    return [], [Face(f.x, f.y, f.w, f.h, profile=True) for f in _merge(profile)]


def _detect(cascade: cv2.CascadeClassifier, grey: Image, minimum: int, neighbours: int) -> list[Face]:
    found = cascade.detectMultiScale(
        grey, scaleFactor=1.1, minNeighbors=neighbours, minSize=(minimum, minimum)
    )
    return _merge([Face(int(x), int(y), int(w), int(h)) for (x, y, w, h) in found])


def _merge(faces: list[Face]) -> list[Face]:
    """One box per face: a box whose centre lies inside a bigger one is the same face."""
    kept: list[Face] = []
    for face in sorted(faces, key=lambda f: -f.w * f.h):
        cx, cy = face.x + face.w / 2, face.y + face.h / 2
        if not any(k.x <= cx <= k.x + k.w and k.y <= cy <= k.y + k.h for k in kept):
            kept.append(face)
    return kept


def analyse(grey: Image) -> SnapshotAnalysis:
    frontal, profile = find_faces(grey)
    faces = frontal or profile
    height, width = grey.shape[:2]
    largest = max(faces, key=lambda f: f.w * f.h, default=None)
    centre = None
    share = 0.0
    if largest is not None:
        centre = (
            round((largest.x + largest.w / 2) / width, 4),
            round((largest.y + largest.h / 2) / height, 4),
        )
        share = round(largest.w / width, 4)
    bright = round(float((grey > 220).mean()), 4)
    bodies = 0 if faces else count_people(grey)
    return SnapshotAnalysis(
        len(frontal), len(profile), bodies, round(float(grey.mean()), 2), bright, centre, share
    )


@cache
def _people_detector() -> cv2.HOGDescriptor:
    detector = cv2.HOGDescriptor()
    # the default people detector is part of the wheel's code, no file to ship; stubs want a UMat
    detector.setSVMDetector(cv2.HOGDescriptor.getDefaultPeopleDetector())  # type: ignore[call-overload]
    return detector


def count_people(grey: Image) -> int:
    """People (upright bodies) by OpenCV's HOG detector: asked only when no face was found (it is
    slow: about a third of a second for 640 x 480 on one core)."""
    found, _ = _people_detector().detectMultiScale(grey, winStride=(8, 8), padding=(8, 8), scale=1.05)
    return len(found)


def face_signature(grey: Image) -> Signature | None:
    """The largest frontal face's LBP histogram (normalised), None without a frontal face."""
    frontal, _ = find_faces(grey)
    if not frontal:
        return None
    face = max(frontal, key=lambda f: f.w * f.h)
    crop = grey[face.y : face.y + face.h, face.x : face.x + face.w]
    crop = cv2.equalizeHist(cv2.resize(crop, (FACE_SIZE, FACE_SIZE), interpolation=cv2.INTER_AREA))
    codes = _lbp(crop)
    cell = codes.shape[0] // GRID
    histograms = [
        np.bincount(codes[r * cell : (r + 1) * cell, c * cell : (c + 1) * cell].ravel(), minlength=256)
        for r in range(GRID)
        for c in range(GRID)
    ]
    signature = np.concatenate(histograms).astype(np.float64)
    return signature / signature.sum()


def _lbp(grey: Image) -> NDArray[np.int64]:
    """Local binary patterns of the 8 neighbours (radius 1) of every inner pixel."""
    centre = grey[1:-1, 1:-1].astype(np.int16)
    codes = np.zeros(centre.shape, dtype=np.int64)
    shifts = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]
    height, width = grey.shape
    for bit, (dy, dx) in enumerate(shifts):
        neighbour = grey[1 + dy : height - 1 + dy, 1 + dx : width - 1 + dx].astype(np.int16)
        codes |= (neighbour >= centre).astype(np.int64) << bit
    return codes


def similarity(one: Signature | None, other: Signature | None) -> float | None:
    """Histogram intersection of two face signatures, 0 (unlike) … 1 (the same picture)."""
    if one is None or other is None:
        return None
    return round(float(np.minimum(one, other).sum()), 4)
