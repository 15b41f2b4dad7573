"""Holding calls until the session's transaction commits (see tracker.jobs)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.jobs.redis_queue import put_on_queue

log = logging.getLogger(__name__)

_PENDING = "tracker.jobs.pending"

Call = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


def enqueue(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `func(*args, **kwargs)` once the current transaction commits; never if it rolls back."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any SQL still forgets the call
    session.info.setdefault(_PENDING, []).append((func, args, kwargs))


def install(app: Flask) -> None:  # noqa: ARG001 - one signature for every register step
    """Listen to every session's commits and rollbacks (once per process)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)


def _after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the outermost transaction: nothing of it stands
        session.info.pop(_PENDING, None)


def _after_commit(session: Session) -> None:
    calls: list[Call] = session.info.pop(_PENDING, [])
    for func, args, kwargs in calls:
        dispatch(func, args, kwargs)


def dispatch(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Queue the call on Redis when REDIS_URL is set, else run it now. When Redis cannot take
    it (down, unreachable), the failure is logged and the call runs here instead: the request
    has already committed and must still succeed, and the work must not be lost."""
    if current_app.config.get("REDIS_URL"):
        try:
            put_on_queue(func, args, kwargs)
        except Exception:  # noqa: BLE001 - logged; the call runs in-process instead
            log.exception("Could not queue job %s on Redis: running it now", _name(func))
        else:
            return
    run_here(func, args, kwargs)


def run_here(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Run the call in this process, in an application context of its own, so with a database
    session of its own: the session that just committed can no longer read. A failure is
    logged, never raised."""
    try:
        with current_app.app_context():
            func(*args, **kwargs)
    except Exception:  # noqa: BLE001 - logged; the request's own work stands
        log.exception("Job %s failed", _name(func))


def _name(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', func)}"
