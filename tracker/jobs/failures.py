"""Jobs that failed after their last retry, as the site administrator sees them (/admin/jobs).

Only the function's name, when it failed and the last line of its error are shown: a job's
arguments and its stack trace may hold e-mail addresses, message text or settings, so neither
is shown, and addresses in the error line are blanked out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.results import Result

from tracker.jobs.redis_queue import failed_jobs

SHOWN = 100  # the oldest failures first; more are counted, not listed
_ADDRESS = re.compile(r"[^\s@'\"<>(),:;]+@[^\s@'\"<>(),:;]+")
_ERROR_CHARS = 300


@dataclass(frozen=True)
class FailedJob:
    id: str
    function: str
    failed_at: dt.datetime | None
    error: str


def failed_list() -> tuple[list[FailedJob], int]:
    """The first SHOWN failed jobs, and how many there are in all."""
    registry = failed_jobs()
    total = registry.count
    ids = registry.get_job_ids(0, SHOWN - 1)
    jobs = Job.fetch_many(ids, connection=registry.connection)
    return [_summary(job) for job in jobs if job is not None], total


def try_again(job_id: str) -> None:
    """Put the job back on its queue. LookupError when it is no longer a failed job."""
    try:
        failed_jobs().requeue(job_id)
    except (InvalidJobOperation, NoSuchJobError) as gone:
        raise LookupError(job_id) from gone


def remove(job_id: str) -> None:
    """Forget the failed job. LookupError when it is no longer a failed job."""
    registry = failed_jobs()
    if job_id not in registry:
        raise LookupError(job_id)
    registry.remove(job_id, delete_job=True)


def _summary(job: Job) -> FailedJob:
    return FailedJob(
        id=job.id,
        function=job.func_name,
        failed_at=job.ended_at,
        error=last_line(_trace(job)),
    )


def _trace(job: Job) -> str:
    result = job.latest_result()
    return (result.exc_string or "") if result and result.type == Result.Type.FAILED else ""


def last_line(trace: str) -> str:
    """The error's last line (its type and message), with e-mail addresses blanked out."""
    lines = [line for line in trace.strip().splitlines() if line.strip()]
    line = lines[-1].strip() if lines else "No error was recorded."
    return _ADDRESS.sub("[address]", line)[:_ERROR_CHARS]
