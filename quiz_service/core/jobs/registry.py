"""Which jobs exist: `@job("name")` and `@periodic("name", every=...)` register functions."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

MAX_NAME = 100


@dataclass(frozen=True)
class JobRun:
    """What a job function is given: its row's id, name, payload and which attempt this is."""

    id: int
    name: str
    payload: dict[str, Any]
    attempt: int
    key: str | None


JobFunction = Callable[[JobRun], None]


@dataclass(frozen=True)
class JobType:
    name: str
    function: JobFunction
    max_attempts: int | None = None  # None: the OQU_JOBS_MAX_ATTEMPTS setting
    every: timedelta | None = None  # periodic jobs only


@dataclass
class Registry:
    jobs: dict[str, JobType] = field(default_factory=dict)

    def add(self, job_type: JobType) -> None:
        if not job_type.name or len(job_type.name) > MAX_NAME:
            raise ValueError(f"a job name has 1 to {MAX_NAME} characters: {job_type.name!r}")
        existing = self.jobs.get(job_type.name)
        if existing is not None and existing.function is not job_type.function:
            raise ValueError(f"two jobs are named {job_type.name!r}")
        self.jobs[job_type.name] = job_type

    def get(self, name: str) -> JobType:
        try:
            return self.jobs[name]
        except KeyError:
            raise LookupError(f"no job is named {name!r}; known: {', '.join(sorted(self.jobs))}") from None

    def periodic(self) -> list[JobType]:
        return [job for job in self.jobs.values() if job.every is not None]


REGISTRY = Registry()


def job(name: str, *, max_attempts: int | None = None) -> Callable[[JobFunction], JobFunction]:
    """Register `function(run: JobRun)` as the job `name`. It must be idempotent: a job runs at
    least once, and again after a crash or a failure, so a second run must change nothing twice."""

    def register(function: JobFunction) -> JobFunction:
        REGISTRY.add(JobType(name, function, max_attempts))
        return function

    return register


def periodic(
    name: str, *, every: timedelta, max_attempts: int | None = None
) -> Callable[[JobFunction], JobFunction]:
    """Register a job that runs once per period of `every` (periods counted from the Unix epoch,
    UTC) across all workers; its payload is `{"period": "<the period's start, ISO 8601>"}`."""
    if every <= timedelta(0):
        raise ValueError(f"{name}: the period must be positive")

    def register(function: JobFunction) -> JobFunction:
        REGISTRY.add(JobType(name, function, max_attempts, every))
        return function

    return register


def period_start(now: datetime, every: timedelta) -> datetime:
    epoch = datetime.fromtimestamp(0, now.tzinfo)
    return epoch + every * ((now - epoch) // every)


def periodic_key(name: str, start: datetime) -> str:
    return f"periodic:{name}:{start.isoformat()}"


def periodic_payload(start: datetime) -> str:
    return json.dumps({"period": start.isoformat()})


def import_job_modules(names: tuple[str, ...]) -> None:
    """Import the modules that define jobs (their decorators register them): the core's, every
    package's `jobs` module (a feature's folder is enough, as for models), then `names`."""
    from quiz_service.core import packages

    for name in (*BUILT_IN, *packages.modules_named("jobs"), *names):
        importlib.import_module(name)


BUILT_IN = ("quiz_service.core.jobs.builtin", "quiz_service.core.mail.sender")
