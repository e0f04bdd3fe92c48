"""`oqu check --format`: the same problems as text, GitHub workflow annotations, a GitLab code
quality report, or plain JSON, so that each one appears on its line of a merge request."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from builder.problems import Problem

FORMATS = ("text", "github", "gitlab", "json")


def format_text(problems: list[Problem]) -> str:
    return "".join(f"{problem}\n" for problem in problems)


def format_github(problems: list[Problem]) -> str:
    """GitHub Actions workflow commands: `::error file=…,line=…,title=…::message`, one a line.

    Property values escape `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and LF (the
    escaping of GitHub's own actions/toolkit)."""
    lines = []
    for problem in problems:
        kind = "warning" if problem.warning else "error"
        properties = ",".join(
            f"{name}={_github_property(value)}"
            for name, value in (("file", problem.path), ("line", str(problem.line)), ("title", "oqu check"))
        )
        lines.append(f"::{kind} {properties}::{_github_data(problem.message)}\n")
    return "".join(lines)


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def format_gitlab(problems: list[Problem]) -> str:
    """GitLab's code quality report (`artifacts:reports:codequality`): a JSON array of issues with
    description, check_name, fingerprint, severity and location.path / location.lines.begin.

    The fingerprint leaves the line out, so that a problem that only moved down the file is the
    same issue to GitLab's comparison of the branch with its target; a repeat of the same message
    in the same file gets its own fingerprint through its rank."""
    seen: dict[tuple[str, str], int] = {}
    issues = []
    for problem in problems:
        rank = seen[(problem.path, problem.message)] = seen.get((problem.path, problem.message), -1) + 1
        fingerprint = hashlib.md5(
            f"{problem.path}\0{problem.message}\0{rank}".encode(), usedforsecurity=False
        ).hexdigest()
        issues.append(
            {
                "description": problem.message,
                "check_name": "oqu-check/" + ("warning" if problem.warning else "error"),
                "fingerprint": fingerprint,
                "severity": "minor" if problem.warning else "major",
                "location": {"path": problem.path, "lines": {"begin": problem.line}},
            }
        )
    return json.dumps(issues, ensure_ascii=False, indent=2) + "\n"


def format_json(problems: list[Problem]) -> str:
    """oqu's own JSON: counts and every problem with its path, line, severity and message."""
    errors = sum(not p.warning for p in problems)
    report = {
        "errors": errors,
        "warnings": len(problems) - errors,
        "problems": [
            {
                "path": p.path,
                "line": p.line,
                "severity": "warning" if p.warning else "error",
                "message": p.message,
            }
            for p in problems
        ],
    }
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


FORMATTERS: dict[str, Callable[[list[Problem]], str]] = {
    "text": format_text,
    "github": format_github,
    "gitlab": format_gitlab,
    "json": format_json,
}


def format_problems(problems: list[Problem], fmt: str) -> str:
    return FORMATTERS[fmt](problems)
