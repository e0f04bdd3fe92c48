"""A throwaway PostgreSQL server for the tests, started from the machine's own binaries.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user in a
temporary folder that user owns (in /dev/shm when there is one). It listens on 127.0.0.1 at
a free port and on a unix socket in that folder, trusts local connections, and skips fsync
(test data need not survive a crash).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql
from site_server import free_port

INSTALL_HINT = "PostgreSQL server binaries not found: apt-get install postgresql"
SUPERUSER = "postgres"


def find_bindir() -> Path | None:
    """The folder with initdb and pg_ctl: `pg_config --bindir`, else the newest in /usr/lib."""
    candidates: list[Path] = []
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        found = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        candidates.append(Path(found))
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(versions, key=lambda path: _version(path.parent.name), reverse=True)
    return next((path for path in candidates if (path / "initdb").is_file()), None)


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _memory_folder() -> str | None:
    """/dev/shm when there is one: CREATE DATABASE is about 15 times faster in memory."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


class PostgresServer:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="oqu-postgres-", dir=_memory_folder()))
        self.data = self.root / "data"
        self.port = free_port()
        self._names = itertools.count(1)
        self._admin: psycopg.Connection | None = None

    def _run(self, *command: str) -> None:
        as_postgres = ["runuser", "-u", SUPERUSER, "--"] if os.geteuid() == 0 else []
        completed = subprocess.run(
            [*as_postgres, str(self.bindir / command[0]), *command[1:]],
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed:\n{completed.stderr}\n{tail}")

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, SUPERUSER, SUPERUSER)
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions",
        )  # fmt: skip
        self._launch()

    def _launch(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=300"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
            "-o", options, "-w", "start",
        )  # fmt: skip
        self._admin = psycopg.connect(self.url("postgres", driver=""), autocommit=True)

    def pause(self) -> None:
        """Stop the server as a crash would (immediate), keeping its data: see `resume`."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    @property
    def running(self) -> bool:
        """Started and not paused (nor stopped)."""
        return self._admin is not None

    def resume(self) -> None:
        """Start the paused server again on the same port."""
        self._launch()

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        with contextlib.suppress(RuntimeError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, driver: str = "+psycopg") -> str:
        return f"postgresql{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, template: str = "template0", name: str | None = None) -> str:
        """A new database copied from `template`; returns its name."""
        name = name or f"oqu_test_{next(self._names)}"
        assert self._admin is not None
        self._admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
        return name

    def drop_database(self, name: str) -> None:
        assert self._admin is not None
        self._admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
