"""A student signs in through the institution's (real, loopback) OIDC provider in Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from oidc_provider import OidcProvider, free_port
from playwright.sync_api import Page, expect
from site_server import oqu_serving, run_oqu_here, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore:The 'grant' parameter")]

GROUP = "ӨҚ-22"


@pytest.fixture(scope="module")
def sso_served(
    example_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, OidcProvider]]:
    """`oqu serve` with its own database, signing in through a provider on loopback."""
    provider = OidcProvider().start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    provider.add_client("oqu-browser", "browser-secret", f"{base}/auth/oidc/callback")
    provider.sign_in_as("kc-9b2e", email="dana@oqu.example.kz", name="Дана Әбілқызы", groups=[GROUP])
    env = {
        **os.environ,
        "OQU_VAR_DIR": str(tmp_path_factory.mktemp("sso-var")),
        "OQU_OIDC_ISSUER": provider.issuer,
        "OQU_OIDC_CLIENT_ID": "oqu-browser",
        "OQU_OIDC_CLIENT_SECRET": "browser-secret",
        "OQU_OIDC_GROUP_CLAIM": "groups",
    }
    run_oqu_here(
        example_site,
        env,
        [(["db", "upgrade"], None), (["enrol", "add", "fire-safety", "--group", GROUP], None)],
    )
    try:
        with oqu_serving(example_site, env, port) as served_base:
            yield served_base, provider
    finally:
        provider.stop()


def test_student_signs_in_with_sso_and_reads_the_enrolled_course(
    page: Page, sso_served: tuple[str, OidcProvider]
) -> None:
    base, provider = sso_served
    page.goto(base + "/kk/courses/dl-orientation/")
    sign_in = page.locator(".md-header .oqu-account__sign-in")
    expect(sign_in).to_have_text("Кіру")  # account.js: signed out, on an open course

    page.goto(base + "/kk/courses/fire-safety/")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    page.get_by_role("link", name="Оқу орнының аккаунтымен кіру").click()

    expect(page).to_have_url(re.compile(r"/kk/courses/fire-safety/$"))
    expect(page.locator(".md-header .oqu-account__user")).to_have_text("Дана Әбілқызы")
    assert provider.authorize_requests[-1]["code_challenge_method"] == "S256"

    page.locator(".md-header .oqu-account__user").click()
    expect(page.locator("h1")).to_have_text("Менің профилім")
    expect(page.locator("dl")).to_contain_text(GROUP)
    expect(page.locator("tbody tr").first).to_contain_text("оқу орнының аккаунты")


@pytest.fixture(scope="module")
def static_only(example_site: Path) -> Iterator[str]:
    """The built site on a plain web server: no service behind /api/."""
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    process = subprocess.Popen(
        command, cwd=example_site / "build" / "site", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/kk/", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_without_the_service_the_header_is_unchanged(page: Page, static_only: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with page.expect_response(re.compile(r"/api/v1/me$")) as asked:
        page.goto(static_only + "/kk/courses/dl-orientation/")
    assert asked.value.status == 404  # the plain server has no API
    expect(page.locator("h1").first).to_be_visible()
    expect(page.locator("[data-oqu-account]")).to_be_hidden()
    assert page.locator(".md-header .oqu-account__sign-in, .md-header .oqu-account__user").count() == 0
    assert errors == []
