"""The Redis side of tracker.jobs: queuing a call on RQ, and reading what failed.

With REDIS_URL set, a call held until the commit is queued here instead of run in the request's
process. RQ stores the function by its dotted path, so only module-level functions can be
queued. A failed job is retried after each of JOB_RETRY_INTERVALS (by default 30 seconds,
2 minutes, 10 minutes, 30 minutes and an hour: a mail server down for an afternoon still gets
the message), and after the last retry stays in RQ's failed job registry for a year
(FAILED_JOB_TTL), where the site administrator sees it at /admin/jobs and can try it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from redis import Redis
from rq import Queue, Retry
from rq.registry import FailedJobRegistry

QUEUE_NAME = "default"
# How long a job that failed for good is kept for the administrator to see (RQ's default too,
# said here so that nobody lowers it without seeing that failures would then be lost).
FAILED_JOB_TTL = 365 * 24 * 3600
# A Redis that does not answer must not hold a request for long: it falls back to running the
# call in-process.
_CONNECT_TIMEOUT_SECONDS = 2
_EXTENSION = "tracker.redis"


def redis_url() -> str | None:
    return current_app.config.get("REDIS_URL") or None


def connection() -> Redis:
    """One client per app and URL (redis-py reconnects after a fork on its own)."""
    url = redis_url()
    if not url:
        raise RuntimeError("REDIS_URL is not set")
    clients: dict[str, Redis] = current_app.extensions.setdefault(_EXTENSION, {})
    if url not in clients:
        clients[url] = Redis.from_url(
            url,
            socket_connect_timeout=_CONNECT_TIMEOUT_SECONDS,
            socket_timeout=_CONNECT_TIMEOUT_SECONDS * 5,
        )
    return clients[url]


def job_queue() -> Queue:
    return Queue(QUEUE_NAME, connection=connection())


def failed_jobs() -> FailedJobRegistry:
    return job_queue().failed_job_registry


def put_on_queue(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Queue the call with retries and back-off; the job's id. ValueError for a function the
    worker could not import by its dotted path (a lambda, a function defined inside another)."""
    if "<" in func.__qualname__:
        raise ValueError(f"{func.__qualname__} cannot be queued: use a module-level function")
    intervals = list(current_app.config["JOB_RETRY_INTERVALS"])
    job = job_queue().enqueue(
        func,
        args=args,
        kwargs=kwargs,
        retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
        failure_ttl=FAILED_JOB_TTL,
    )
    return job.id
