"""The site administrator's page of background jobs that failed for good (/admin/jobs)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from redis.exceptions import RedisError
from werkzeug.wrappers import Response

from tracker.jobs import failures
from tracker.jobs.redis_queue import redis_url
from tracker.permissions import requires

bp = Blueprint("jobs", __name__)
log = logging.getLogger(__name__)


@bp.route("/admin/jobs")
@requires("admin.jobs")
def failed() -> str:
    jobs: list[failures.FailedJob] = []
    total = 0
    answering = True
    if redis_url():
        try:
            jobs, total = failures.failed_list()
        except RedisError:
            log.exception("Redis did not answer for the failed jobs page")
            answering = False
    return render_template(
        "jobs/failed.html",
        queued=bool(redis_url()),
        answering=answering,
        jobs=jobs,
        total=total,
        shown=failures.SHOWN,
        retries=current_app.config["JOB_RETRY_INTERVALS"],
        title="Background jobs",
    )


@bp.route("/admin/jobs/<job_id>/retry", methods=["POST"])
@requires("admin.jobs")
def retry(job_id: str) -> Response:
    return _act(failures.try_again, job_id, "The job is back on the queue: the worker will run it.")


@bp.route("/admin/jobs/<job_id>/remove", methods=["POST"])
@requires("admin.jobs")
def remove(job_id: str) -> Response:
    return _act(failures.remove, job_id, "The failed job was removed.")


def _act(action: Callable[[str], None], job_id: str, done: str) -> Response:
    """Run the action on a failed job and go back to the list; 404 when there is no such failed
    job (or no Redis)."""
    if not redis_url():
        abort(404)
    try:
        action(job_id)
    except LookupError:
        abort(404)
    except RedisError:
        log.exception("Redis did not answer for a failed job's %s", action.__name__)
        flash("The job queue (Redis) is not answering: nothing was changed. Try again later.")
    else:
        flash(done, "success")
    return redirect(url_for("jobs.failed"))
