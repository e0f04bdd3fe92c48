"""`proctoring:` on attestations: parsed into the settings, pinned through the bundle, R13 warned."""

from __future__ import annotations

import json
from pathlib import Path

from builder.pipeline import check_content
from builder.problems import Problems
from builder.quizzes.load import load_site_quizzes
from builder.quizzes.model import as_json, settings_from_json

from .test_load import GOOD_YAML, write


def _with(kind: str, extra: str = "") -> str:
    return GOOD_YAML.replace("kind: current", f"kind: {kind}") + extra


def _warnings(site: Path) -> list[str]:
    _, problems = check_content(site)
    return [str(p) for p in problems.warnings]


def test_an_attestation_without_proctoring_is_warned_with_its_kind_line(minimal_site: Path) -> None:
    path = write(minimal_site, "exam.yml", _with("final"))
    warned = [w for w in _warnings(minimal_site) if "R13" in w]
    assert warned == [f"{path.relative_to(minimal_site)}:2: warning: " + warned[0].split("warning: ")[1]]
    write(minimal_site, "exam.yml", _with("final", "proctoring: required\n"))
    assert [w for w in _warnings(minimal_site) if "R13" in w] == []
    write(minimal_site, "exam.yml", _with("current"))
    assert [w for w in _warnings(minimal_site) if "R13" in w] == []


def test_the_shorthand_takes_the_defaults_and_the_mapping_its_own(minimal_site: Path) -> None:
    write(minimal_site, "exam.yml", _with("intermediate", "proctoring: required\n"))
    site, problems = check_content(minimal_site)
    assert site is not None and problems.errors == []
    (quiz,) = load_site_quizzes(site, Problems(minimal_site))
    policy = quiz.settings.proctoring
    assert policy.required and "faces" in policy.signals and policy.sustained_frames == 3
    custom = (
        "proctoring:\n  signals: [faces, tab]\n  sustained: {seconds: 20, frames: 4}\n  snapshot_every: 15\n"
    )
    write(minimal_site, "exam.yml", _with("intermediate", custom))
    site, problems = check_content(minimal_site)
    assert site is not None and problems.errors == []
    (quiz,) = load_site_quizzes(site, Problems(minimal_site))
    policy = quiz.settings.proctoring
    assert (policy.signals, policy.sustained_seconds, policy.sustained_frames, policy.snapshot_every) == (
        ("faces", "tab"),
        20,
        4,
        15,
    )
    again = settings_from_json(json.loads(json.dumps(as_json(quiz.settings))))
    assert again == quiz.settings
    assert (
        settings_from_json(
            {k: v for k, v in as_json(quiz.settings).items() if k != "proctoring"}
        ).proctoring.required
        is False
    )


def test_proctoring_is_refused_on_practice_and_one_frame_windows(minimal_site: Path) -> None:
    write(minimal_site, "exam.yml", _with("current", "proctoring: required\n"))
    _, problems = check_content(minimal_site)
    assert any("'kind' must be intermediate or final" in p.message for p in problems.errors)
    write(minimal_site, "exam.yml", _with("final", "proctoring:\n  sustained: {seconds: 5, frames: 1}\n"))
    _, problems = check_content(minimal_site)
    assert problems.errors, "a one-frame window must be refused"
    write(minimal_site, "exam.yml", _with("final", "proctoring:\n  signals: [telepathy]\n"))
    _, problems = check_content(minimal_site)
    assert problems.errors


def test_the_fire_safety_midterm_is_proctored() -> None:
    from builder.load import load_site

    root = Path(__file__).parents[2]
    site, problems = load_site(root)
    assert site is not None
    midterm = next(q for q in load_site_quizzes(site, problems) if q.key == "fire-safety/midterm")
    assert midterm.settings.proctoring.required
    assert [str(p) for p in problems.warnings if "R13" in p.message] == []
