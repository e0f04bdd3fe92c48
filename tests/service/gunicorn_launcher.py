"""Several gunicorn processes of the service, forked from one process that imported it once.

    python gunicorn_launcher.py CONFIG PORT [PORT ...]

Each child is a gunicorn of its own: its arbiter and one worker (4 threads), its own port, and its
own app and database connections, made in the worker after gunicorn's fork, as on separate hosts.
What the children share is the imported code, copied at the fork (the arbiter of `oqu serve`
hands its imports to its workers the same way); importing the service is ~2-3 s of CPU a process.
CONFIG (gunicorn_config.py) is run here first and then by each child's gunicorn, as `-c`.

Prints each child's pid, one a line, then waits for them all and exits with the highest exit
status. A SIGTERM to the launcher is passed on to the children still running.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import signal
import sys
from types import FrameType
from typing import NoReturn


def main(config: str, ports: list[str]) -> NoReturn:
    runpy.run_path(config)
    running: set[int] = set()

    def pass_on(signum: int, _frame: FrameType | None) -> None:
        for pid in running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    signal.signal(signal.SIGTERM, pass_on)
    children = [_fork_gunicorn(config, port) for port in ports]
    running.update(children)
    print(*children, sep="\n", flush=True)
    worst = 0
    while running:
        pid, status = os.wait()
        running.discard(pid)
        worst = max(worst, os.waitstatus_to_exitcode(status) % 256)
    sys.stdout.flush()
    os._exit(worst)  # nothing to tear down: a loaded machine took seconds to unload the imports


def _fork_gunicorn(config: str, port: str) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the launcher's pipe carries the pids only
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sys.argv = ["gunicorn", "-c", config, "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}",
                    "quiz_service:create_app()"]  # fmt: skip
        from gunicorn.app.wsgiapp import run

        run()
        code = 0
    except SystemExit as stopped:
        code = stopped.code if isinstance(stopped.code, int) else 1
    finally:
        os._exit(code)  # never back into the launcher's loop


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
