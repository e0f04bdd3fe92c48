"""Real nginx (Debian's nginx-light) with docs/nginx.conf in front of the service (gunicorn).

nginx serves the static site itself and asks `GET /auth/request` before any course file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from oidc_provider import free_port

from auth import enrolment
from auth.models import Role, User
from quiz_service import db
from quiz_service.security_headers import FRAMED_SITE_POLICY, SERVICE_POLICY, SITE_POLICY

REPO = Path(__file__).parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "құпия-сөз-2026"
LESSON = "/kk/courses/fire-safety/combustion/"
HEADERS_SNIPPET = "/etc/nginx/snippets/oqu-headers.conf"
MANIFEST = {
    "version": 1,
    "courses": [
        {"id": "dl-orientation", "access": "open", "title": {"kk": "Қашықтан оқыту"}},
        {"id": "fire-safety", "access": "enrolled", "title": {"kk": "Өрт қауіпсіздігі"}},
    ],
}


def _wait_for(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{what} did not answer {url}")


def nginx_config(prefix: Path, listen: int, service: int, site: Path) -> Path:
    """docs/nginx.conf, with its three marked lines set, inside a minimal main config."""
    server = (REPO / "docs" / "nginx.conf").read_text(encoding="utf-8")
    server = server.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{service};")
    server = server.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    server = server.replace("root /srv/oqu/build/site;", f"root {site};")
    assert str(site) in server and f":{listen};" in server and f":{service};" in server
    headers = prefix / "oqu-headers.conf"  # docs/nginx-headers.conf, where nginx.conf includes it
    shutil.copy(REPO / "docs" / "nginx-headers.conf", headers)
    assert HEADERS_SNIPPET in server
    (prefix / "oqu.conf").write_text(server.replace(HEADERS_SNIPPET, str(headers)), encoding="utf-8")
    # As root, nginx's workers would switch to `nobody`, who cannot read pytest's 0700 folders.
    user = "user root;" if os.geteuid() == 0 else ""
    main = f"""
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/oqu.conf;
}}
"""
    path = prefix / "nginx.conf"
    path.write_text(main, encoding="utf-8")
    return path


@pytest.fixture
def site_with_courses(site_dir: Path, tmp_path: Path) -> Path:
    for name, text in {
        "kk/courses/fire-safety/combustion/index.html": "<h1>Жану үшбұрышы</h1>",
        "kk/courses/dl-orientation/index.html": "<h1>Қашықтан оқыту</h1>",
    }.items():
        (site_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (site_dir / name).write_text(text, encoding="utf-8")
    service_dir = tmp_path / "build" / "service"
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")
    return site_dir


@pytest.fixture
def behind_nginx(database_url: str, site_with_courses: Path, tmp_path: Path) -> Iterator[str]:
    if not Path(NGINX).exists() or not Path("/etc/nginx/proxy_params").exists():
        pytest.fail("nginx is missing: install it with `apt-get install nginx-light` (make system-packages)")
    service_port, nginx_port = free_port(), free_port()
    env = {
        **os.environ,
        "OQU_DATABASE_URL": database_url,
        "OQU_SECRET_KEY": "shared-secret",
        "OQU_SITE_DIR": str(site_with_courses),
        "OQU_SERVICE_DIR": str(tmp_path / "build" / "service"),
        "OQU_VAR_DIR": str(tmp_path / "var"),
        "OQU_PROXY_HOPS": "1",
    }
    command = [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "4", "-b",
               f"127.0.0.1:{service_port}", "quiz_service:create_app()"]  # fmt: skip
    service = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    config = nginx_config(prefix, nginx_port, service_port, site_with_courses)
    nginx = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(config), "-e", str(prefix / "error.log"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(f"http://127.0.0.1:{service_port}/api/v1/health", service, "gunicorn")
        _wait_for(f"http://127.0.0.1:{nginx_port}/index.html", nginx, "nginx")
        yield f"http://127.0.0.1:{nginx_port}"
    finally:
        for process in (nginx, service):
            process.terminate()
            process.wait(timeout=10)


def sign_in(base: str, email: str) -> dict[str, str]:
    """Sign in through nginx; the Cookie header to send (the cookie is Secure: sent by hand)."""
    page = requests.get(f"{base}/auth/login", timeout=10)
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = requests.post(
        f"{base}/auth/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 303, response.text
    return {"Cookie": response.headers["Set-Cookie"].split(";", 1)[0]}


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_nginx_auth_request_gates_enrolled_courses(
    behind_nginx: str, make_user: Callable[..., User], app: Flask
) -> None:
    student = make_user(email="student@oqu.example.kz", password=PASSWORD)
    outsider = make_user(email="outsider@oqu.example.kz", password=PASSWORD)
    partner = make_user(email="partner@partner.example.kz", role=Role.PARTNER, password=PASSWORD)
    with app.app_context(), db.write_transaction() as writer:
        enrolment.enrol(writer, "fire-safety", user=writer.get_one(User, student.id))

    open_course = requests.get(f"{behind_nginx}/kk/courses/dl-orientation/", timeout=10)
    assert open_course.status_code == 200 and "Қашықтан оқыту" in open_course.text

    anonymous = requests.get(f"{behind_nginx}{LESSON}", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 303
    assert anonymous.headers["Location"].endswith(f"/auth/login?next={LESSON}")
    assert "Жану" not in anonymous.text

    tricks = [
        "/kk/courses/dl-orientation/../fire-safety/combustion/",
        "/kk/courses/%66ire-safety/combustion/",
    ]
    for trick in tricks:
        response = requests.get(f"{behind_nginx}{trick}", allow_redirects=False, timeout=10)
        assert response.status_code == 303 and "Жану" not in response.text, trick

    reader = requests.get(f"{behind_nginx}{LESSON}", headers=sign_in(behind_nginx, student.email), timeout=10)
    assert reader.status_code == 200 and "Жану үшбұрышы" in reader.text
    assert reader.headers["Cache-Control"] == "private, no-cache"

    for email in (outsider.email, partner.email):
        refused = requests.get(f"{behind_nginx}{LESSON}", headers=sign_in(behind_nginx, email), timeout=10)
        assert refused.status_code == 403, email
        assert "Курс тіркелген білім алушыларға ғана ашық" in refused.text and "Жану" not in refused.text

    me = requests.get(f"{behind_nginx}/api/v1/me", headers=sign_in(behind_nginx, student.email), timeout=10)
    assert me.json()["user"]["email"] == student.email


def assert_site_headers(response: requests.Response, policy: str = SITE_POLICY) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == policy
    assert headers["Referrer-Policy"] == "same-origin" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert headers["Server"] == "nginx"  # server_tokens off: no version


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_nginx_sends_the_protective_headers(
    behind_nginx: str, make_user: Callable[..., User], app: Flask
) -> None:
    """Static and gated pages carry the site's headers (the course location adds its own
    Cache-Control, which would drop inherited add_header lines); the service's pages its own."""
    student = make_user(email="student@oqu.example.kz", password=PASSWORD)
    with app.app_context(), db.write_transaction() as writer:
        enrolment.enrol(writer, "fire-safety", user=writer.get_one(User, student.id))
    static = requests.get(f"{behind_nginx}/index.html", timeout=10)
    assert_site_headers(static)
    assert_site_headers(requests.get(f"{behind_nginx}/жоқ-бет", timeout=10))  # the site's 404 page
    gated = requests.get(f"{behind_nginx}{LESSON}", headers=sign_in(behind_nginx, student.email), timeout=10)
    assert gated.status_code == 200 and gated.headers["Cache-Control"] == "private, no-cache"
    assert_site_headers(gated)
    framed = requests.get(f"{behind_nginx}/index.html", headers={"Sec-Fetch-Dest": "iframe"}, timeout=10)
    assert_site_headers(framed, FRAMED_SITE_POLICY)
    service_page = requests.get(f"{behind_nginx}/auth/login", timeout=10)
    assert service_page.headers["Content-Security-Policy"] == SERVICE_POLICY
    assert (
        service_page.headers["X-Frame-Options"] == "DENY"
        and service_page.headers["Cache-Control"] == "no-store"
    )
