"""Real nginx (Debian's nginx-light) with docs/nginx.conf in front of the service (gunicorn).

nginx serves the static site itself and asks `GET /auth/request` before any course file. The
same path variants (tests/path_variants.py) go to nginx and to the service's own server (T38).
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from conftest import SITE_FILES
from flask import Flask
from gunicorn_services import start_gunicorn
from path_variants import fetch_raw, gated_variants
from service_launcher import Launched
from site_server import STARTUP_SECONDS, free_port

from auth import enrolment
from auth import service as accounts
from auth.models import Role, User
from quiz_service import create_app
from quiz_service.core import db
from quiz_service.core.security_headers import FRAMED_SITE_POLICY, SERVICE_POLICY, SITE_POLICY

REPO = Path(__file__).parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "құпия-сөз-2026"
LESSON = "/kk/courses/fire-safety/combustion/"
HEADERS_SNIPPET = "/etc/nginx/snippets/oqu-headers.conf"
SECRET = "Жану үшбұрышы"
# The gated course's files of every kind that the tester reached through `//` (issue #10).
GATED_FILES = {
    "kk/courses/fire-safety/combustion/index.html": f"<h1>{SECRET}</h1>",
    "kk/courses/fire-safety/combustion/media/lecture.mp4": f"mp4 {SECRET} " + "0" * 4096,
    "kk/courses/fire-safety/combustion/media/lecture.kk.vtt": f"WEBVTT\n\n00:00.000 --> 00:01.000\n{SECRET}\n",
    "kk/courses/fire-safety/search/search_index.json": json.dumps(
        {"docs": [{"text": SECRET}]}, ensure_ascii=False
    ),
    "kk/courses/fire-safety/_quizzes/check.json": json.dumps({"title": SECRET}, ensure_ascii=False),
}
# A gated course's video renditions, shared by its kk and ru pages (issue 17): not under a
# language folder but under media/courses/<id>/, which the same gate covers.
SHARED_FILES = {
    "media/courses/fire-safety/combustion/media/lecture/240p.mp4": f"mp4 {SECRET} " + "1" * 4096,
}
HASHED_CSS = "assets/stylesheets/main.57a0d79d.min.css"
THEME_JS = "assets/oqu/shell.js"  # named alike across releases
MANIFEST = {
    "version": 1,
    "courses": [
        {"id": "dl-orientation", "access": "open", "title": {"kk": "Қашықтан оқыту"}},
        {"id": "fire-safety", "access": "enrolled", "title": {"kk": "Өрт қауіпсіздігі"}},
    ],
}


def _wait_for(url: str, process: subprocess.Popen[bytes] | Launched, what: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
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


def write_site_with_courses(site_dir: Path, service_dir: Path) -> Path:
    """The gated and open courses, theme files and the bundle's manifest."""
    for name, text in {
        **GATED_FILES,
        **SHARED_FILES,
        "kk/courses/dl-orientation/index.html": "<h1>Қашықтан оқыту</h1>",
        "kk/courses/index.html": "<h1>Курстар</h1>",
        "kk/404.html": "<h1>Бет табылмады (kk)</h1>",
        HASHED_CSS: "body { color: #bf360c; }\n" * 200,
        THEME_JS: "/* оқу */ console.log('plain');\n" * 100,
    }.items():
        (site_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (site_dir / name).write_text(text, encoding="utf-8")
    # gzip_static: a ready .gz beside a file is what nginx sends (told apart here by its text).
    (site_dir / (THEME_JS + ".gz")).write_bytes(gzip.compress(b"/* ready */ console.log('static');\n" * 100))
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")
    return site_dir


@pytest.fixture
def site_with_courses(site_dir: Path, tmp_path: Path) -> Path:
    return write_site_with_courses(site_dir, tmp_path / "build" / "service")


@dataclass(frozen=True)
class Servers:
    nginx: str  # base URL of nginx with docs/nginx.conf
    service: str  # base URL of the service's own server (it serves the site too)

    def __str__(self) -> str:
        return self.nginx


@contextmanager
def running_servers(database_url: str, site: Path, folder: Path) -> Iterator[Servers]:
    """gunicorn (the service) and nginx (docs/nginx.conf) in front of it, on `database_url`."""
    if not Path(NGINX).exists() or not Path("/etc/nginx/proxy_params").exists():
        pytest.fail("nginx is missing: install it with `apt-get install nginx-light` (make system-packages)")
    service_port, nginx_port = free_port(), free_port()
    env = {
        **os.environ,
        "OQU_DATABASE_URL": database_url,
        "OQU_SECRET_KEY": "shared-secret",
        "OQU_SITE_DIR": str(site),
        "OQU_SERVICE_DIR": str(folder / "build" / "service"),
        "OQU_VAR_DIR": str(folder / "var"),
        "OQU_PROXY_HOPS": "1",
    }
    service = start_gunicorn(env, service_port)
    prefix = folder / "nginx"
    prefix.mkdir()
    config = nginx_config(prefix, nginx_port, service_port, site)
    nginx = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(config), "-e", str(prefix / "error.log"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(f"http://127.0.0.1:{service_port}/api/v1/health", service, "gunicorn")
        _wait_for(f"http://127.0.0.1:{nginx_port}/index.html", nginx, "nginx")
        yield Servers(f"http://127.0.0.1:{nginx_port}", f"http://127.0.0.1:{service_port}")
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=STARTUP_SECONDS)


@dataclass(frozen=True)
class ModuleServers:
    servers: Servers
    config: dict[str, Any]  # what they serve, as `app_config` gives it (for the tests' own people)


@pytest.fixture(scope="module")
def module_servers(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModuleServers]:
    """One gunicorn and nginx for the module, on a migrated SQLite database and the site with
    the courses, started once instead of per test. A test that stores people and enrolments adds
    its own (`people`), so no test meets another's; the tests that store nothing share it as is."""
    folder = tmp_path_factory.mktemp("nginx-module")
    database = folder / "oqu.sqlite3"
    shutil.copy(sqlite_template, database)
    site = folder / "build" / "site"
    for name, text in SITE_FILES.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    write_site_with_courses(site, folder / "build" / "service")
    config = {
        "TESTING": True, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "shared-secret",
        "SITE_DIR": site, "SERVICE_DIR": folder / "build" / "service", "VAR_DIR": folder / "var", "REDIS_URL": None,
    }  # fmt: skip
    with running_servers(config["DATABASE_URL"], site, folder) as started:
        yield ModuleServers(started, config)


@pytest.fixture
def servers(module_servers: ModuleServers) -> Servers:
    return module_servers.servers


@pytest.fixture
def behind_nginx(servers: Servers) -> str:
    return servers.nginx


@pytest.fixture
def nginx_storing_nothing(servers: Servers) -> str:
    return servers.nginx


class People:
    """A test's own people in the module's database: every e-mail and group carries the test's
    number (`student-3@oqu.example.kz`, `ТҚ-22-3`), so that tests sharing the servers never meet."""

    def __init__(self, app: Flask, number: int) -> None:
        self.app, self.number = app, number

    def group(self, name: str) -> str:
        return f"{name}-{self.number}"

    def add(self, name: str, domain: str = "oqu.example.kz", **fields: Any) -> User:
        """A user with PASSWORD: a student of the test's ӨҚ-21 unless `fields` say otherwise."""
        values: dict[str, Any] = {
            "role": Role.STUDENT,
            "full_name": "Айгерім Сапарова",
            "group": self.group("ӨҚ-21"),
        }
        values |= fields
        with self.app.app_context(), db.write_transaction() as writer:
            return accounts.create_user(writer, f"{name}-{self.number}@{domain}", password=PASSWORD, **values)

    def enrol(self, course: str, user: User | None = None, group: str | None = None) -> None:
        with self.app.app_context(), db.write_transaction() as writer:
            if user is not None:
                enrolment.enrol(writer, course, user=writer.get_one(User, user.id))
            else:
                enrolment.enrol(writer, course, group=group)


TEST_NUMBERS = itertools.count(1)


@pytest.fixture
def people(module_servers: ModuleServers) -> Iterator[People]:
    app = create_app(module_servers.config)
    yield People(app, next(TEST_NUMBERS))
    app.extensions["oqu_db"].engine.dispose()


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


def test_nginx_auth_request_gates_enrolled_courses(behind_nginx: str, people: People) -> None:
    student = people.add("student")
    outsider = people.add("outsider")
    partner = people.add("partner", "partner.example.kz", role=Role.PARTNER)
    people.enrol("fire-safety", user=student)

    open_course = requests.get(f"{behind_nginx}/kk/courses/dl-orientation/", timeout=10)
    assert open_course.status_code == 200 and "Қашықтан оқыту" in open_course.text

    anonymous = requests.get(f"{behind_nginx}{LESSON}", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 303
    assert anonymous.headers["Location"].endswith(f"/auth/login?next={quote(LESSON, safe='')}&lang=kk")
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


def test_nginx_sends_the_protective_headers(behind_nginx: str, people: People) -> None:
    """Static, theme and gated files carry the site's headers (the course and theme locations add
    their own Cache-Control, which would drop inherited add_header lines); the service's pages
    carry its own."""
    student = people.add("student")
    people.enrol("fire-safety", user=student)
    static = requests.get(f"{behind_nginx}/index.html", timeout=10)
    assert_site_headers(static)
    theme = requests.get(f"{behind_nginx}/{HASHED_CSS}", timeout=10)  # its own Cache-Control too
    assert_site_headers(theme)
    assert theme.headers["Cache-Control"] == "public, max-age=31536000, immutable"
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


def _no_content(base: str, target: str, headers: dict[str, str]) -> list[str]:
    """What went wrong when `target` is asked (a video also with HEAD and Range, as a player
    asks); [] when no content came back."""
    split = urlsplit(base)
    host, port = str(split.hostname), int(split.port or 80)
    failures = []
    ways: tuple[tuple[str, dict[str, str]], ...] = (("GET", {}),)
    if ".mp4" in target:
        ways += (("HEAD", {}), ("GET", {"Range": "bytes=0-40"}))
    for method, extra in ways:
        answer = fetch_raw(host, port, target, method, {**headers, **extra})
        if answer.status in (200, 206) or SECRET.encode() in answer.body:
            failures.append(f"{method} {extra} {target} -> {answer.status}")
    return failures


def test_no_path_variant_opens_a_gated_course(servers: Servers, people: People) -> None:
    """T38: as anonymous, as a partner and as a student of another group, through nginx and
    through the service's own server, no way of writing the path hands out a gated file."""
    reader = people.add("reader", group=people.group("ТҚ-22"))
    other = people.add("other", group=people.group("ӨҚ-21"))
    partner = people.add("partner", "partner.example.kz", role=Role.PARTNER, group=None)
    people.enrol("fire-safety", group=people.group("ТҚ-22"))
    targets = [
        target
        for name in GATED_FILES
        for target in gated_variants("kk", "fire-safety", name.removeprefix("kk/courses/fire-safety/"))
    ]
    targets += [
        target
        for name in SHARED_FILES
        for target in gated_variants("media", "fire-safety", name.removeprefix("media/courses/fire-safety/"))
    ]
    targets.append(f"http://127.0.0.1{LESSON}")  # absolute-form request target
    for base in (servers.nginx, servers.service):
        visitors = {
            "anonymous": {},
            "partner": sign_in(base, partner.email),
            "another group": sign_in(base, other.email),
        }
        for who, headers in visitors.items():
            failures = [failure for target in targets for failure in _no_content(base, target, headers)]
            assert failures == [], (base, who, failures[:10])
        # The student of the enrolled group does read it: the gate is not simply shut.
        readers = sign_in(base, reader.email)
        for name in [*GATED_FILES, *SHARED_FILES]:
            response = requests.get(f"{base}/{name}", headers=readers, timeout=10)
            assert response.status_code == 200 and SECRET in response.text, (base, name)


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)  # nothing here is stored
def test_auth_request_normalises_the_raw_uri_as_nginx_does(client: Any, site_with_courses: Path) -> None:
    """The tester's request: `//kk/...` alone got 204 from /auth/request."""
    for uri in ["//kk/courses/fire-safety/", "/kk//courses/fire-safety/", "/KK/Courses/Fire-Safety/"]:
        assert client.get("/auth/request", headers={"X-Original-URI": uri}).status_code == 401, uri
    for uri in ["/kk/courses/fire-safety\\x/", "/kk/courses/fire-safety/%00", "/kk/courses/%2566/", "kk/x"]:
        assert client.get("/auth/request", headers={"X-Original-URI": uri}).status_code == 403, uri
    assert client.get("/auth/request").status_code == 403  # no header: a proxy set up wrong
    for uri in ["/kk/courses/", "/kk/courses/index.html", "//kk/", "/kk/courses/dl-orientation/a/"]:
        assert client.get("/auth/request", headers={"X-Original-URI": uri}).status_code == 204, uri


def test_the_sign_in_redirect_carries_the_path_encoded(servers: Servers) -> None:
    """Finding 2: nginx put the decoded URI into Location (a CRLF set a cookie; `&`, `#` reached
    `next`). Now the service answers, with the normalised path percent-encoded."""
    split = urlsplit(servers.nginx)
    host, port = str(split.hostname), int(split.port or 80)
    injected = fetch_raw(host, port, "/kk/courses/fire-safety/x%0d%0aSet-Cookie:%20oqu_session=ATTACKER")
    assert injected.status in (400, 403) and b"ATTACKER" not in injected.body
    raw = requests.get(
        f"{servers.nginx}/kk/courses/fire-safety/x%0d%0aSet-Cookie:%20oqu_session=ATTACKER",
        allow_redirects=False, timeout=10,
    )  # fmt: skip
    assert "ATTACKER" not in raw.headers.get("Set-Cookie", "") and "Set-Cookie" not in raw.headers.get(
        "Location", ""
    )
    tricky = "/kk/courses/fire-safety/a%26next=%2F%2Fevil.example%23top%3Flang=ru/ә"
    response = requests.get(f"{servers.nginx}{tricky}", allow_redirects=False, timeout=10)
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    query = parse_qs(location.query)
    expected = "/kk/courses/fire-safety/a&next=/evil.example#top?lang=ru/ә"  # slashes merged
    assert query == {"next": [quote(expected)], "lang": ["kk"]}


def test_teacher_pages_gzip_and_cached_theme_files_behind_nginx(nginx_storing_nothing: str) -> None:
    teach = requests.get(f"{nginx_storing_nothing}/teach/", allow_redirects=False, timeout=10)
    direct = requests.get(f"{nginx_storing_nothing}/api/v1/health", timeout=10)
    assert direct.status_code == 200 and direct.json()["status"] == "ok"
    assert teach.status_code in (302, 303, 401) and "nginx" not in teach.text  # the service answered
    css = requests.get(
        f"{nginx_storing_nothing}/{HASHED_CSS}", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10
    )
    assert css.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(css.raw.read()).decode().startswith("body { color: #bf360c; }")
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "nginx/" not in css.headers.get("Server", "")
    hidden = requests.get(f"{nginx_storing_nothing}/.hidden/config", timeout=10)
    assert hidden.status_code == 404 and "hidden" not in hidden.text


def test_theme_scripts_ready_gzipped_and_revalidated_behind_nginx(
    nginx_storing_nothing: str,
) -> None:
    """Issue 12, item 16: a ready .gz is sent as it is (gzip_static); a theme file whose name does
    not change between releases is cached a day, then revalidated (ETag, 304)."""
    script = requests.get(
        f"{nginx_storing_nothing}/{THEME_JS}", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10
    )
    assert script.status_code == 200 and script.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(script.raw.read()).decode().startswith("/* ready */")
    assert script.headers["Cache-Control"] == "public, max-age=86400, must-revalidate"
    plain = requests.get(
        f"{nginx_storing_nothing}/{THEME_JS}", headers={"Accept-Encoding": "identity"}, timeout=10
    )
    assert plain.text.startswith("/* оқу */") and "Content-Encoding" not in plain.headers
    again = requests.get(
        f"{nginx_storing_nothing}/{THEME_JS}",
        headers={"If-None-Match": plain.headers["ETag"], "Accept-Encoding": "identity"},
        timeout=10,
    )
    assert again.status_code == 304


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)  # nothing here is stored
def test_nginx_sends_every_service_route_to_the_service(app: Flask) -> None:
    """Each route of the service (but the site's own) falls in docs/nginx.conf's service location;
    a new folder of routes (like /teach/ was) cannot be forgotten there."""
    config = (REPO / "docs" / "nginx.conf").read_text(encoding="utf-8")
    found = re.search(r"location ~ (\^/\(api\|[^ ]+) \{\n\s+proxy_pass http://oqu_service;", config)
    assert found is not None
    service_location = re.compile(found.group(1))
    rules = [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint not in {"static_site", "static"}]
    assert rules and [rule for rule in rules if not service_location.match(rule)] == []


def test_a_missing_page_or_course_gets_its_language_folders_404(nginx_storing_nothing: str) -> None:
    for path in ["/kk/жоқ-бет", "/kk/courses/no-such-course/", "/kk/courses/no-such-course/a/"]:
        missing = requests.get(f"{nginx_storing_nothing}{path}", timeout=10, allow_redirects=False)
        assert (missing.status_code, missing.text) == (404, "<h1>Бет табылмады (kk)</h1>"), path
