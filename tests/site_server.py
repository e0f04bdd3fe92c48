"""Run `oqu` commands and `oqu serve` as a user would, in a site folder (importable by any test)."""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from service_launcher import Launched, launch

if TYPE_CHECKING:
    from playwright.sync_api import Page

OQU = [sys.executable, "-c", "from quiz_service.cli import main; main()"]
# The argon2id parameters of the fixtures' accounts (`_cheap_password_hashing`), and of the servers
# `oqu_serving` starts: at the production cost (~0.2 s of CPU per hash) every sign-in of a browser
# test re-hashed the cheap hash, then verified at that cost. The production profile and the re-hash
# on sign-in are tested in tests/service (test_users, test_sign_in).
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
# How long a server the test starts may take to answer: only a failure waits this long, and a
# machine busy with other work (or two xdist workers on two cores) can take far longer than usual.
STARTUP_SECONDS = 120
PORT_LOCKS = Path(tempfile.gettempdir()) / "oqu-test-ports"
_reserved: dict[int, int] = {}  # port: the descriptor of its lock file, held while this process lives


def free_port() -> int:
    """A loopback port nothing listens on, for a server the test is about to start.

    The kernel picks it; a lock on a file named after it, held until this process ends, keeps
    every other test process on the machine (another pytest-xdist worker, another checkout's
    suite) from being handed the same port before the server has bound it.
    """
    PORT_LOCKS.mkdir(exist_ok=True)
    for _ in range(200):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port in _reserved:
            continue
        descriptor = os.open(PORT_LOCKS / str(port), os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        _reserved[port] = descriptor
        return port
    raise RuntimeError(f"no free loopback port could be reserved (locks in {PORT_LOCKS})")


def run_oqu(site: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    run_oqu_commands(site, env, [(list(args), stdin)])


# One Python process runs the commands one after another, each as `oqu ARGS` would (click's
# runner, standard input given): the service's imports take seconds, paid once, not per command.
RUN_COMMANDS = """
import json, sys, traceback
from click.testing import CliRunner
from quiz_service.cli import main
for args, stdin in json.loads(sys.stdin.read()):
    result = CliRunner().invoke(main, args, input=stdin)
    if result.exit_code != 0:
        sys.stderr.write(f"oqu {' '.join(args)} exited with {result.exit_code}:\\n{result.output}")
        if result.exc_info and not isinstance(result.exception, SystemExit):
            traceback.print_exception(*result.exc_info)
        sys.exit(1)
"""


def run_oqu_commands(site: Path, env: dict[str, str], commands: list[tuple[list[str], str | None]]) -> None:
    """`oqu ARGS` for each (ARGS, standard input) in order, in `site`, in one process."""
    done = subprocess.run(
        [sys.executable, "-c", RUN_COMMANDS], cwd=site, env=env, input=json.dumps(commands),
        text=True, capture_output=True,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.fail(done.stderr, pytrace=False)


# -- the fixtures' accounts, made in this process -----------------------------------------------
# A fixture's accounts are set-up, not what its test is about: the same `oqu` commands run here,
# through click's runner as RUN_COMMANDS runs them in a child, without a new process's imports
# (~2 s of CPU each), with argon2id at a small cost (as tests/service's `fast_password_hashing`;
# the server re-hashes at the production cost on the first sign-in, as it does any old hash), and
# on a copy of a database migrated once per test process (`db upgrade` then finds nothing to do).
_migrated: dict[str, Path] = {}


def run_oqu_here(site: Path, env: dict[str, str], commands: list[tuple[list[str], str | None]]) -> list[str]:
    """`oqu ARGS` for each (ARGS, standard input) in order, in `site` with `env`, in this process;
    what each wrote to its standard output."""
    from click.testing import CliRunner

    from quiz_service.cli import main

    outputs = []
    with contextlib.chdir(site), _environment(env), _cheap_password_hashing(), _made_cheaply():
        for args, stdin in commands:
            if args == ["db", "upgrade"]:
                _start_from_migrated_copy()
            result = CliRunner().invoke(main, args, input=stdin)
            if result.exit_code != 0:
                error = result.exception if not isinstance(result.exception, SystemExit) else ""
                pytest.fail(
                    f"oqu {' '.join(args)} exited with {result.exit_code}:\n{result.output}{error}",
                    pytrace=False,
                )
            outputs.append(result.stdout)
    return outputs


@contextmanager
def _made_cheaply() -> Iterator[None]:
    """The service's per-process caches (tests/app_caches.py: URL builders, rule parses, settings
    readings, compiled templates) while the in-process `oqu` commands make their apps (~80 % of
    a fixture's account commands' CPU was werkzeug compiling ~1,000 URL builders per app)."""
    from app_caches import made_cheaply

    with made_cheaply():
        yield


@contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def _cheap_password_hashing() -> Iterator[None]:
    from argon2 import PasswordHasher

    from auth import passwords

    saved = passwords._hasher
    passwords._hasher = PasswordHasher(**CHEAP_ARGON2)
    passwords._dummy_hash.cache_clear()
    try:
        yield
    finally:
        passwords._hasher = saved
        passwords._dummy_hash.cache_clear()


def _start_from_migrated_copy() -> None:
    """An SQLite database not made yet (the default, in VAR_DIR) starts as a copy of one migrated
    once per process; any other database is migrated by the command itself."""
    from quiz_service.core import config, db, migrations

    settings = config.load_config()
    if settings["DATABASE_URL"]:
        return
    target = settings["VAR_DIR"] / config.DATABASE_FILE
    if target.exists():
        return
    if "sqlite" not in _migrated:
        folder = Path(tempfile.mkdtemp(prefix="oqu-migrated-"))
        atexit.register(shutil.rmtree, folder, True)
        engine = db.make_engine(f"sqlite:///{folder / 'oqu.sqlite3'}")
        try:
            migrations.upgrade(engine)
        finally:
            engine.dispose()
        _migrated["sqlite"] = folder / "oqu.sqlite3"
    target.parent.mkdir(parents=True, exist_ok=True)
    source, copy = sqlite3.connect(_migrated["sqlite"]), sqlite3.connect(target)
    with contextlib.closing(source), contextlib.closing(copy):
        source.backup(copy)


@contextmanager
def oqu_serving(site: Path, env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """`oqu serve` on a free loopback port, in `site` with `env` (argon2id at the fixtures' small
    cost); yields its base URL, stops it afterwards."""
    port = port or free_port()
    with contextlib.chdir(site), _environment(env):
        _start_from_migrated_copy()  # `oqu serve` migrates its database first: a new one is a copy
    process = launch(["oqu", "serve", "--port", str(port)], env, site)  # forked: service_launcher.py
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/api/v1/health", process)
        yield base
    finally:
        # SIGINT is gunicorn's quick shutdown; SIGTERM waits up to graceful_timeout (10 s) for
        # the browser's keep-alive connections, longer than a test should.
        process.send_signal(signal.SIGINT)
        process.wait(timeout=STARTUP_SECONDS)


def wait_for(url: str, process: subprocess.Popen[bytes] | Launched) -> None:
    """Until `url` answers at all (any HTTP status); fail with the process's output if it exits."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"{process.args} exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing answered {url} within {STARTUP_SECONDS} s")


def add_accounts(
    site: Path,
    env: dict[str, str],
    password: str,
    students: dict[str, str],
    group: str,
    teachers: dict[str, str] | None = None,
    course: str = "fire-safety",
) -> None:
    """Migrate the site's database, add students (e-mail: name) of one group and teachers, all with
    `password`, and enrol the group in `course`, with the `oqu` commands an admin would use (run in
    this process: `run_oqu_here`)."""
    run_oqu_here(site, env, account_commands(password, students, group, teachers, course))


def account_commands(
    password: str,
    students: dict[str, str],
    group: str,
    teachers: dict[str, str] | None = None,
    course: str = "fire-safety",
) -> list[tuple[list[str], str | None]]:
    """`add_accounts`'s commands, for `run_oqu_commands`."""
    commands: list[tuple[list[str], str | None]] = [(["db", "upgrade"], None)]
    for email, name in students.items():
        commands.append((["users", "add", email, "--role", "student", "--name", name, "--group", group,
                          "--password-stdin"], password + "\n"))  # fmt: skip
    for email, name in (teachers or {}).items():
        commands.append((["users", "add", email, "--role", "teacher", "--name", name, "--password-stdin"],
                         password + "\n"))  # fmt: skip
    commands.append((["enrol", "add", course, "--group", group], None))
    return commands


def sign_in(page: Page, base: str, email: str, password: str, target: str) -> None:
    """Sign in through the form (Kazakh) and land on `target`."""
    page.goto(f"{base}/auth/login?lang=kk&next={target}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("form[action='/auth/login'] button[type=submit]").click()
    page.wait_for_url(f"{base}{target}")
