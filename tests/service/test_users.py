"""`oqu users add` and `oqu users import`: accounts from the command line and CSV rosters."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from argon2 import Type
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import func, select

from auth import enrolment, passwords
from auth.models import DLCategory, Role, User
from auth.roster import read_roster
from quiz_service.cli import main as oqu
from quiz_service.core import db, migrations

Oqu = Callable[..., Result]

HEADER = "email,full_name,role,group,dl_category\n"


def users_in(app: Flask) -> dict[str, User]:
    with app.app_context():
        return {user.email: user for user in db.session().scalars(select(User))}


def test_add_a_student_with_a_password(run_oqu: Oqu, database_url: str, app: Flask) -> None:
    result = run_oqu(
        "users", "add", "Aigerim.Saparova@Oqu.Example.KZ", "--role", "student",
        "--name", "Айгерім Сапарова", "--group", "ӨҚ-21", "--dl-category", "shortened_programme",
        "--password-stdin", database_url=database_url, input="құпия-сөз-2026\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == "Added aigerim.saparova@oqu.example.kz (student).\n"
    user = users_in(app)["aigerim.saparova@oqu.example.kz"]
    assert (user.full_name, user.role, user.group) == ("Айгерім Сапарова", Role.STUDENT, "ӨҚ-21")
    assert user.dl_category is DLCategory.SHORTENED_PROGRAMME
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert passwords.verify_password(user.password_hash, "құпия-сөз-2026")


def test_add_without_password_leaves_none(run_oqu: Oqu, database_url: str, app: Flask) -> None:
    result = run_oqu("users", "add", "teacher@oqu.example.kz", "--role", "teacher", database_url=database_url)
    assert result.exit_code == 0, result.output
    user = users_in(app)["teacher@oqu.example.kz"]
    assert user.password_hash is None
    assert user.dl_category is DLCategory.NONE


def test_add_refuses_a_second_account_with_the_same_email(
    run_oqu: Oqu, database_url: str, make_user: Callable[..., User]
) -> None:
    make_user(email="admin@oqu.example.kz", role=Role.ADMIN)
    result = run_oqu("users", "add", "ADMIN@oqu.example.kz", "--role", "admin", database_url=database_url)
    assert result.exit_code == 1
    assert result.stderr == ("Error: an account with the email 'admin@oqu.example.kz' already exists\n")


def test_add_refuses_bad_input(run_oqu: Oqu, database_url: str) -> None:
    bad_email = run_oqu("users", "add", "not-an-email", "--role", "partner", database_url=database_url)
    assert bad_email.exit_code == 1
    assert bad_email.stderr == "Error: 'not-an-email' is not an email address\n"
    short = run_oqu(
        "users", "add", "p@oqu.example.kz", "--role", "partner", "--password-stdin",
        database_url=database_url, input="short\n",
    )  # fmt: skip
    assert short.exit_code == 1
    assert short.stderr == "Error: the password is shorter than 8 characters\n"
    empty = run_oqu(
        "users", "add", "p@oqu.example.kz", "--role", "partner", "--password-stdin",
        database_url=database_url, input="",
    )  # fmt: skip
    assert empty.stderr == "Error: no password on standard input.\n"
    bad_role = run_oqu("users", "add", "p@oqu.example.kz", "--role", "rector", database_url=database_url)
    assert bad_role.exit_code == 2
    assert "'rector' is not one of 'student', 'teacher', 'admin', 'partner'" in bad_role.stderr


def test_users_commands_bring_sqlite_up_to_date_and_leave_postgresql_explicit(
    run_oqu: Oqu, empty_database_url: str, database_kind: str
) -> None:
    """Issue 12, item 19: the embedded SQLite default is migrated by the command itself, as
    `oqu serve` does; a PostgreSQL database shared by hosts is upgraded on purpose."""
    result = run_oqu("users", "add", "a@oqu.example.kz", "--role", "admin", database_url=empty_database_url)
    if database_kind == "postgresql":
        assert result.exit_code == 1
        assert result.stderr == "Error: the database is not up to date: run `oqu db upgrade`.\n"
        return
    assert result.exit_code == 0, result.output
    assert result.stdout == "Added a@oqu.example.kz (admin).\n"
    assert result.stderr.endswith(" brought up to date (revision " + str(migrations.head_revision()) + ").\n")
    again = run_oqu("users", "add", "b@oqu.example.kz", "--role", "teacher", database_url=empty_database_url)
    assert (again.exit_code, again.stderr) == (0, "")  # up to date now: nothing more to say


def test_users_add_in_a_fresh_site_folder(site_folder: Path) -> None:
    """The first minute: `oqu users add` in a new folder, with no OQU_DATABASE_URL (the default var/)."""
    runner = CliRunner(env={"OQU_DATABASE_URL": None, "OQU_VAR_DIR": None, "OQU_SECRET_KEY": None})
    result = runner.invoke(oqu, ["users", "add", "admin@oqu.example.kz", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Added admin@oqu.example.kz (admin).\n"
    assert (site_folder / "var").is_dir()
    listed = runner.invoke(oqu, ["users", "add", "admin@oqu.example.kz", "--role", "admin"])
    assert listed.stderr == "Error: an account with the email 'admin@oqu.example.kz' already exists\n"


def write_roster(folder: Path, text: str, name: str = "roster.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_ROSTER = HEADER + (
    "aigerim@oqu.example.kz,Айгерім Сапарова,student,ӨҚ-21,shortened_programme\n"
    "Dauren@oqu.example.kz,Дәурен Қасымов,student,ӨҚ-21,\n"
    "teacher@oqu.example.kz,Ержан Әбдірахманов,teacher,,none\n"
)


def test_import_creates_every_user(run_oqu: Oqu, database_url: str, site_folder: Path, app: Flask) -> None:
    write_roster(site_folder, GOOD_ROSTER)
    result = run_oqu("users", "import", "roster.csv", database_url=database_url)
    assert result.exit_code == 0, result.output
    assert result.stdout == "roster.csv: 3 added, 0 updated.\n"
    users = users_in(app)
    assert set(users) == {"aigerim@oqu.example.kz", "dauren@oqu.example.kz", "teacher@oqu.example.kz"}
    assert users["dauren@oqu.example.kz"].dl_category is DLCategory.NONE
    assert users["teacher@oqu.example.kz"].group is None
    assert all(user.password_hash is None for user in users.values())


def test_import_updates_existing_emails_but_not_passwords(
    run_oqu: Oqu, database_url: str, site_folder: Path, app: Flask, make_user: Callable[..., User]
) -> None:
    make_user(email="aigerim@oqu.example.kz", full_name="Old", group="X", password="құпия-сөз-2026")
    write_roster(site_folder, GOOD_ROSTER)
    result = run_oqu("users", "import", "roster.csv", database_url=database_url)
    assert result.stdout == "roster.csv: 2 added, 1 updated.\n"
    aigerim = users_in(app)["aigerim@oqu.example.kz"]
    assert (aigerim.full_name, aigerim.group) == ("Айгерім Сапарова", "ӨҚ-21")
    assert aigerim.password_hash and passwords.verify_password(aigerim.password_hash, "құпия-сөз-2026")


BAD_ROSTER = HEADER + (
    "aigerim@oqu.example.kz,Айгерім Сапарова,student,ӨҚ-21,shortened_programme\n"
    "not-an-email,Дәурен Қасымов,studnet,ӨҚ-21,\n"
    "\n"
    "AIGERIM@oqu.example.kz,Айгерім,student,ӨҚ-21,distance\n"
    "ok@oqu.example.kz,,teacher,,none\n"
    "short@oqu.example.kz,Тек төрт,student\n"
)


def test_import_reports_every_bad_row_and_imports_nothing(
    run_oqu: Oqu, database_url: str, site_folder: Path, app: Flask
) -> None:
    write_roster(site_folder, BAD_ROSTER)
    result = run_oqu("users", "import", "roster.csv", database_url=database_url)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "roster.csv:3: email 'not-an-email' is not an email address",
        "roster.csv:3: role 'studnet' is not one of student, teacher, admin, partner"
        " (did you mean 'student'?)",
        "roster.csv:5: dl_category 'distance' is not one of shortened_programme,"
        " emergency_transfer, distance_masters, none (did you mean 'distance_masters'?)",
        "roster.csv:6: full_name is empty",
        "roster.csv:7: expected 5 fields, found 3",
        "Error: 5 problem(s); nothing imported.",
    ]
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(User)) == 0


def test_duplicate_emails_in_a_roster_name_the_first_line() -> None:
    roster = HEADER + "a@oqu.example.kz,А,student,,\n" + "A@OQU.example.kz,Б,student,,\n"
    _, problems = read_roster(roster.encode(), "r.csv")
    assert problems == ["r.csv:3: email 'a@oqu.example.kz' is already on line 2"]


def test_roster_header_problems() -> None:
    roster = "email,full_name,role,grup\n"
    _, problems = read_roster(roster.encode(), "r.csv")
    assert problems == [
        "r.csv:1: unknown column 'grup' (did you mean 'group'?)",
        "r.csv:1: missing column 'group'",
        "r.csv:1: missing column 'dl_category'",
    ]
    _, empty = read_roster(b"", "r.csv")
    assert empty == [
        "r.csv:1: the file is empty; expected the columns email, full_name, role, group, dl_category"
    ]


def test_roster_from_excel_semicolons_and_bom() -> None:
    roster = "\ufeffemail;full_name;role;group;dl_category\r\nb@oqu.example.kz;Бота;student;;\r\n"
    rows, problems = read_roster(roster.encode(), "r.csv")
    assert problems == []
    assert [(row.line, row.email, row.full_name) for row in rows] == [(2, "b@oqu.example.kz", "Бота")]


def test_roster_that_is_not_utf8_names_the_line() -> None:
    roster = (HEADER + "b@oqu.example.kz,Бота,student,,\n").encode() + "c,Сауле".encode("cp1251")
    _, problems = read_roster(roster, "r.csv")
    assert problems == ['r.csv:3: not UTF-8 text; save the file as "CSV UTF-8"']


def test_line_numbers_count_quoted_line_breaks() -> None:
    roster = HEADER + 'a@oqu.example.kz,"Айгерім\nСапарова",student,,\nbad,Б,student,,\n'
    _, problems = read_roster(roster.encode(), "r.csv")
    assert problems == ["r.csv:4: email 'bad' is not an email address"]


def test_passwords_use_argon2id_at_the_rfc_9106_cost() -> None:
    assert passwords.PROFILE.type is Type.ID
    assert (passwords.PROFILE.time_cost, passwords.PROFILE.memory_cost) == (3, 64 * 1024)


def test_demo_accounts_sign_in_with_the_printed_passwords(
    run_oqu: Oqu, database_url: str, app: Flask, site_folder: Path
) -> None:
    service_dir = site_folder / "build" / "service"
    service_dir.mkdir(parents=True)
    manifest = {
        "courses": [{"id": "fire-safety", "access": "enrolled"}, {"id": "dl-orientation", "access": "open"}]
    }
    (service_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    first = run_oqu("users", "demo", database_url=database_url)
    again = run_oqu("users", "demo", database_url=database_url)
    assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
    printed = dict(line.split()[1::2] for line in again.stdout.splitlines()[1:])
    assert set(printed) == {"a.zhumabayeva@academy.example.kz", "kursant@demo.example.kz"}
    accounts = users_in(app)
    assert accounts["a.zhumabayeva@academy.example.kz"].role is Role.TEACHER
    assert accounts["kursant@demo.example.kz"].dl_category is DLCategory.EMERGENCY_TRANSFER
    for email, password in printed.items():
        assert passwords.verify_password(accounts[email].password_hash or "", password)
    with app.app_context():  # the demo student's group may read the enrolled example course
        reader = db.session()
        assert enrolment.enrolled_course_ids(reader, accounts["kursant@demo.example.kz"]) == {"fire-safety"}
