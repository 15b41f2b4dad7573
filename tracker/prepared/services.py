"""Asking for a prepared download in a request, and building it in the worker."""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select

from tracker.database import utcnow
from tracker.evidence.storage import delete_when_committed, storage
from tracker.extensions import db
from tracker.jobs import enqueue
from tracker.jobs.failures import last_line
from tracker.jobs.redis_queue import connection, redis_url
from tracker.prepared.kinds import KINDS
from tracker.prepared.models import PreparedDownload, PreparedStatus
from tracker.projects.models import Project

log = logging.getLogger(__name__)
# A request still queued after this long is taken as lost (the worker was stopped, or Redis
# failed between the ask and the commit): asking again replaces it rather than waiting on it.
GIVEN_UP_AFTER = dt.timedelta(hours=1)


def worker_available() -> bool:
    """Whether slow files go to the worker: REDIS_URL is set and Redis answers. When Redis is
    down the file is built in the request as without it: the person gets their file at once
    rather than a waiting page for a build that tracker.jobs would then run in this process."""
    if not redis_url():
        return False
    try:
        connection().ping()
    except RedisError:
        log.exception("Redis did not answer: the file is built in the request")
        return False
    return True


def ask(project: Project, person_id: int, kind: str, what: int = 0) -> PreparedDownload:
    """The person's queued request for this file, or a new one queued for the worker. Their
    earlier ready, failed or given-up ones for the same file are removed with their files (each
    ask makes a fresh file, so storage holds one per person and thing)."""
    earlier = db.session.execute(
        select(PreparedDownload).where(
            PreparedDownload.project_id == project.id,
            PreparedDownload.kind == kind,
            PreparedDownload.what == what,
            PreparedDownload.requested_by_id == person_id,
        )
    ).scalars()
    for found in earlier:
        if found.status is PreparedStatus.QUEUED and found.requested_at > utcnow() - GIVEN_UP_AFTER:
            return found
        if found.storage_key:
            delete_when_committed(storage(), [found.storage_key])
        db.session.delete(found)
    asked = PreparedDownload(project=project, kind=kind, what=what, requested_by_id=person_id)
    db.session.add(asked)
    db.session.flush()
    enqueue(build, asked.id)
    return asked


def build(download_id: int) -> None:
    """The job: write the file into evidence storage and mark the request ready, or failed
    with the error's last line. A failure is not raised (a retry would fail the same way): the
    waiting page offers to ask again."""
    found = db.session.get(PreparedDownload, download_id)
    if found is None or found.status is not PreparedStatus.QUEUED:
        return  # replaced by a later ask, or already built by a retry
    store = storage()
    key = store.new_key()
    try:
        with store.open_writer(key) as out:
            KINDS[found.kind].write(found, out)
    except Exception as error:  # noqa: BLE001 - recorded on the request, and logged
        current_app.logger.exception("Preparing download %s failed", download_id)
        db.session.rollback()  # the half-written file goes with it
        found = db.session.get_one(PreparedDownload, download_id)
        found.status = PreparedStatus.FAILED
        found.error = last_line(f"{type(error).__name__}: {error}")
    else:
        found.status = PreparedStatus.READY
        found.storage_key = key
    found.finished_at = utcnow()
    db.session.commit()  # publishes the file (tracker/evidence/storage.py)
