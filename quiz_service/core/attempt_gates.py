"""Gates another feature puts on quiz attempts, without the quizzes importing that feature.

Proctoring (quiz_service/proctoring) registers two: a start gate (a proctored attempt starts
only after its checks passed or a proctor let it) and a result gate (the grade of a proctored
attempt is withheld until a proctor confirmed it). The quizzes ask here; a quiz whose pinned
settings require proctoring and finds no start gate refuses to start (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from quiz_service.core.domain import Forbidden

# gate(writer, user_id, course, quiz, now): returns, or raises a DomainError to refuse the start.
StartGate = Callable[[Session, int, str, str, datetime], None]
# withheld(reader, attempt_id): True while the attempt's result must not be shown to its student.
ResultGate = Callable[[Session, int], bool]

_start_gates: list[StartGate] = []
_result_gates: list[ResultGate] = []


def add_start_gate(gate: StartGate) -> None:
    if gate not in _start_gates:
        _start_gates.append(gate)


def add_result_gate(gate: ResultGate) -> None:
    if gate not in _result_gates:
        _result_gates.append(gate)


def check_proctored_start(writer: Session, user_id: int, course: str, quiz: str, now: datetime) -> None:
    """Before a new attempt of a quiz that requires proctoring: every gate must let it start."""
    if not _start_gates:
        raise Forbidden(
            "proctoring_unavailable", "This attestation is proctored, and proctoring is not set up."
        )
    for gate in _start_gates:
        gate(writer, user_id, course, quiz, now)


def result_withheld(reader: Session, attempt_id: int) -> bool:
    return any(gate(reader, attempt_id) for gate in _result_gates)
