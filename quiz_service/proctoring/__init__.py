"""Proctored attestation (R2.10, R13): identity checks before the attempt, the browser's events
and the server's analysis during it, a proctor's review after it; the grade waits for it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from quiz_service.core import attempt_gates, events
    from quiz_service.proctoring import jobs, service, settings, views

    settings.configure(app)
    attempt_gates.add_start_gate(service.start_gate)
    attempt_gates.add_result_gate(service.result_gate)
    events.subscribe(events.AttemptStarted, service.link_attempt)
    views.init_app(app)
    del jobs  # imported for its @jobs.job registrations
