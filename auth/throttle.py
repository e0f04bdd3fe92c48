"""Sign-in rate limits and lockout, counted where every worker sees the same numbers.

Each attempt is counted before its password is checked, in one atomic step, so the counters
stay exact under parallel attempts on any number of workers and hosts: of N simultaneous
attempts on one account, exactly SIGN_IN_ACCOUNT_LIMIT get their password checked and the
rest are refused with 429 until the window ends.

The counters live in the database (`sign_in_counters`, one atomic UPDATE per count), or in
Redis when OQU_REDIS_URL is set (one Lua script per count: INCR, and the window's expiry set
by the first attempt). `init_app` chooses the store once; the limit logic below is the same
for both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask, current_app
from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from auth.models import SignInCounter
from quiz_service.core import readiness
from quiz_service.core.db import UTCDateTime, write_transaction

if TYPE_CHECKING:
    import redis

EXTENSION = "oqu_sign_in_counters"
REDIS_PREFIX = "oqu:sign-in:"
REDIS_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Limits:
    window: timedelta
    per_account: int
    per_address: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    account_attempts: int
    address_attempts: int


class CountersUnavailable(Exception):
    """The counter store (Redis) does not answer: sign-in refuses rather than count nothing."""


class CounterStore(Protocol):
    """Attempt counters by key, each in a fixed window that its first attempt starts."""

    def increment(self, key: str, window: timedelta, now: datetime) -> int:
        """Count one attempt; the attempts in the key's window, this one included."""
        ...

    def give_back(self, key: str) -> None:
        """Take one attempt off the key (never below zero)."""
        ...

    def forget(self, key: str) -> None: ...

    def attempts(self, key: str) -> int: ...

    def seconds_left(self, key: str, window: timedelta, now: datetime) -> float | None:
        """Seconds until the key's window ends; None without a window."""
        ...


def account_key(email: str) -> str:
    return "account:" + email.strip().lower()[:300]


def address_key(address: str) -> str:
    return "address:" + address[:45]


def count_attempt(store: CounterStore, account: str, address: str, limits: Limits, now: datetime) -> Verdict:
    """Count one attempt on the account and from the address; whether it may go on."""
    on_account = store.increment(account_key(account), limits.window, now)
    on_address = store.increment(address_key(address), limits.window, now)
    allowed = on_account <= limits.per_account and on_address <= limits.per_address
    return Verdict(allowed, on_account, on_address)


def forget_success(store: CounterStore, account: str, address: str) -> None:
    """After a right password: the account starts afresh, the address gets its attempt back."""
    store.forget(account_key(account))
    store.give_back(address_key(address))


def retry_after(store: CounterStore, account: str, address: str, window: timedelta, now: datetime) -> int:
    """Seconds until the later of the two windows ends (for the Retry-After header)."""
    keys = (account_key(account), address_key(address))
    left = [seconds for key in keys if (seconds := store.seconds_left(key, window, now)) is not None]
    return max(1, int(max(left))) if left else 1


@contextmanager
def counting() -> Iterator[CounterStore]:
    """The app's counters for one count: the database's in a write transaction of its own;
    Redis's without one, so that counting in Redis never waits for the database."""
    shared: RedisCounters | None = current_app.extensions[EXTENSION]
    if shared is not None:
        yield shared
        return
    with write_transaction() as writer:
        yield DatabaseCounters(writer)


def counters(session: Session) -> CounterStore:
    """The app's counters; the database's work in `session` (and its transaction)."""
    shared: RedisCounters | None = current_app.extensions[EXTENSION]
    return shared if shared is not None else DatabaseCounters(session)


def attempts(reader: Session, key: str) -> int:
    return counters(reader).attempts(key)


def init_app(app: Flask) -> None:
    """Choose the store once: Redis when REDIS_URL is set, else the database."""
    url = app.config.get("REDIS_URL")
    app.extensions[EXTENSION] = RedisCounters.from_url(url) if url else None
    readiness.register(app, "redis", redis_state)


def redis_state() -> readiness.State:
    """Whether the shared sign-in counters answer ("not_used" when they live in the database)."""
    shared: RedisCounters | None = current_app.extensions[EXTENSION]
    return "not_used" if shared is None else "ok" if shared.answers() else "down"


