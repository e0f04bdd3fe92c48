"""Assignments on SQLite and PostgreSQL: uploads checked by content (T30), object access (T03),
the late policy at its edges with the service's clock, versions that never change, extensions,
rubric grading with its history and release."""
# ruff: noqa: F811

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from assignment_fixtures import (  # noqa: F401 (fixtures, imported by name)
    CUT_OFF,
    DUE,
    Clock,
    People,
    app_config,
    clock,
    docx_bytes,
    huge_png_header,
    pdf_bytes,
    people,
    png_bytes,
    zip_bytes,
)
from flask import Flask
from flask.testing import FlaskClient

from quiz_service.assignments.models import Submission
from quiz_service.core import db
from quiz_service.core.domain import Conflict

BASE = "/api/v1/assignments/fire-safety/evacuation-plan"
REPORT = "/api/v1/assignments/fire-safety/report"
TEACH = "/api/v1/teach/assignments/fire-safety/evacuation-plan"


def upload(client: FlaskClient, headers: dict[str, str], data: bytes, name: str, url: str = BASE) -> Any:
    return client.post(
        f"{url}/draft/files",
        data={"file": (__import__("io").BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def write(client: FlaskClient, headers: dict[str, str], text: str, url: str = BASE) -> Any:
    return client.put(f"{url}/draft", json={"text": text}, headers=headers)


def hand_in(client: FlaskClient, headers: dict[str, str], url: str = BASE) -> Any:
    return client.post(f"{url}/submit", headers=headers)


def error_code(response: Any) -> tuple[int, str]:
    return response.status_code, response.json["error"]["code"]


# -- uploads (T30) --------------------------------------------------------------------------------


def test_a_file_is_judged_by_its_content_not_its_name(
    client: FlaskClient, people: People, app: Flask
) -> None:
    disguised = upload(client, people.student, b"<html><script>alert(1)</script></html>", "plan.pdf")
    assert error_code(disguised) == (422, "file_type")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert error_code(upload(client, people.student, svg, "plan.png")) == (422, "file_type")
    archive = upload(client, people.student, zip_bytes(), "plan.docx")
    assert error_code(archive) == (422, "file_archive")
    renamed = upload(client, people.student, pdf_bytes(), "жоспар.exe")
    assert renamed.status_code == 201, renamed.json
    assert renamed.json["name"] == "жоспар.exe.pdf" and renamed.json["media_type"] == "application/pdf"
    polyglot = png_bytes() + b"<html><script>alert(1)</script></html>"
    image = upload(client, people.student, polyglot, "plan.html")
    assert image.status_code == 201 and image.json["media_type"] == "image/png"
    served = client.get(image.json["url"], headers=people.student)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert (
        "default-src 'none'" in served.headers["Content-Security-Policy"]
    )  # the service's own, for every answer


def test_oversize_too_many_and_bombs_are_refused(client: FlaskClient, people: People) -> None:
    too_big = upload(client, people.student, pdf_bytes("x" * (1024 * 1024 + 10)), "big.pdf")
    assert error_code(too_big) == (413, "file_too_large")
    far_too_big = upload(client, people.student, pdf_bytes("x" * (3 * 1024 * 1024)), "bigger.pdf")
    assert far_too_big.status_code == 413  # the body is refused before it is read
    pixels = upload(client, people.student, huge_png_header(), "plan.png")
    assert error_code(pixels) == (422, "file_pixels")
    bomb = upload(client, people.student, docx_bytes(b"0" * 50_000_000), "bomb.docx")
    assert error_code(bomb) == (422, "file_bomb")
    assert upload(client, people.student, docx_bytes(), "analysis.docx").status_code == 201
    assert upload(client, people.student, png_bytes(), "plan.png").status_code == 201
    third = upload(client, people.student, pdf_bytes(), "third.pdf")
    assert error_code(third) == (422, "too_many_files")


def test_names_with_paths_are_cleaned_and_files_stored_under_server_names(
    client: FlaskClient, people: People, app: Flask
) -> None:
    sent = upload(client, people.student, pdf_bytes(), "../../../etc/жоспар.pdf")
    assert sent.status_code == 201, sent.json
    assert sent.json["name"] == "жоспар.pdf"
    upload_dir = Path(app.config["UPLOAD_DIR"])
    stored = [p for p in upload_dir.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == pdf_bytes()
    assert len(stored[0].name) == 32 and all(c in "0123456789abcdef" for c in stored[0].name)
    site = Path(app.config["SITE_DIR"]).resolve()
    assert site not in stored[0].resolve().parents


def test_clean_names() -> None:
    from quiz_service.assignments.uploads import clean_name

    assert clean_name("C:\\Users\\..\\жоспар.pdf", "pdf") == "жоспар.pdf"
    assert clean_name("../.htaccess", "txt") == "htaccess.txt"
    assert clean_name("a\x00b<script>.png", "png") == "a_b_script_.png"
    assert clean_name("", "pdf") == "file.pdf"
    assert clean_name("фото.JPEG", "jpg") == ["фото", "JPEG"][0] + ".jpg"
    assert len(clean_name("ж" * 500 + ".pdf", "pdf")) <= 120


# -- object access (T03) --------------------------------------------------------------------------


def test_only_the_student_and_the_courses_teachers_read_a_file(client: FlaskClient, people: People) -> None:
    sent = upload(client, people.student, pdf_bytes(), "plan.pdf")
    url = sent.json["url"]
    assert client.get(url, headers=people.student).status_code == 200
    assert error_code(client.get(url, headers=people.classmate)) == (404, "not_found")
    assert error_code(client.get(url, headers=people.other_teacher)) == (403, "forbidden")
    assert client.get(url, headers=people.teacher).status_code == 200
    assert client.get(url).status_code == 401
    missing = client.get(url.rsplit("/", 1)[0] + "/999999", headers=people.student)
    assert error_code(missing) == (404, "not_found")


def test_a_student_not_enrolled_and_another_courses_teacher_are_refused(
    client: FlaskClient, people: People
) -> None:
    assert error_code(client.get(BASE, headers=people.outsider)) == (403, "not_enrolled")
    assert error_code(client.get(f"{TEACH}/queue", headers=people.other_teacher)) == (403, "forbidden")
    assert error_code(client.get(f"{TEACH}/queue", headers=people.student)) == (403, "forbidden")
    assert error_code(client.get("/api/v1/assignments/fire-safety/nope", headers=people.student)) == (
        404,
        "not_found",
    )


def test_a_teacher_sees_no_draft_and_a_classmate_cannot_remove_anothers_file(
    client: FlaskClient, people: People
) -> None:
    sent = upload(client, people.student, pdf_bytes(), "plan.pdf")
    with client.application.app_context():
        draft = db.session().query(Submission).one()
    assert error_code(client.get(f"{TEACH}/submissions/{draft.id}", headers=people.teacher)) == (
        404,
        "not_found",
    )
    removed = client.delete(f"{BASE}/draft/files/{sent.json['id']}", headers=people.classmate)
    assert error_code(removed) == (404, "not_found")
    assert client.get(sent.json["url"], headers=people.student).status_code == 200


# -- versions and the late policy -----------------------------------------------------------------


def test_versions_are_kept_and_a_submitted_one_never_changes(
    client: FlaskClient, people: People, clock: Clock
) -> None:
    assert write(client, people.student, "Бірінші нұсқа").status_code == 200
    upload(client, people.student, pdf_bytes(), "plan.pdf")
    first = hand_in(client, people.student)
    assert first.status_code == 200, first.json
    assert [v["state"] for v in first.json["versions"]] == ["submitted"]
    clock.now = DUE - timedelta(hours=1)
    again = write(client, people.student, "Екінші нұсқа")
    versions = again.json["versions"]
    assert [(v["number"], v["state"], v["text"]) for v in versions] == [
        (1, "submitted", "Бірінші нұсқа"),
        (2, "draft", "Екінші нұсқа"),
    ]
    assert [f["name"] for f in versions[1]["files"]] == ["plan.pdf"]  # carried into the new draft
    client.delete(f"{BASE}/draft/files/{versions[1]['files'][0]['id']}", headers=people.student)
    second = hand_in(client, people.student).json["versions"]
    assert [len(v["files"]) for v in second] == [1, 0]
    assert client.get(second[0]["files"][0]["url"], headers=people.student).status_code == 200
    assert second[1]["late"] is False


def test_due_date_edges_and_penalty(client: FlaskClient, people: People, clock: Clock) -> None:
    write(client, people.student, "Уақтылы")
    clock.now = DUE
    on_time = hand_in(client, people.student).json["versions"][-1]
    assert (on_time["late"], on_time["days_late"]) == (False, 0)
    clock.now = DUE + timedelta(seconds=1)
    assert error_code(write(client, people.student, "жаңа")) == (409, "resubmit_closed")
    for headers, moment, days in ((people.classmate, DUE + timedelta(seconds=1), 1),):
        clock.now = moment
        write(client, headers, "Кешіккен")
        late = hand_in(client, headers).json["versions"][-1]
        assert (late["late"], late["days_late"]) == (True, days)


def test_days_late_count_parts_of_days_and_the_cut_off_closes() -> None:
    from quiz_service.assignments.service import Dates, check_open, days_late

    assert days_late(DUE, DUE) == 0
    assert days_late(DUE, DUE + timedelta(seconds=1)) == 1
    assert days_late(DUE, DUE + timedelta(days=1)) == 1
    assert days_late(DUE, DUE + timedelta(days=1, seconds=1)) == 2
    check_open(Dates(DUE, CUT_OFF), CUT_OFF, resubmission=False)  # the cut-off itself is still open
    with pytest.raises(Conflict) as refused:
        check_open(Dates(DUE, CUT_OFF), CUT_OFF + timedelta(seconds=1), resubmission=False)
    assert refused.value.code == "assignment_closed"


def test_after_the_cut_off_nothing_is_accepted(client: FlaskClient, people: People, clock: Clock) -> None:
    write(client, people.student, "Кеш", url=REPORT)
    clock.now = CUT_OFF + timedelta(seconds=1)
    assert error_code(hand_in(client, people.student, url=REPORT)) == (409, "assignment_closed")
    assert error_code(write(client, people.classmate, "Кеш", url=REPORT)) == (409, "assignment_closed")


def test_an_extension_moves_one_students_dates(client: FlaskClient, people: People, clock: Clock) -> None:
    later = (CUT_OFF + timedelta(days=3)).isoformat()
    set_ = client.put(
        "/api/v1/teach/assignments/fire-safety/report/extensions",
        json={"student": "daniyar@oqu.example.kz", "due": later},
        headers=people.teacher,
    )
    assert set_.status_code == 200, set_.json
    clock.now = CUT_OFF + timedelta(days=1)
    write(client, people.classmate, "Ұзартылған мерзім", url=REPORT)
    done = hand_in(client, people.classmate, url=REPORT)
    assert done.status_code == 200 and done.json["versions"][-1]["late"] is False
    assert error_code(write(client, people.student, "Кеш", url=REPORT)) == (409, "assignment_closed")
    group = client.put(
        "/api/v1/teach/assignments/fire-safety/report/extensions",
        json={"group": "ӨҚ-21", "due": later},
        headers=people.teacher,
    )
    assert group.status_code == 200
    assert write(client, people.student, "Топқа ұзартылды", url=REPORT).status_code == 200
    listed = client.get(
        "/api/v1/teach/assignments/fire-safety/report/extensions", headers=people.teacher
    ).json
    assert [(e["student"], e["group"]) for e in listed["extensions"]] == [
        (None, "ӨҚ-21"),
        ("daniyar@oqu.example.kz", None),
    ]


# -- grading ------------------------------------------------------------------------------------------


def test_rubric_grade_hidden_until_released_with_its_history(
    client: FlaskClient, people: People, clock: Clock
) -> None:
    write(client, people.student, "Талдау")
    clock.now = DUE + timedelta(days=1, hours=2)  # 2 days late: 20 % of 100 points off
    submitted = hand_in(client, people.student).json["versions"][-1]
    queue = client.get(f"{TEACH}/queue", headers=people.teacher).json
    assert [(r["student"], r["late"], r["days_late"], r["needs_grading"]) for r in queue["rows"]] == [
        ("aigerim@oqu.example.kz", True, 2, True)
    ]
    url = f"{TEACH}/submissions/{submitted['id']}/grade"
    missing = client.put(url, json={"levels": {"routes": 2}}, headers=people.teacher)
    assert error_code(missing) == (422, "rubric_missing")
    assert error_code(client.put(url, json={"points": 50}, headers=people.teacher)) == (422, "grade_rubric")
    assert (
        client.put(
            url, json={"levels": {"routes": 2, "proposals": 1}}, headers=people.other_teacher
        ).status_code
        == 403
    )
    graded = client.put(
        url,
        json={"levels": {"routes": 2, "proposals": 1}, "feedback": "Жақсы <b>талдау</b>"},
        headers=people.teacher,
    )
    assert graded.status_code == 200, graded.json
    assert (graded.json["raw_points"], graded.json["penalty"], graded.json["points"]) == (50, 20, 30)
    assert client.get(BASE, headers=people.student).json["grade"] is None  # hidden until released
    regraded = client.put(
        url, json={"levels": {"routes": 2, "proposals": 2}, "feedback": "Өте жақсы"}, headers=people.teacher
    )
    assert regraded.json["points"] == 80  # 100 - 20
    released = client.post(
        f"{TEACH}/release", json={"student": "aigerim@oqu.example.kz"}, headers=people.teacher
    )
    assert released.json == {"released": 1}
    seen = client.get(BASE, headers=people.student).json["grade"]
    assert (seen["points"], seen["feedback"], seen["released"]) == (80, "Өте жақсы", True)
    assert [(lv["criterion"], lv["points"]) for lv in seen["levels"]] == [("routes", 20), ("proposals", 80)]
    history = client.get(f"{TEACH}/submissions/{submitted['id']}", headers=people.teacher).json["history"]
    assert [(h["action"], h["points"], h["changed_by"]) for h in history] == [
        ("graded", 30, "n.abdrakhmanov@academy.example.kz"),
        ("graded", 80, "n.abdrakhmanov@academy.example.kz"),
        ("released", 80, "n.abdrakhmanov@academy.example.kz"),
    ]


def test_release_of_a_whole_assignment_shows_later_grades_too(client: FlaskClient, people: People) -> None:
    for headers in (people.student, people.classmate):
        write(client, headers, "Есеп", url=REPORT)
        hand_in(client, headers, url=REPORT)
    rows = client.get("/api/v1/teach/assignments/fire-safety/report/queue", headers=people.teacher).json[
        "rows"
    ]
    first = rows[0]["submission_id"]
    teach = "/api/v1/teach/assignments/fire-safety/report"
    assert (
        client.put(
            f"{teach}/submissions/{first}/grade", json={"points": 51}, headers=people.teacher
        ).status_code
        == 422
    )
    assert (
        client.put(
            f"{teach}/submissions/{first}/grade", json={"points": 40}, headers=people.teacher
        ).status_code
        == 200
    )
    assert client.post(f"{teach}/release", json={}, headers=people.teacher).json == {"released": 1}
    second = rows[1]["submission_id"]
    client.put(f"{teach}/submissions/{second}/grade", json={"points": 45}, headers=people.teacher)
    grades = [
        client.get(REPORT, headers=h).json["grade"]["points"] for h in (people.student, people.classmate)
    ]
    assert sorted(grades) == [40, 45]


def test_a_flood_of_uploads_is_refused_with_429(client: FlaskClient, people: People, app: Flask) -> None:
    app.config["UPLOAD_LIMIT_PER_HOUR"] = 3
    for _ in range(3):
        sent = upload(client, people.student, pdf_bytes(), "plan.pdf")
        assert sent.status_code == 201, sent.json
        assert (
            client.delete(f"{BASE}/draft/files/{sent.json['id']}", headers=people.student).status_code == 204
        )
    flood = upload(client, people.student, pdf_bytes(), "plan.pdf")
    assert error_code(flood) == (429, "too_many_uploads") and flood.headers["Retry-After"] == "600"
    assert not [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]  # nothing left behind
