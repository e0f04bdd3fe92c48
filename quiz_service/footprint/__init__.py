"""The digital footprint (R2.11): xAPI statements in an append-only, verifiable record.

- `xapi.py`, `video.py`: statements checked by xAPI 1.0.3 and the video profile
- `store.py`: the gap-free, append-only sequence; `mapping.py`: the service's own statements
  from domain events; `merkle.py`, `checkpoints.py`, `verify.py`, `export.py`: the record
  anybody can check (RFC 9162 Merkle tree, Ed25519-signed checkpoints)
- `views.py`: POST and GET /api/v1/statements; `cli.py`: `oqu footprint …`
- `progress.py`, `monitoring.py`, `progress_views.py`: progress by course.yml's completion rules,
  the student's progress page and API, teachers' and the office's monitoring with exports
- `forwarding.py`: statements forwarded to an external LRS, once per statement

See docs/footprint.md.
"""

from __future__ import annotations

from flask import Flask

from quiz_service.core import events


def init_app(app: Flask) -> None:
    from quiz_service.footprint import forwarding, jobs, mapping, progress_views, settings, views

    del jobs, forwarding  # imported for their periodic jobs (the signed checkpoint, the forwarding)
    settings.configure(app)
    events.subscribe(events.DomainEvent, mapping.record_event)
    views.init_app(app)
    progress_views.init_app(app)
