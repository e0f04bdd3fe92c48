"""gunicorn's settings file for the service processes the tests start (`gunicorn -c` this file;
they are forked by service_launcher.py, which imported the service and gave them argon2id at the
fixtures' small cost). Test-only, and it changes no setting of the service:

a stopped worker and the arbiter end with `os._exit` once gunicorn is done with them
(`worker_exit`, `on_exit`): unloading the ~1,700 imported modules took 4-20 s of a loaded
machine per stop.
"""

from __future__ import annotations

import logging
import os
from typing import Any


def worker_exit(server: Any, worker: Any) -> None:
    """A worker that was stopped (SIGTERM, SIGQUIT) ends at once. A worker that failed to boot
    exits as gunicorn says."""
    if worker.booted and not worker.alive:
        logging.shutdown()
        os._exit(0)


def on_exit(server: Any) -> None:
    """The arbiter, its workers stopped, ends at once too (no test reads its exit status)."""
    logging.shutdown()
    os._exit(0)
