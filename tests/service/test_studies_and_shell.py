"""The service's pages wear the site's header, the sign-in page says why and where to get help,
and "My studies" gathers a student's courses, next classes, deadlines and quizzes (issue 12)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from auth_helpers import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient
from quiz_bundle import ServerClock, publish_gift_quiz

from auth import enrolment
from auth.models import Role, User
from quiz_service.core import db

NOW = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 09:00 in Astana
SITE = {
    "name": {"kk": "ТЖМ Академиясы — қашықтан оқыту", "ru": "Академия МЧС — дистанционное обучение"},
    "institution": {"kk": "Азаматтық қорғау академиясы", "ru": "Академия гражданской защиты"},
    "contact_email": "qo@academy.example.kz",
}
COURSES = [
    {"id": "dl-orientation", "access": "open", "title": {"kk": "Қашықтан оқытуға кіріспе"}},
    {
        "id": "fire-safety",
        "access": "enrolled",
        "title": {"kk": "Өрт қауіпсіздігінің негіздері", "ru": "Основы пожарной безопасности"},
        "teachers": ["n.abdrakhmanov@academy.example.kz"],
        "schedule": [
            {
                "id": "webinar-1",
                "start": "2026-12-09T10:00:00+05:00",
                "duration": 90,
                "title": {"kk": "Жану үшбұрышы: вебинар"},
            },
            {  # over a week ago: not "next"
                "id": "webinar-0",
                "start": "2026-11-25T10:00:00+05:00",
                "duration": 90,
                "title": {"kk": "Кіріспе вебинар"},
            },
        ],
        "lessons": [
            {
                "id": "combustion",
                "title": {"kk": "Жану процесі"},
                "due": "2026-12-05",
                "urls": {"kk": "kk/courses/fire-safety/combustion/"},
            },
            {
                "id": "extinguishing",
                "title": {"kk": "Өрт сөндіру құралдары"},
                "due": "2026-12-12",
                "urls": {"kk": "kk/courses/fire-safety/extinguishing/"},
            },
            {"id": "far-away", "title": {"kk": "Алыс сабақ"}, "due": "2027-05-01", "urls": {}},
        ],
    },
]
BANK = """\
// [id:gas]
Тұрмыстық газдың жануы қай сыныпқа жатады? {=C ~A ~B}
"""


@pytest.fixture
def database_kind() -> str:
    return "sqlite"  # pages and the bundle: the database queries are the enrolment's, tested on both


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    service: Path = app_config["SERVICE_DIR"]
    service.mkdir(parents=True, exist_ok=True)
    manifest = {"version": 1, "site": SITE, "courses": COURSES}
    (service / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    publish_gift_quiz(service, BANK, quiz_id="combustion-check", title="Жану: өзін-өзі тексеру", attempts=2)
    return app_config


@pytest.fixture
def clock(app: Flask) -> ServerClock:
    clock = ServerClock(NOW)
    app.extensions["oqu_clock"] = clock
    return clock


@pytest.fixture
def signed_in(app: Flask, make_user: Callable[..., User]) -> Callable[..., FlaskClient]:
    def make(**fields: Any) -> FlaskClient:
        user = make_user(password=PASSWORD, **fields)
        browser = app.test_client()
        form = {
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": csrf_from_form(browser.get("/auth/login").text),
        }
        assert browser.post("/auth/login", data=form).status_code == 303
        browser.user = user  # type: ignore[attr-defined]
        return browser

    return make


def enrol(app: Flask, user: User, course: str = "fire-safety") -> None:
    with app.app_context(), db.write_transaction() as writer:
        enrolment.enrol(writer, course, user=writer.get_one(User, user.id))


def menu(html: str) -> list[str]:
    block = html.split('class="shell__menu"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r">([^<>]+)</a>", block)


def test_a_service_page_wears_the_site_header_and_footer(client: FlaskClient) -> None:
    page = client.get("/auth/login?lang=kk").text
    assert "<title>Кіру · ТЖМ Академиясы — қашықтан оқыту</title>" in page
    assert '<a class="shell__home" href="/kk/">ТЖМ Академиясы — қашықтан оқыту</a>' in page
    assert 'action="/kk/find/"' in page  # the header search asks the site-wide search page
    assert menu(page) == ["Курстар каталогы"]  # signed out: the catalogue only
    assert 'href="mailto:qo@academy.example.kz"' in page and "Азаматтық қорғау академиясы" in page
    russian = client.get("/auth/login?lang=ru").text
    assert "Академия МЧС — дистанционное обучение" in russian and 'action="/ru/find/"' in russian
    assert ">oqu<" not in page and ">oqu<" not in russian  # no second brand


def test_the_menu_follows_who_is_signed_in(signed_in: Callable[..., FlaskClient]) -> None:
    student = signed_in(full_name="Айгерім Сапарова")
    page = student.get("/auth/profile?lang=kk").text
    assert menu(page) == ["Курстар каталогы", "Менің оқуым"]
    assert (
        '<a class="shell__account shell__account--user" href="/auth/profile?lang=kk">Айгерім Сапарова</a>'
        in page
    )
    teacher = signed_in(
        role=Role.TEACHER, email="n.abdrakhmanov@academy.example.kz", full_name="Нұрлан Әбдірахманов"
    )
    assert menu(teacher.get("/my/?lang=ru").text) == [
        "Каталог курсов",
        "Моё обучение",
        "Инструменты преподавателя",
        "Мониторинг",  # the footprint's monitoring (issue 13)
    ]


def test_the_sign_in_page_names_the_course_it_opens_and_where_to_get_help(client: FlaskClient) -> None:
    closed = client.get("/auth/login?lang=kk&next=/kk/courses/fire-safety/combustion/").text
    assert "«Өрт қауіпсіздігінің негіздері» курсы тек тіркелген білім алушыларға ашық" in closed
    russian = client.get("/auth/login?lang=ru&next=/ru/courses/fire-safety/").text
    assert "Курс «Основы пожарной безопасности» открыт только для зачисленных" in russian
    for elsewhere in (
        "/kk/courses/dl-orientation/",
        "/kk/courses/no-such-course/",
        "/kk/",
        "https://evil.example/",
    ):
        page = client.get("/auth/login", query_string={"lang": "kk", "next": elsewhere}).text
        assert 'class="why"' not in page, elsewhere  # an open course needs no sign-in
    assert "Құпиясөзді ұмыттыңыз ба?" in closed and "mailto:qo@academy.example.kz" in closed


def test_my_studies_gathers_courses_classes_deadlines_and_quizzes(
    app: Flask, signed_in: Callable[..., FlaskClient], clock: ServerClock
) -> None:
    student = signed_in()
    enrol(app, student.user)  # type: ignore[attr-defined]
    token = student.get("/api/v1/me").get_json()["csrf_token"]
    started = student.post(
        "/api/v1/quizzes/fire-safety/combustion-check/attempts", json={}, headers={"X-CSRF-Token": token}
    )
    assert started.status_code == 201, started.text
    page = student.get("/my/?lang=kk")
    assert page.status_code == 200
    html = page.text
    assert '<a href="/kk/courses/fire-safety/">Өрт қауіпсіздігінің негіздері</a>' in html
    assert "Қашықтан оқытуға кіріспе" not in html  # not enrolled: an open course is not "mine"
    # the next class, in Astana time with the zone named; the class of 25 November is gone
    assert "Жану үшбұрышы: вебинар — Өрт қауіпсіздігінің негіздері" in html
    assert "9 желтоқсан, 10:00 (Астана уақыты, UTC+5)" in html
    assert "Кіріспе вебинар" not in html
    # deadlines: one passed two days ago (marked), one in five days; one months away is not shown
    assert html.index("Жану процесі") < html.index("Өрт сөндіру құралдары")
    assert "мерзімі өтті" in html and "Алыс сабақ" not in html
    # the quiz: the attempt in progress and the attempts used of those allowed
    assert "Жану: өзін-өзі тексеру" in html
    assert "аяқталмаған талпыныс" in html and "талпыныс: 1 / 2" in html
    # the schedules' panel: the student's own schedule; no plan without a curriculum for the group
    assert '<a href="/schedules/?lang=kk">Менің сабақ кестем</a>' in html
    assert "Жеке оқу жоспары" not in html


def test_my_studies_without_a_course_points_to_the_catalogue(
    signed_in: Callable[..., FlaskClient], clock: ServerClock
) -> None:
    html = signed_in().get("/my/?lang=ru").text
    assert "Вы ещё не зачислены ни на один курс" in html
    assert '<a href="/ru/courses/">Каталог курсов</a>' in html
    assert "Основы пожарной безопасности" not in html.split("<main", 1)[1]


def test_my_studies_sends_a_signed_out_visitor_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/my/?lang=kk")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=/my/")
