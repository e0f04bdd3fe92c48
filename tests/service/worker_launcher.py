"""`oqu worker` processes forked from one process that imported the service once (test_jobs.py).

    python worker_launcher.py LOG [LOG ...]

Makes one app and disposes its engine (the imports `oqu worker` needs, ~2 s of CPU a process;
`oqu serve`'s parent hands its imports to gunicorn's workers the same way), then forks a child
per LOG: its standard error goes to LOG, then it runs `oqu worker --threads 1` as the command
line would, with its own app, database connections and signal handlers. Each child is a
process of its own: the tests kill -9 one while the other works on.

Prints each child's pid, one a line; then, as each child exits, "PID CODE" (a negative code:
the signal that ended it); exits when all have.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from typing import NoReturn


def main(logs: list[str]) -> NoReturn:
    from quiz_service import create_app

    create_app().extensions["oqu_db"].engine.dispose()  # no connection crosses the fork
    children = [_fork_worker(log) for log in logs]
    print(*children, sep="\n", flush=True)
    for _ in children:
        pid, status = os.wait()
        print(pid, os.waitstatus_to_exitcode(status), flush=True)
    os._exit(0)  # nothing to tear down: a loaded machine took seconds to unload the imports


def _fork_worker(log: str) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(output, sys.stderr.fileno())
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the pipe carries the pids only
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        from quiz_service.cli import main

        main(["worker", "--threads", "1"], prog_name="oqu")
        code = 0
    except SystemExit as stopped:
        code = stopped.code if isinstance(stopped.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(code)  # never back into the launcher's loop


if __name__ == "__main__":
    main(sys.argv[1:])
