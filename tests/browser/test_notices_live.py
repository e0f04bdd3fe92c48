"""The academic office publishes an order and an urgent announcement in the service; the static
pages, built before, show them at once (no rebuild), and the "My studies" link is in their header."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import site_server
from playwright.sync_api import Page, expect
from site_server import oqu_serving, run_oqu_here

PASSWORD = "кеңсе-2026-құпия"
OFFICE = "qo@academy.example.kz"
HOME = "/kk/"
LESSON = "/kk/courses/dl-orientation/basics/using-this-site/"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def office_served(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A copy of the built example site (nothing rebuilt) served with an admin account."""
    root = tmp_path_factory.mktemp("notices") / "site"
    shutil.copytree(example_site, root, symlinks=True, ignore=shutil.ignore_patterns("var"))
    env = {**os.environ, "OQU_VAR_DIR": str(root / "var")}
    admin = ["users", "add", OFFICE, "--role", "admin", "--name", "Оқу бөлімі", "--password-stdin"]
    run_oqu_here(root, env, [(["db", "upgrade"], None), (admin, PASSWORD + "\n")])
    with oqu_serving(root, env) as base:
        yield base


def test_an_order_and_an_urgent_announcement_reach_the_built_pages_at_once(
    page: Page, office_served: str
) -> None:
    base = office_served
    page.goto(base + LESSON)
    built = page.locator(".md-banner .oqu-dl-banner")
    expect(built).to_contain_text("№ 112-ж")  # the banner the site was built with (site_config.yml)
    site_server.sign_in(page, base, OFFICE, PASSWORD, "/admin/notices?lang=kk")
    page.fill("#number", "130-ж")
    page.fill("#signed_on", "2026-01-05")
    page.fill("#starts_on", "2026-01-05")
    page.fill("#note_kk", "Аяз: сабақтар қашықтан өтеді.")
    page.get_by_role("button", name="Бұйрықты жариялау").click()
    expect(page.get_by_role("status")).to_contain_text("Бұйрық жарияланды")
    page.fill("#title_kk", "Бүгінгі вебинар 15:00-ге ауыстырылды")
    page.fill("#text_kk", "Сілтеме өзгерген жоқ.")
    page.check("#urgent")
    page.get_by_role("button", name="Жариялау", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Хабарландыру жарияланды")

    page.goto(base + LESSON)  # a page built before both
    banner = page.locator(".md-banner details.oqu-dl-banner")  # drawn as main.html draws it
    expect(banner.locator("summary")).to_have_text(
        "Қашықтан оқыту режимі: бастықтың 2026 жылғы 5 қаңтар № 130-ж бұйрығы"
    )
    expect(banner.locator("p")).to_have_text("Аяз: сабақтар қашықтан өтеді.")
    urgent = page.locator(".oqu-urgent")
    expect(urgent).to_contain_text("Бүгінгі вебинар 15:00-ге ауыстырылды")
    expect(urgent).to_have_attribute("role", "status")
    page.goto(base + HOME)
    expect(page.locator("[data-oqu-announcements]")).to_contain_text("Сілтеме өзгерген жоқ.")
    expect(page.locator(".oqu-account__studies")).to_have_text("Менің оқуым")  # signed in: My studies
    page.locator(".oqu-account__studies").click()
    expect(page.locator("h1")).to_have_text("Менің оқуым")
    expect(page.locator(".shell__menu")).to_contain_text("Бұйрықтар мен хабарландырулар")
