"""Sustained conditions: a flag only when a condition lasts, never for one frame.

A condition seen in snapshots (a second face, nobody there, the head turned away) is flagged
when it holds in at least `frames` snapshots in a row AND over at least `seconds` from the
first of them to the last. A condition the browser measures over time (the tab hidden, full
screen left, noise) is flagged when one stretch of it lasts at least `seconds`. Discrete
actions (copy, paste) are flagged when `frames` of them fall within `seconds`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Window:
    seconds: int
    frames: int


@dataclass(frozen=True)
class Sample:
    at: datetime
    holds: bool
    ref: int = 0  # what shows it (a snapshot's media id)


@dataclass(frozen=True)
class Run:
    started_at: datetime
    ended_at: datetime
    frames: int
    refs: tuple[int, ...]


def sustained_runs(samples: Sequence[Sample], window: Window) -> list[Run]:
    """The runs of consecutive samples (by time) where the condition holds long enough."""
    runs: list[Run] = []
    current: list[Sample] = []
    for sample in sorted(samples, key=lambda s: s.at):
        if sample.holds:
            current.append(sample)
            continue
        runs.extend(_if_long_enough(current, window))
        current = []
    runs.extend(_if_long_enough(current, window))
    return runs


def _if_long_enough(run: list[Sample], window: Window) -> list[Run]:
    if len(run) < window.frames or run[-1].at - run[0].at < timedelta(seconds=window.seconds):
        return []
    return [Run(run[0].at, run[-1].at, len(run), tuple(s.ref for s in run))]


def lasting(started_at: datetime, ended_at: datetime, window: Window) -> bool:
    """A stretch measured by the browser (tab hidden, noise) counts when it lasted `seconds`."""
    return ended_at - started_at >= timedelta(seconds=window.seconds)


def repeated(moments: Sequence[datetime], window: Window) -> list[Run]:
    """Discrete actions: each stretch where `frames` of them fall within `seconds` (merged)."""
    ordered = sorted(moments)
    span = timedelta(seconds=window.seconds)
    runs: list[Run] = []
    for index in range(len(ordered) - window.frames + 1):
        first, last = ordered[index], ordered[index + window.frames - 1]
        if last - first > span:
            continue
        if runs and first <= runs[-1].ended_at:
            previous = runs[-1]
            count = sum(1 for m in ordered if previous.started_at <= m <= last)
            runs[-1] = Run(previous.started_at, last, count, ())
        else:
            runs.append(Run(first, last, window.frames, ()))
    return runs
