"""Protective headers on every response (issue #10, finding 6): every rule of the app, walked
from `app.url_map`, so that a new route is covered the day it is added."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from auth.models import Role, User
from quiz_service.core import security_headers
from quiz_service.core.security_headers import FRAMED_SITE_POLICY, SERVICE_POLICY, SITE_POLICY

REPO = Path(__file__).parents[2]
ARGUMENT = re.compile(r"<(?:(?P<converter>[a-z]+):)?(?P<name>\w+)>")
SAMPLE_VALUES = {"int": "1", "sitepath": "index.html", "path": "index.html"}
METHODS = ("GET", "POST", "PUT", "DELETE")


def sample_url(rule: Rule) -> str:
    """The rule with every argument filled in: 1 for numbers, a Kazakh word for the rest."""
    return ARGUMENT.sub(lambda match: SAMPLE_VALUES.get(match["converter"] or "", "өрт"), rule.rule)


def every_request(app: Flask) -> Iterator[tuple[str, str, str]]:
    """(method, url, endpoint) for every method of every rule of the app."""
    for rule in app.url_map.iter_rules():
        for method in sorted(set(METHODS) & (rule.methods or set())):
            yield method, sample_url(rule), rule.endpoint


ENDPOINT_POLICIES: dict[str, str] = {}  # the app's own (set_endpoint_policy), filled by the test


def check_headers(response: Any, endpoint: str, where: str) -> None:
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff", where
    assert headers["Referrer-Policy"] == "same-origin", where
    if endpoint == security_headers.SITE_ENDPOINT:
        assert headers["Content-Security-Policy"] == SITE_POLICY, where
        assert headers["X-Frame-Options"] == "SAMEORIGIN", where
        assert headers["Cache-Control"], where  # the site's own choice, or no-store
    else:
        # a page that names its own policy (set_endpoint_policy: proctoring's camera page, its
        # sandboxed recordings) still gets one with default-src 'none'
        own = ENDPOINT_POLICIES.get(endpoint, SERVICE_POLICY)
        assert headers["Content-Security-Policy"] == own, where
        assert headers["Content-Security-Policy"].startswith("default-src 'none'"), where
        assert headers["X-Frame-Options"] == "DENY", where
        assert headers["Cache-Control"] == "no-store", where


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_every_route_answers_with_the_protective_headers(
    who: str, app: Flask, client: FlaskClient, make_user: Callable[..., User], sign_in: Callable[..., Any]
) -> None:
    if who == "admin":
        make_user(email="admin@oqu.example.kz", role=Role.ADMIN, full_name="Ержан Әбдірахманов",
                  password="құпия-сөз-2026")  # fmt: skip
        assert sign_in("admin@oqu.example.kz").status_code == 303
    requests = list(every_request(app))
    ENDPOINT_POLICIES.update(app.extensions.get("oqu_endpoint_policies", {}))
    # every rule's address is asked (rules that differ only in their methods share one)
    assert len({url for _, url, _ in requests}) == len({rule.rule for rule in app.url_map.iter_rules()})
    statuses = set()
    for method, url, endpoint in requests:
        response = client.open(url, method=method)
        statuses.add(response.status_code)
        check_headers(response, endpoint, f"{who} {method} {url} -> {response.status_code}")
    assert 200 in statuses and statuses & {400, 401, 403, 404}


def test_site_files_keep_their_own_caching(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.headers["Cache-Control"] == "no-cache"  # revalidated, not stored
    assert client.get("/assets/site.css").headers["Content-Security-Policy"] == SITE_POLICY
    missing = client.get("/жоқ-бет/")
    assert missing.status_code == 404 and missing.headers["Content-Security-Policy"] == SITE_POLICY


def test_unknown_urls_and_service_errors_get_the_service_policy(client: FlaskClient) -> None:
    for response in (client.get("/api/v1/жоқ"), client.post("/"), client.get("/auth/жоқ")):
        assert response.status_code in {404, 405}
        assert response.headers["Content-Security-Policy"] == SERVICE_POLICY
        assert response.headers["Cache-Control"] == "no-store"


def test_hsts_only_over_https(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/api/v1/health").headers
    secure = client.get("/api/v1/health", base_url="https://oqu.example.kz")
    assert secure.headers["Strict-Transport-Security"] == security_headers.HSTS


def test_a_framed_site_document_runs_sandboxed(client: FlaskClient) -> None:
    """The builder's interactive exports are framed; they may bring inline scripts, sandboxed."""
    framed = client.get("/index.html", headers={"Sec-Fetch-Dest": "iframe"})
    policy = framed.headers["Content-Security-Policy"]
    assert policy == FRAMED_SITE_POLICY and policy.startswith("sandbox allow-scripts")
    assert "allow-same-origin" not in policy and "frame-ancestors 'self'" in policy
    service_page = client.get("/auth/login", headers={"Sec-Fetch-Dest": "iframe"})
    assert service_page.headers["Content-Security-Policy"] == SERVICE_POLICY


def test_the_site_policy_allows_no_inline_script_but_materials() -> None:
    directives = dict(part.split(" ", 1) for part in SITE_POLICY.split("; "))
    assert (
        "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    )
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'self'"
    assert "'none'" in SERVICE_POLICY.split("frame-ancestors ", 1)[1]
    # no page compiles WebAssembly: only the proctoring model's worker does, under its own policy
    assert "wasm-unsafe-eval" not in SITE_POLICY and "wasm-unsafe-eval" not in SERVICE_POLICY


def nginx_headers() -> dict[str, str]:
    """The `add_header NAME "VALUE" always;` lines of docs/nginx-headers.conf."""
    text = (REPO / "docs" / "nginx-headers.conf").read_text(encoding="utf-8")
    return dict(re.findall(r'^\s*add_header\s+(\S+)\s+"?([^";]*)"?\s+always;', text, re.MULTILINE))


def nginx_policies() -> dict[str, str]:
    """The values of docs/nginx.conf's `map $http_sec_fetch_dest $oqu_site_csp`."""
    text = (REPO / "docs" / "nginx.conf").read_text(encoding="utf-8")
    block = text.split("map $http_sec_fetch_dest $oqu_site_csp {", 1)[1].split("}", 1)[0]
    return dict(re.findall(r'^\s*(\S+)\s+"([^"]*)";', block, re.MULTILINE))


def test_nginx_sends_the_same_headers() -> None:
    """docs/nginx.conf and nginx-headers.conf carry the service's policies, word for word."""
    assert nginx_policies() == {"default": SITE_POLICY, "iframe": FRAMED_SITE_POLICY}
    headers = nginx_headers()
    assert headers["Content-Security-Policy"] == "$oqu_site_csp"
    assert headers["Referrer-Policy"] == security_headers.COMMON_HEADERS["Referrer-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Strict-Transport-Security"] == security_headers.HSTS
