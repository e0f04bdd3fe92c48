"""Sign-in benchmark: what server-side sessions, gating and the sign-in limits cost per request.

In one process, on a temporary SQLite database (WAL) with a small built site, the Flask test
client measures, interleaved over --repeat rounds (the fastest round is reported):

1. a static page, anonymous (the baseline: one file, no database);
2. the same page with a signed-in session (one SELECT of the session row, one of the user);
3. a lesson of a gated course for an enrolled student (plus the enrolment query);
4. GET /auth/request for nginx (the same decision, no file);
5. a refused sign-in attempt (429: two counters incremented in one write transaction);
6. a sign-in with the right password at the production argon2id cost (RFC 9106 low memory).

Figures are printed as ms per request and as ratios to the baseline; nothing is asserted.

    .venv/bin/python bench/sign_in.py [--requests 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from auth import enrolment, service
from auth.models import Role, User
from quiz_service import create_app
from quiz_service.core import db, migrations

PASSWORD = "құпия-сөз-2026"
LESSON = "/kk/courses/fire-safety/combustion/"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_site(root: Path) -> dict[str, Any]:
    site = root / "site"
    for name in ("kk/index.html", "kk/courses/fire-safety/combustion/index.html"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(
            "<!doctype html><h1>Жану үшбұрышы</h1>" + "<p>мәтін</p>" * 200, encoding="utf-8"
        )
    service_dir = root / "service"
    service_dir.mkdir()
    manifest = {"courses": [{"id": "fire-safety", "access": "enrolled", "title": {"kk": "Өрт"}}]}
    (service_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return {
        "DATABASE_URL": f"sqlite:///{root / 'oqu.sqlite3'}",
        "SECRET_KEY": "bench",
        "SITE_DIR": site,
        "SERVICE_DIR": service_dir,
        "VAR_DIR": root / "var",
        "SESSION_COOKIE_SECURE": False,
        "SIGN_IN_ACCOUNT_LIMIT": 1,
        "SIGN_IN_ADDRESS_LIMIT": 10**9,  # every client here is 127.0.0.1
    }


def signed_in_client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    token = CSRF.search(client.get("/auth/login").text)[1]  # type: ignore[index]
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.status_code
    return client


def per_request(call: Callable[[], Any], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - start) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oqu-bench-auth-") as folder:
        app = create_app(make_site(Path(folder)))
        with app.app_context():
            migrations.upgrade(db.engine())
            with db.write_transaction() as writer:
                student = service.create_user(writer, "bench@oqu.example.kz", Role.STUDENT, password=PASSWORD)
                service.create_user(writer, "locked@oqu.example.kz", Role.STUDENT, password=PASSWORD)
                enrolment.enrol(writer, "fire-safety", user=writer.get_one(User, student.id))
        anonymous = app.test_client()
        student_client = signed_in_client(app, "bench@oqu.example.kz")
        attacker = app.test_client()
        token = CSRF.search(attacker.get("/auth/login").text)[1]  # type: ignore[index]
        refused = {"email": "locked@oqu.example.kz", "password": "қате", "csrf_token": token}
        attacker.post("/auth/login", data=refused)
        attacker.post("/auth/login", data=refused)  # over the limit from now on
        cases: dict[str, tuple[Callable[[], Any], int]] = {
            "static page, anonymous": (lambda: anonymous.get("/kk/"), options.requests),
            "static page, signed in": (lambda: student_client.get("/kk/"), options.requests),
            "gated lesson, enrolled": (lambda: student_client.get(LESSON), options.requests),
            "/auth/request (nginx)": (
                lambda: student_client.get("/auth/request", headers={"X-Original-URI": LESSON}),
                options.requests,
            ),
            "refused sign-in (429)": (lambda: attacker.post("/auth/login", data=refused), options.requests),
            "sign-in, argon2id": (lambda: signed_in_client(app, "bench@oqu.example.kz"), 10),
        }
        best = {name: float("inf") for name in cases}
        for _ in range(options.repeat):
            for name, (call, count) in cases.items():
                best[name] = min(best[name], per_request(call, count))
        print(f"load average {os.getloadavg()[0]:.2f}; best of {options.repeat} rounds")
        baseline = best["static page, anonymous"]
        for name, milliseconds in best.items():
            print(f"{name:26} {milliseconds:8.2f} ms/request  {milliseconds / baseline:6.1f}x baseline")
        app.extensions["oqu_db"].engine.dispose()


if __name__ == "__main__":
    main()
