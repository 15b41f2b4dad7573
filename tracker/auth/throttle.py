"""Slowing down password guessing without letting anyone lock the owner out.

Failed sign-ins are rows of LoginAttempt (the address typed, the source it came from, when), kept
in the database so that every worker sees the same counts with nothing else to configure, and
purged once older than the window so that the table stays small. Within the window, a sign-in is
refused, without looking at the password, when any of these is reached:

- **the address from one source** (`LOGIN_MAX_FAILURES`, 5): one client guessing one person's
  password. Only that source is stopped, so a stranger failing on purpose cannot lock the owner
  out: the owner signs in from their own machine.
- **the source, whatever the address** (`LOGIN_MAX_FAILURES_PER_SOURCE`, 20): password spraying,
  one likely password tried against many addresses.
- **the address, whatever the source** (`LOGIN_MAX_FAILURES_PER_ADDRESS`, 50): one person's
  password guessed from many sources at once (a botnet).

A lock by source or by address alone would let anyone lock people out: a whole office shares one
address behind its firewall, and the address of an account is easy to learn. So those two locks
are softer: they do not apply to a browser holding a *device cookie* for the address typed, a
signed cookie that a successful sign-in leaves behind (OWASP's "device cookies" defence against
online guessing). The owner, on the browser they used before, is never stopped by what others
do; an attacker, who has never signed in as that person, is. Only the first lock, which an
attacker can only trip from the owner's own source, applies to everyone. The cookie names the last
address signed in with on the browser; it proves nothing else, and opens no session.

The source is `request.remote_addr`: the client, or, behind a reverse proxy, the proxy itself
unless `PROXY_FIX_X_FOR` says how many proxies to trust with X-Forwarded-For (werkzeug's
ProxyFix, set up in create_app). Trusting the header without a proxy that sets it would let
every attempt claim a new source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select

from tracker.auth.models import LoginAttempt
from tracker.extensions import db

DEVICE_COOKIE = "tracker_device"
DEVICE_COOKIE_DAYS = 365
SOURCE_LENGTH = 64  # the column's size; an IPv6 address needs 45


@dataclass(frozen=True)
class Throttle:
    """The limits in force, from the configuration."""

    per_address_and_source: int
    per_source: int
    per_address: int
    window_seconds: int

    @classmethod
    def from_config(cls, config: Any) -> Throttle:
        return cls(
            per_address_and_source=config["LOGIN_MAX_FAILURES"],
            per_source=config["LOGIN_MAX_FAILURES_PER_SOURCE"],
            per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
            window_seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"],
        )

    @property
    def window_minutes(self) -> int:
        return max(1, round(self.window_seconds / 60))


def client_source(remote_addr: str | None) -> str:
    """The source an attempt is counted against, cut to the column's size."""
    return (remote_addr or "unknown")[:SOURCE_LENGTH]


def _failures(since: dt.datetime, *conditions: Any) -> int:
    return db.session.execute(
        select(func.count(LoginAttempt.id)).where(LoginAttempt.at >= since, *conditions)
    ).scalar_one()


def is_locked(
    throttle: Throttle, address: str, source: str, now: dt.datetime, *, known_device: bool
) -> bool:
    """Whether a sign-in for `address` from `source` is refused now (see the module's notes)."""
    since = now - dt.timedelta(seconds=throttle.window_seconds)
    if (
        _failures(since, LoginAttempt.email == address, LoginAttempt.source == source)
        >= throttle.per_address_and_source
    ):
        return True
    if known_device:
        return False
    return (
        _failures(since, LoginAttempt.source == source) >= throttle.per_source
        or _failures(since, LoginAttempt.email == address) >= throttle.per_address
    )


def record_failure(
    throttle: Throttle, address: str, source: str, person_id: int | None, now: dt.datetime
) -> None:
    """Count a failed sign-in, and forget those too old to count any more.

    Rows another worker is purging at the same moment are skipped rather than waited for
    (SKIP LOCKED on PostgreSQL), so that two purges never wait on each other."""
    since = now - dt.timedelta(seconds=throttle.window_seconds)
    stale = select(LoginAttempt.id).where(LoginAttempt.at < since).with_for_update(skip_locked=True)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(stale)))
    db.session.add(LoginAttempt(email=address, source=source, at=now, person_id=person_id))


def forget_failures(address: str) -> None:
    """The owner has signed in: earlier failures for the address no longer count."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == address))


def _device_signer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="sign-in-device")


def device_cookie_value(secret_key: str, address: str) -> str:
    """The device cookie left by a successful sign-in: the address, signed."""
    return _device_signer(secret_key).dumps(address)


def is_known_device(secret_key: str, cookie: str | None, address: str) -> bool:
    """Whether the browser has signed in as `address` before (its device cookie names it)."""
    if not cookie:
        return False
    try:
        return _device_signer(secret_key).loads(cookie) == address
    except BadSignature:
        return False
