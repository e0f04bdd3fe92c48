"""Numbers and times as each language writes them, Flask-Babel in a request, errors in the page's
language (issue 12 #6, #10–#12; issue 11 §5)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import flask_babel
import pytest
import test_quiz_statistics as shared
from auth_helpers import PASSWORD, csrf_from_form
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError

from quiz_service.core import formatting
from quiz_service.core.errors import handle_database_unavailable

app_config, publish, clock = shared.app_config, shared.publish, shared.clock
bearer_of, teacher, class_took_exam = shared.bearer_of, shared.teacher, shared.class_took_exam

ALMATY = ZoneInfo("Asia/Almaty")
MOMENT = dt.datetime(2026, 12, 6, 18, 58, 30, tzinfo=dt.UTC)  # 23:58 in Almaty


@pytest.mark.parametrize(
    ("language", "score", "percent"),
    [
        ("kk", "3,33 / 8 (41,67%)", "-21%"),  # CLDR: a decimal comma, no space before %
        ("ru", "3,33 / 8 (41,67\u00a0%)", "-21\u00a0%"),  # a no-break space before %
        ("en", "3.33 / 8 (41.67%)", "-21%"),
    ],
)
def test_scores_are_written_as_each_language_writes_them(language: str, score: str, percent: str) -> None:
    assert formatting.score(3.3333, 8.0, 41.6667, language) == score
    assert formatting.percent(-21.0, language) == percent
    assert formatting.number(8.0, language) == "8"
    assert formatting.number(2.5, language) == ("2.5" if language == "en" else "2,5")
    assert formatting.number(None, language) == "—"


def test_numbers_group_thousands_by_the_language() -> None:
    assert formatting.number(12345.678, "kk") == "12\u00a0345,68"
    assert formatting.number(12345.678, "ru") == "12\u00a0345,68"
    assert formatting.number(12345.678, "en") == "12,345.68"


def test_a_moment_is_the_zones_wall_clock_time_with_the_zone_named() -> None:
    assert formatting.moment(MOMENT, "kk", ALMATY) == "06.12.2026 23:58 (UTC+5)"
    assert formatting.moment(MOMENT, "ru", ALMATY) == "06.12.2026 23:58 (UTC+5)"
    assert formatting.moment(MOMENT, "en", ALMATY) == "2026-12-06 23:58 (UTC+5)"
    naive = MOMENT.replace(tzinfo=None)  # as SQLite may hand it back: UTC
    assert formatting.moment(naive, "kk", ALMATY) == "06.12.2026 23:58 (UTC+5)"
    india = ZoneInfo("Asia/Kolkata")
    assert formatting.moment(MOMENT, "en", india) == "2026-12-07 00:28 (UTC+5:30)"
    assert formatting.utc_offset(ZoneInfo("America/Sao_Paulo"), MOMENT) == "UTC\u22123"


def test_zones_are_named_in_the_language() -> None:
    assert formatting.zone_label(ALMATY, "kk", MOMENT) == "Астана уақыты (UTC+5)"
    assert formatting.zone_label(ALMATY, "ru", MOMENT) == "время Астаны (UTC+5)"
    assert formatting.zone_label(ALMATY, "en", MOMENT) == "Astana time (UTC+5)"
    # a zone the catalogues do not name: CLDR's city in the language
    assert formatting.zone_label(ZoneInfo("Europe/Moscow"), "kk", MOMENT) == "Мәскеу (UTC+3)"


@pytest.mark.parametrize(
    ("language", "decimal", "title"),
    [("kk", "3,333", "Кіру"), ("ru", "3,333", "Вход"), ("en", "3.333", "Sign in")],
)
def test_flask_babel_knows_the_requests_language_and_our_catalogues(
    app: Flask, language: str, decimal: str, title: str
) -> None:
    with app.test_request_context(f"/auth/login?lang={language}"):
        assert str(flask_babel.get_locale()) == language
        assert flask_babel.format_decimal(3.3333) == decimal
        assert flask_babel.gettext("login.title") == title
        assert str(flask_babel.get_timezone()) == "Asia/Almaty"
        assert flask_babel.format_datetime(MOMENT, "HH:mm") == "23:58"
        assert app.jinja_env.from_string("{{ _('errors.home') }}").render() == flask_babel.gettext(
            "errors.home"
        )


def test_flask_babel_falls_back_per_key_to_the_next_language(app: Flask) -> None:
    from quiz_service.core import i18n

    kk = i18n.catalogue("kk")
    message = kk.get("errors.home")
    saved = message.string
    i18n.translations.cache_clear()
    message.string = ""  # as a key left untranslated in the Kazakh file
    try:
        with app.test_request_context("/?lang=kk"):
            assert flask_babel.gettext("errors.home") == "Главная"  # Russian, the site's next language
    finally:
        message.string = saved
        i18n.translations.cache_clear()


def test_a_bad_time_zone_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, app_config: dict[str, Any]
) -> None:
    from quiz_service.core.config import SettingsError, load_config

    with pytest.raises(SettingsError, match=r"^OQU_TIME_ZONE: .*unknown time zone 'Mars/Olympus'"):
        load_config(environ={"OQU_TIME_ZONE": "Mars/Olympus"})
    assert load_config(environ={"OQU_TIME_ZONE": "Asia/Aqtobe"})["TIME_ZONE"] == "Asia/Aqtobe"


def test_one_time_on_the_teachers_page_and_in_the_csv(
    app: Flask, client: FlaskClient, teacher: dict[str, str], class_took_exam: None
) -> None:
    """The same attempt: the same wall-clock time, the zone named, on the page and in the CSV."""
    page = shared.browser_of(app, shared.TEACHER).get("/teach/fire-safety/exam/?lang=kk")
    assert page.status_code == 200
    shown = set(re.findall(r"\d\d\.\d\d\.\d{4} \d\d:\d\d \(UTC\+5\)", page.text))
    exported = client.get("/api/v1/teach/quizzes/fire-safety/exam/results.csv?lang=kk", headers=teacher)
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0][5:7] == ["Басталды (UTC+5)", "Аяқталды (UTC+5)"]
    started = {dt.datetime.strptime(row[5], "%Y-%m-%d %H:%M:%S") for row in rows[1:]}
    assert shown and {f"{moment:%d.%m.%Y %H:%M} (UTC+5)" for moment in started} <= shown
    assert "UTC</td>" not in page.text and " UTC)" not in page.text


def signed_in(app: Flask, make_user: Any) -> FlaskClient:
    user = make_user(password=PASSWORD)
    browser = app.test_client()
    page = browser.get("/auth/login")
    form = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_from_form(page.text)}
    assert browser.post("/auth/login", data=form).status_code == 303
    return browser


def test_a_course_that_does_not_exist_is_404_to_everyone(
    app: Flask, client: FlaskClient, site_dir: Path, make_user: Any
) -> None:
    (site_dir / "kk").mkdir(exist_ok=True)
    (site_dir / "kk" / "404.html").write_text("<h1>Бет табылмады (kk)</h1>", encoding="utf-8")
    (site_dir / "ru").mkdir(exist_ok=True)
    (site_dir / "ru" / "404.html").write_text("<h1>Страница не найдена (ru)</h1>", encoding="utf-8")
    for visitor in (client, signed_in(app, make_user)):
        answer = visitor.get("/kk/courses/no-such-course/")
        assert (answer.status_code, answer.text) == (404, "<h1>Бет табылмады (kk)</h1>")
        answer = visitor.get("/ru/courses/no-such-course/lesson/")
        assert (answer.status_code, answer.text) == (404, "<h1>Страница не найдена (ru)</h1>")
    # a course folder the manifest does not list yet stays closed: sign in first
    (site_dir / "kk" / "courses" / "new-course").mkdir(parents=True)
    (site_dir / "kk" / "courses" / "new-course" / "index.html").write_text("<h1>Жаңа</h1>", encoding="utf-8")
    assert client.get("/kk/courses/new-course/").status_code == 303
    assert client.get("/kk/courses/NEW-course/").status_code == 303  # as a case-blind disk reads it


def test_without_its_language_folder_a_course_stays_closed(client: FlaskClient) -> None:
    """A service host without the site (nginx serves it) cannot tell a missing course: closed."""
    assert client.get("/en/courses/no-such-course/").status_code == 303


def test_the_database_outage_page_says_try_again_shortly(app: Flask) -> None:
    # test_health_and_errors.py stops the database for real; here: the page that handler shows.
    outage = OperationalError("SELECT 1", {}, Exception("connection refused"))
    for language, words in [
        ("kk", "Біраз уақыттан кейін қайталап көріңіз"),
        ("ru", "Попробуйте ещё раз через минуту"),
        ("en", "Try again shortly"),
    ]:
        with app.test_request_context(f"/teach/?lang={language}"):
            page = handle_database_unavailable(outage)
        page.direct_passthrough = False
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
        text = page.get_data(as_text=True)
        assert words in text and "logged" not in text and "тіркелді" not in text
        assert f'<html lang="{language}">' in text


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("kk", "«Сұрау»: ең көбі 200 таңба болуы керек."),
        ("ru", "«Запрос»: не длиннее 200 симв."),
        ("en", "\u201cQuery\u201d: at most 200 characters."),
    ],
)
def test_validation_errors_speak_the_pages_language(client: FlaskClient, language: str, message: str) -> None:
    answer = client.get(f"/api/v1/search?q={'ө' * 201}&lang={language}")
    assert answer.status_code == 422
    assert answer.json == {"error": {"code": "invalid_request", "message": message}}


def test_validation_errors_without_a_language_stay_pydantics(client: FlaskClient) -> None:
    answer = client.get(f"/api/v1/search?q={'ө' * 201}")
    assert answer.json["error"]["message"] == "q: String should have at most 200 characters"


def test_the_sign_in_history_is_in_the_sites_zone(app: Flask, make_user: Any) -> None:
    now = dt.datetime.now(ALMATY)
    browser = signed_in(app, make_user)
    page = browser.get("/auth/profile?lang=ru").text
    shown = re.findall(r"(\d\d\.\d\d\.\d{4} \d\d:\d\d) \(UTC\+5\)", page)
    assert shown and " UTC</td>" not in page
    signed = dt.datetime.strptime(shown[0], "%d.%m.%Y %H:%M").replace(tzinfo=ALMATY)
    assert abs((signed - now).total_seconds()) < 120  # Almaty's wall clock, not UTC's 5 hours earlier
