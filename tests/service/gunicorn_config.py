"""gunicorn's settings file for the service processes the tests start (`gunicorn -c` this file).

Test-only, and it changes no setting: it prepares the arbiter before gunicorn forks its workers.

- argon2id at the suite's small cost, as the tests' own process has it (tests/service/conftest.py
  `fast_password_hashing`): the accounts a test makes carry cheap hashes, and with the production
  profile here every sign-in would re-hash at the production cost (`needs_rehash`) and every
  unknown e-mail cost a production-cost check (~0.2 s of CPU each). tests/service/test_users.py
  checks the production profile itself.
- The service imported, and one app made and its engine disposed, before the fork, as `oqu serve`
  does (quiz_service/cli.py `serve`): the workers inherit the imports (~2-3 s of CPU a process),
  so a gunicorn with two workers pays them once. A process forked from one that has imported the
  service already (gunicorn_launcher.py) does not make the app again.
- A stopped worker and the arbiter end with `os._exit` once gunicorn is done with them
  (`worker_exit`, `on_exit`): unloading the imports took 4-20 s of a loaded machine per stop.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any


def _cheap_password_hashing() -> None:
    from argon2 import PasswordHasher

    from auth import passwords

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._dummy_hash.cache_clear()


def _service_imported() -> None:
    if "quiz_service" in sys.modules:
        return
    from quiz_service import create_app

    create_app().extensions["oqu_db"].engine.dispose()  # no connection crosses the fork


_service_imported()
_cheap_password_hashing()


def worker_exit(server: Any, worker: Any) -> None:
    """A worker that was stopped (SIGTERM, SIGQUIT) ends at once: unloading the ~1,700 modules
    took a loaded machine seconds per process. A worker that failed to boot exits as gunicorn says."""
    if worker.booted and not worker.alive:
        logging.shutdown()
        os._exit(0)


def on_exit(server: Any) -> None:
    """The arbiter, its workers stopped, ends at once too (no test reads its exit status)."""
    logging.shutdown()
    os._exit(0)
