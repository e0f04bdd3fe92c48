"""T39: a password changed or reset while a thief holds a session or a token.

Every path that sets a password (the profile, an admin's reset link, `oqu users demo`) ends
every other session of the account, revokes its tokens and rotates the current session id.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from auth_helpers import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from auth.models import ApiToken, PasswordReset, Role, SignInEvent, User
from quiz_service.core import db

NEW_PASSWORD = "жаңа-құпиясөз-2026"
DEMO_TEACHER = "a.zhumabayeva@academy.example.kz"  # quiz_service/cli.py DEMO_ACCOUNTS


def signed_in_browser(app: Flask, email: str, password: str = PASSWORD) -> FlaskClient:
    browser = app.test_client()
    page = browser.get("/auth/login")
    fields = {"email": email, "password": password, "csrf_token": csrf_from_form(page.text)}
    assert browser.post("/auth/login", data=fields).status_code == 303
    return browser


def change_on_profile(owner: FlaskClient, run_oqu: Any, app: Flask) -> str:
    csrf = owner.get("/api/v1/me").json["csrf_token"]
    form = {"csrf_token": csrf, "current_password": PASSWORD, "new_password": NEW_PASSWORD}
    done = owner.post("/auth/password", data=form)
    assert done.status_code == 200 and "Басқа құрылғылардағы барлық кіру аяқталды" in done.text
    return NEW_PASSWORD


def reset_by_link(owner: FlaskClient, run_oqu: Any, app: Flask) -> str:
    result = run_oqu("users", "reset-link", DEMO_TEACHER, database_url=app.config["DATABASE_URL"])
    link = result.stdout.strip()
    form = owner.get(link)
    done = owner.post(link, data={"new_password": NEW_PASSWORD, "csrf_token": csrf_from_form(form.text)})
    assert done.status_code == 200 and "Бұрынғы барлық кіру аяқталды" in done.text
    return NEW_PASSWORD


def reset_by_demo_command(owner: FlaskClient, run_oqu: Any, app: Flask) -> str:
    service_dir = Path(app.config["SERVICE_DIR"])
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps({"courses": []}), encoding="utf-8")
    result = run_oqu("users", "demo", database_url=app.config["DATABASE_URL"])
    assert result.exit_code == 0, result.output
    printed = dict(line.split()[1::2] for line in result.stdout.splitlines()[1:])
    return printed[DEMO_TEACHER]


# (how the password is set, whether the browser that set it stays signed in)
PATHS = {
    "profile": (change_on_profile, True),
    "reset-link": (reset_by_link, False),
    "oqu-users-demo": (reset_by_demo_command, False),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_a_new_password_ends_every_other_session_and_token(
    path: str,
    app: Flask,
    make_user: Callable[..., User],
    make_token: Callable[..., str],
    run_oqu: Any,
    site_folder: Path,
) -> None:
    set_password, owner_stays = PATHS[path]
    user = make_user(email=DEMO_TEACHER, role=Role.TEACHER, full_name="Айгерім Жұмабаева", password=PASSWORD)
    owner, thief = signed_in_browser(app, user.email), signed_in_browser(app, user.email)
    stolen_cookie = owner.get_cookie("oqu_session").value  # the thief copied the owner's cookie too
    stolen_token = {"Authorization": f"Bearer {make_token(user)}"}
    assert app.test_client().get("/api/v1/me", headers=stolen_token).status_code == 200
    new_password = set_password(owner, run_oqu, app)

    assert thief.get("/api/v1/me").status_code == 401
    assert app.test_client().get("/api/v1/me", headers=stolen_token).status_code == 401
    replay = app.test_client()
    replay.set_cookie("oqu_session", stolen_cookie)
    assert replay.get("/api/v1/me").status_code == 401
    if owner_stays:
        assert owner.get("/api/v1/me").status_code == 200
        assert owner.get_cookie("oqu_session").value != stolen_cookie  # rotated
    else:
        assert owner.get("/api/v1/me").status_code == 401
    assert signed_in_browser(app, user.email, new_password).get("/api/v1/me").status_code == 200
    with app.app_context():
        reader = db.session()
        assert [token.revoked_at is not None for token in reader.scalars(select(ApiToken))] == [True]
        assert all(reset.used_at is not None for reset in reader.scalars(select(PasswordReset)))
        [line] = reader.scalars(select(SignInEvent).where(SignInEvent.event == "password_set"))
        assert line.user_id == user.id and "1 token(s) revoked" in line.detail


def test_an_unused_reset_link_dies_with_a_changed_password(
    app: Flask, make_user: Callable[..., User], run_oqu: Any
) -> None:
    """A link issued before the owner changed the password cannot undo the change."""
    user = make_user(email=DEMO_TEACHER, role=Role.TEACHER, password=PASSWORD)
    link = run_oqu("users", "reset-link", user.email, database_url=app.config["DATABASE_URL"]).stdout.strip()
    change_on_profile(signed_in_browser(app, user.email), run_oqu, app)
    assert app.test_client().get(link).status_code == 404
