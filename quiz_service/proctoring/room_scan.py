"""The room scan, decoded: a finding for the proctor, never a decision.

The clip is read with OpenCV's VideoCapture (the FFmpeg inside opencv-python-headless reads the
browser's WebM and MP4). It says how long the clip is and how many frames could be read, and
how much the camera moved: between frames a quarter of a second apart, the horizontal shift
of the whole picture (phase correlation of small grey frames) added up as frame widths, and
the share of those steps where the picture changed at all. A 360° turn with a laptop camera
(about 60-70° wide) pans several frame widths; a camera left on the desk pans none. The
thresholds are rough by design: the proctor watches the clip, the finding says where to look.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

STEP_SECONDS = 0.25  # compare frames this far apart
WIDTH = 160  # pixels: frames are compared this small
PAN_WIDTHS = 3.0  # frame widths of panning under which "little movement" is said
MOVING_SHARE = 0.4  # share of steps with a visible change under which "little movement" is said
CHANGE = 6.0  # mean grey difference (0-255) of a step that counts as a change
MIN_SHARE = 0.8  # a clip shorter than this share of the asked length is "too short"
MAX_FRAMES = 20_000  # a clip is read at most this far (the upload's size limit is lower anyway)


@dataclass(frozen=True)
class RoomScanFinding:
    finding: str  # ok | too_short | unreadable | little_movement
    seconds: float
    frames: int
    steps: int
    panned_widths: float  # horizontal movement added up, in frame widths
    moving_share: float  # share of steps where the picture changed

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def examine(path: Path, min_seconds: float) -> RoomScanFinding:
    """Decode the clip at `path`; the finding (what the proctor is told) and its figures."""
    capture = cv2.VideoCapture(str(path))
    try:
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0) or 30.0
        frames, last_ms, samples = _read(capture)
    finally:
        capture.release()
    # the last frame lasts too: its start plus one frame's mean duration (or the header's rate)
    seconds = last_ms / 1000.0 * frames / (frames - 1) if last_ms > 0 and frames > 1 else frames / fps
    panned, moving = _movement(samples)
    steps = max(len(samples) - 1, 0)
    share = moving / steps if steps else 0.0
    if frames < 2:
        finding = "unreadable"
    elif seconds < min_seconds:
        finding = "too_short"
    elif panned < PAN_WIDTHS or share < MOVING_SHARE:
        finding = "little_movement"
    else:
        finding = "ok"
    return RoomScanFinding(finding, round(seconds, 2), frames, steps, round(panned, 2), round(share, 2))


def _read(capture: cv2.VideoCapture) -> tuple[int, float, list[np.ndarray]]:
    frames, last_ms, next_at = 0, 0.0, 0.0
    samples: list[np.ndarray] = []
    while frames < MAX_FRAMES:
        ok, frame = capture.read()
        if not ok or frame is None:
            break
        frames += 1
        position = float(capture.get(cv2.CAP_PROP_POS_MSEC) or 0.0)
        last_ms = max(last_ms, position)
        at = position / 1000.0 if position > 0 else frames / 30.0
        if at + 1e-6 >= next_at:
            samples.append(_small(frame))
            next_at = at + STEP_SECONDS
    return frames, last_ms, samples


def _small(frame: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    height = max(1, round(grey.shape[0] * WIDTH / grey.shape[1]))
    return cv2.resize(grey, (WIDTH, height), interpolation=cv2.INTER_AREA).astype(np.float32)


def _movement(samples: list[np.ndarray]) -> tuple[float, int]:
    """Frame widths panned (sum of horizontal shifts) and how many steps changed the picture."""
    panned, moving = 0.0, 0
    window = cv2.createHanningWindow((WIDTH, samples[0].shape[0]), cv2.CV_32F) if samples else None
    for before, after in itertools.pairwise(samples):
        change = float(np.mean(np.abs(after - before)))
        if change < CHANGE:
            continue
        moving += 1
        (dx, _dy), response = cv2.phaseCorrelate(before, after, window)
        # a weak correlation peak is a big or blurred move: count it as at least a quarter width
        shift = abs(dx) / WIDTH if response > 0.05 else 0.25
        panned += min(shift, 0.5)
    return panned, moving