class DatabaseCounters:
    """Counters in `sign_in_counters`, changed by the caller's write transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def increment(self, key: str, window: timedelta, now: datetime) -> int:
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.session.execute(
            insert(SignInCounter)
            .values(key=key, attempts=0, window_started_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        stale = SignInCounter.window_started_at < now - window
        started = literal(now, type_=UTCDateTime())
        attempts = self.session.execute(
            update(SignInCounter)
            .where(SignInCounter.key == key)
            .values(
                attempts=case((stale, 1), else_=SignInCounter.attempts + 1),
                window_started_at=case((stale, started), else_=SignInCounter.window_started_at),
            )
            .returning(SignInCounter.attempts)
        ).scalar_one()
        return int(attempts)

    def give_back(self, key: str) -> None:
        self.session.execute(
            update(SignInCounter)
            .where(SignInCounter.key == key, SignInCounter.attempts > 0)
            .values(attempts=SignInCounter.attempts - 1)
        )

    def forget(self, key: str) -> None:
        self.session.execute(delete(SignInCounter).where(SignInCounter.key == key))

    def attempts(self, key: str) -> int:
        query = select(SignInCounter.attempts).where(SignInCounter.key == key)
        return int(self.session.scalar(query) or 0)

    def seconds_left(self, key: str, window: timedelta, now: datetime) -> float | None:
        query = select(SignInCounter.window_started_at).where(SignInCounter.key == key)
        started = self.session.scalar(query)
        return None if started is None else (started + window - now).total_seconds()


# One step on the server: the first attempt of a window sets its expiry (and so does any
# attempt that finds the key without one), so a counter can never outlive its window.
INCREMENT = """
local attempts = redis.call('INCR', KEYS[1])
if attempts == 1 or redis.call('PTTL', KEYS[1]) < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return attempts
"""

# DECR of a missing key would create one at -1 without expiry: only an existing count goes down.
GIVE_BACK = """
local attempts = tonumber(redis.call('GET', KEYS[1]) or '0')
if attempts > 0 then
    return redis.call('DECR', KEYS[1])
end
return 0
"""


class RedisCounters:
    """Counters in Redis under `oqu:sign-in:<key>`; the window is the key's expiry (Redis's clock)."""

    def __init__(self, client: redis.Redis) -> None:
        from redis import RedisError

        self.client = client
        self._errors = RedisError
        self._increment = client.register_script(INCREMENT)
        self._give_back = client.register_script(GIVE_BACK)

    @classmethod
    def from_url(cls, url: str) -> RedisCounters:
        try:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry
        except ImportError as error:
            raise RuntimeError(
                "OQU_REDIS_URL is set but the redis package is missing: pip install 'oqu[redis]'"
            ) from error
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 1),  # one quick retry (a pooled connection Redis closed), no sleeps
        )
        return cls(client)

    def increment(self, key: str, window: timedelta, now: datetime) -> int:
        milliseconds = max(1, int(window.total_seconds() * 1000))
        return int(self._call(self._increment, keys=[REDIS_PREFIX + key], args=[milliseconds]))

    def give_back(self, key: str) -> None:
        self._call(self._give_back, keys=[REDIS_PREFIX + key])

    def forget(self, key: str) -> None:
        self._call(self.client.delete, REDIS_PREFIX + key)

    def attempts(self, key: str) -> int:
        return int(self._call(self.client.get, REDIS_PREFIX + key) or 0)

    def answers(self) -> bool:
        try:
            return bool(self.client.ping())
        except self._errors:
            return False

    def seconds_left(self, key: str, window: timedelta, now: datetime) -> float | None:
        milliseconds = int(self._call(self.client.pttl, REDIS_PREFIX + key))
        return milliseconds / 1000 if milliseconds > 0 else None

    def _call(self, command: Callable[..., Any], *args: object, **kwargs: object) -> Any:  # Redis replies are untyped
        try:
            return command(*args, **kwargs)
        except self._errors as error:
            raise CountersUnavailable(f"Redis: {error}") from error
