"""`flask --app tracker worker`: runs the jobs queued on Redis, inside the app's context.

It is a SimpleWorker: each job runs in the worker's own process, one after another, rather than
in a child forked for it (RQ's default). A forked child would inherit the database engine's
pooled connections and share their sockets with the parent; running in-process avoids that
without having to dispose of the pool in every child, and a tracker's jobs (a message, a PDF)
are short. After each job the database session is removed, so that every job starts with a
clean session and nothing one job left behind (an open transaction, stale objects) reaches
the next.
"""

from __future__ import annotations

import click
from rq import Queue
from rq.job import Job
from rq.worker import SimpleWorker

from tracker.extensions import db
from tracker.jobs.redis_queue import job_queue, redis_url


class TrackerWorker(SimpleWorker):
    """A SimpleWorker that gives each job a clean database session."""

    def perform_job(self, job: Job, queue: Queue) -> bool:
        try:
            return super().perform_job(job, queue)
        finally:
            db.session.remove()


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop (tests, cron).")
def worker_command(burst: bool) -> None:
    """Run the background jobs queued on Redis (REDIS_URL) until stopped."""
    if not redis_url():
        raise click.ClickException(
            "REDIS_URL is not set: jobs run in the web process, and no worker is needed."
        )
    queue = job_queue()
    worker = TrackerWorker([queue], connection=queue.connection)
    # The scheduler puts jobs whose retry wait is over back on the queue.
    worker.work(burst=burst, with_scheduler=True)
