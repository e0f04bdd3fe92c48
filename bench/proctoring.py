"""Proctoring benchmark: the fairness of the server's analysis on a labelled set, and its speed.

1. The labelled set of tests/proctoring_faces.py (DRAWN faces, not photographs: see there) per
   condition: the share of single frames the analysis would show a proctor wrongly (a false
   flag: a condition not in the label) and the share it misses (a missed flag). Then the same
   for sustained windows (3 frames in a row, as the default policy): how many 3-frame runs of
   one condition would raise an incident.
2. Snapshots analysed per second on one core (decode + faces + presence + head), and the face
   signature (identity score) per second; the ratio of analysis to a plain JPEG decode.

    .venv/bin/python bench/proctoring.py [--per-condition 30]

Not measured here (see docs/proctoring.md): upload throughput against the health endpoint for
1,000 students, and a browser model's time per frame (there is no browser model: faces are
counted on the server).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import cv2
from proctoring_faces import CONDITIONS, jpeg, labelled_set

from quiz_service.proctoring import analysis
from quiz_service.proctoring.service import snapshot_conditions
from quiz_service.proctoring.sustained import Sample, Window, sustained_runs

REFERENCE = {"centre": [0.5, 0.5]}  # the live photo's face centre: the middle of the frame
HEAD_TURN = 0.25


def rates(per_condition: int) -> None:
    items = labelled_set(per_condition)
    false_flags: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    seen: dict[str, Counter[str]] = {c: Counter() for c in CONDITIONS}
    verdicts: dict[str, list[set[str]]] = {c: [] for c in CONDITIONS}
    for item in items:
        got = snapshot_conditions(analysis.analyse(item.picture).as_json(), REFERENCE, HEAD_TURN)
        verdicts[item.condition].append(got)
        seen[item.condition].update(got or {"-"})
        if got - item.expected:
            false_flags[item.condition] += 1
        if item.expected - got:
            missed[item.condition] += 1
    print(f"fairness on {len(items)} drawn frames ({per_condition} per condition), single frames:")
    print(f"  {'condition':<10} {'expected':<9} {'false flag':>10} {'missed':>8}   what the analysis said")
    for condition in CONDITIONS:
        expected = ",".join(sorted(items[CONDITIONS.index(condition) * per_condition].expected)) or "-"
        said = ", ".join(f"{k} {v}" for k, v in seen[condition].most_common())
        print(
            f"  {condition:<10} {expected:<9} {false_flags[condition] / per_condition:>10.0%} "
            f"{missed[condition] / per_condition:>8.0%}   {said}"
        )
    window = Window(seconds=10, frames=3)
    print("sustained (3 frames, 30 s apart, of the same condition in a row): incidents raised")
    for condition in CONDITIONS:
        runs = 0
        groups = [verdicts[condition][i : i + 3] for i in range(0, per_condition - 2, 3)]
        for group in groups:
            kinds = set().union(*group)
            for kind in kinds:
                samples = [Sample(time_at(i), kind in got) for i, got in enumerate(group)]
                runs += len(sustained_runs(samples, window))
        print(f"  {condition:<10} {runs} incident(s) from {len(groups)} windows")


def time_at(index: int) -> object:
    from datetime import UTC, datetime, timedelta

    return datetime(2026, 12, 14, 9, tzinfo=UTC) + timedelta(seconds=30 * index)


def speed(per_condition: int) -> None:
    encoded = [jpeg(item.picture) for item in labelled_set(max(3, per_condition // 3))]
    cv2.setNumThreads(1)
    start = time.perf_counter()
    for data in encoded:
        analysis.decode(data)
    decode = time.perf_counter() - start
    start = time.perf_counter()
    for data in encoded:
        analysis.analyse(analysis.decode(data))
    analyse = time.perf_counter() - start
    start = time.perf_counter()
    for data in encoded:
        analysis.face_signature(analysis.decode(data))
    signature = time.perf_counter() - start
    n = len(encoded)
    print(f"speed on one core (cv2 threads 1), {n} JPEGs 640x480, cpu count {os.cpu_count()}:")
    print(f"  JPEG decode only:              {n / decode:8.1f} /s (baseline)")
    print(f"  analysis (faces, presence):    {n / analyse:8.1f} /s  ({analyse / decode:.1f}x the decode)")
    print(f"  face signature (identity):     {n / signature:8.1f} /s  ({signature / decode:.1f}x the decode)")
    print(f"  1,000 students, a snapshot every 30 s = 33.3 /s: {33.3 / (n / analyse):.1f} cores of analysis")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-condition", type=int, default=30)
    args = parser.parse_args()
    rates(args.per_condition)
    speed(args.per_condition)


if __name__ == "__main__":
    main()
