"""The built site at `/`: index pages, the site's 404 page, content types, no escape."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient


def test_root_and_folders_serve_their_index(client: FlaskClient) -> None:
    root = client.get("/")
    assert root.status_code == 200
    assert root.text == "<!doctype html><title>Басты бет</title><h1>Курстар</h1>"
    assert root.content_type == "text/html; charset=utf-8"
    course = client.get("/courses/fire-safety/")
    assert (course.status_code, course.text) == (200, "<h1>Өрт қауіпсіздігі</h1>")


def test_a_folder_without_slash_redirects(client: FlaskClient) -> None:
    response = client.get("/courses/fire-safety?lang=ru")
    assert response.status_code == 301
    assert response.headers["Location"] == "/courses/fire-safety/?lang=ru"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/assets/site.css", "text/css; charset=utf-8"),
        ("/assets/site.js", "text/javascript; charset=utf-8"),
        ("/assets/logo.svg", "image/svg+xml; charset=utf-8"),
    ],
)
def test_content_types(client: FlaskClient, path: str, content_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.content_type == content_type


def test_missing_files_get_the_sites_404_page(client: FlaskClient) -> None:
    response = client.get("/courses/no-such-course/")
    assert response.status_code == 404
    assert response.text == "<!doctype html><title>404</title><h1>Бет табылмады (сайт)</h1>"


def test_without_a_404_page_the_service_answers(client: FlaskClient, site_dir: Path) -> None:
    (site_dir / "404.html").unlink()
    response = client.get("/missing.html?lang=ru")
    assert response.status_code == 404
    assert "<h1>Страница не найдена</h1>" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/courses/../../secret.txt",
        "/courses/..%2f..%2fsecret.txt",
        "/.hidden/config",
    ],
)
def test_nothing_outside_the_site_or_hidden_is_served(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "SECRET" not in response.text
    assert "hidden" not in response.text


def test_traversal_in_the_raw_request_path(client: FlaskClient) -> None:
    response = client.get("/", environ_overrides={"PATH_INFO": "/../secret.txt"})
    assert response.status_code == 404
    assert "SECRET" not in response.text


def test_the_service_folders_are_never_the_sites(client: FlaskClient, site_dir: Path) -> None:
    for folder in ("api", "auth"):
        (site_dir / folder).mkdir()
        (site_dir / folder / "index.html").write_text("from the site", encoding="utf-8")
    assert client.get("/api/").json["error"]["code"] == "not_found"
    assert "from the site" not in client.get("/auth/").text


def test_only_reading_methods(client: FlaskClient) -> None:
    assert client.post("/").status_code == 405
    assert client.head("/assets/site.css").status_code == 200
