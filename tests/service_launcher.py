"""The service processes the tests start (gunicorn, `oqu worker`, `oqu serve`), forked from one
process that imported the service once.

A new Python process spends ~2-4 s of CPU importing the service before it serves. Each test process
(pytest, or one pytest-xdist worker) instead keeps one fork server (multiprocessing's, started at
the first `launch`) that imported every module of the service and gunicorn's (tests/service_preload.py)
and nothing else: no app, no settings, no database. `launch` forks a child of it for one command:

- `["gunicorn", ARG, ...]`: gunicorn's command line (its arbiter forks its own workers);
- `["oqu", ARG, ...]`: the `oqu` command (`oqu worker ...`, `oqu serve ...`).

Each child is a process of its own, as on a host of its own: its folder, its environment (replaced
whole: a setting it reads is the test's), its output in a file, its app and database connections made
after the fork, argon2id at the fixtures' small cost (`site_server.CHEAP_ARGON2`: a sign-in of a test
account would otherwise re-hash at the production cost). A test stops it with a real signal to its
pid (`send_signal`, `kill` is SIGKILL; `new_session=True` makes it a process group, so that
`os.killpg` reaches a gunicorn's workers too) and reads its exit status (negative: the signal that
ended it) as a Popen's.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pytest

_CONTEXT: list[multiprocessing.context.ForkServerContext] = []


def _fork_server() -> multiprocessing.context.ForkServerContext:
    if not _CONTEXT:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["service_launcher", "service_preload"])
        # The fork server imports its preload with the sys.path its environment gives (Python 3.11
        # does not pass it this process's): this folder added; a module it cannot import would be
        # skipped without a word (and each child would import the service itself).
        path = os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")]))
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PYTHONPATH", path)
            multiprocessing.forkserver.ensure_running()
        # Stopped and reaped when this process ends (it would end by itself, unreaped): its CPU and
        # its children's count in this process's, as a Popen's did.
        atexit.register(multiprocessing.forkserver._forkserver._stop)  # type: ignore[attr-defined]
        _CONTEXT.append(context)
    return _CONTEXT[0]


class Launched:
    """A child of the fork server, with what the tests use of a Popen: `pid`, `args`, `poll`,
    `wait`, `send_signal`, `kill`, `returncode`, and `stdout` (what it wrote so far)."""

    def __init__(self, command: list[str], env: Mapping[str, str], cwd: Path, log: Path | None,
                 new_session: bool) -> None:  # fmt: skip
        self.args = command
        if log is None:
            log = Path(tempfile.mkdtemp(prefix="oqu-launched-")) / "output.txt"
            atexit.register(shutil.rmtree, log.parent, True)
        self.log = log
        self.process = _fork_server().Process(
            target=_run_here,
            args=(command, dict(env), str(cwd), str(log), new_session, _template_code_folder()),
        )
        self.process.start()
        assert self.process.pid is not None
        self.pid: int = self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.exitcode

    @property
    def stdout(self) -> io.BytesIO:
        return io.BytesIO(self.log.read_bytes() if self.log.exists() else b"")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def poll(self) -> int | None:
        return self.process.exitcode

    def send_signal(self, number: int) -> None:
        if self.process.exitcode is None:
            with contextlib.suppress(ProcessLookupError):  # it exited; the fork server has yet to say so
                os.kill(self.pid, number)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def wait(self, timeout: float) -> int:
        self.process.join(timeout)
        if self.process.exitcode is None:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self.process.exitcode


def launch(command: list[str], env: Mapping[str, str], cwd: Path, log: Path | None = None,
           new_session: bool = False) -> Launched:  # fmt: skip
    """`command` (`gunicorn ...` or `oqu ...`) in a child of the fork server, in `cwd` with `env`
    (and its PYTHONPATH), standard output and error to `log` (a file of its own if None)."""
    if command[0] not in ("gunicorn", "oqu"):
        raise ValueError(f"not a service command: {command}")
    return Launched(command, env, cwd, log, new_session)


def _run_here(
    command: list[str], env: dict[str, str], cwd: str, log: str, new_session: bool, templates: str
) -> None:
    """In the forked child: the environment, folder and output of its own, then the command, with
    the service's per-process caches (tests/app_caches.py) and the compiled templates shared by
    every child of this test process in `templates`."""
    if new_session:
        os.setsid()
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for folder in reversed(env.get("PYTHONPATH", "").split(os.pathsep)):
        if folder and folder not in sys.path:
            sys.path.insert(0, folder)
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    _cheap_password_hashing()
    from app_caches import made_cheaply

    with made_cheaply():
        _templates_compiled_in(templates)
        if command[0] == "gunicorn":
            from gunicorn.app.wsgiapp import run

            sys.argv = command
            run()
        else:
            from quiz_service.cli import main

            main(command[1:], prog_name="oqu")


# Each gunicorn worker of each child compiled the service's Jinja templates again (parse, generate
# Python, `compile`: ~0.55 s for the 39 a browser test's pages use). The children of one test process
# share Jinja's own file cache of the compiled code instead: keyed by the template's name and file,
# used only while the source is the same (Jinja's checksum), written atomically (a temporary file,
# then a rename); every child is the same checkout's `create_app`, so its Jinja options are the same.
_TEMPLATE_CODE: list[str] = []


def _template_code_folder() -> str:
    if not _TEMPLATE_CODE:
        folder = tempfile.mkdtemp(prefix="oqu-launched-templates-")
        atexit.register(shutil.rmtree, folder, True)
        _TEMPLATE_CODE.append(folder)
    return _TEMPLATE_CODE[0]


def _templates_compiled_in(folder: str) -> None:
    from flask import Flask
    from jinja2 import FileSystemBytecodeCache

    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": FileSystemBytecodeCache(folder)}


def _cheap_password_hashing() -> None:
    from argon2 import PasswordHasher
    from site_server import CHEAP_ARGON2

    from auth import passwords

    passwords._hasher = PasswordHasher(**CHEAP_ARGON2)
    passwords._dummy_hash.cache_clear()
