"""The background worker on the real Redis (TEST_REDIS_URL, a database of its own emptied for
each test), with a real SMTP server (aiosmtpd on a loopback port) receiving the messages."""

from __future__ import annotations

import datetime as dt
import os
import signal
import smtplib
import socket
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import func, select

from tests.factories import PersonFactory, TaskFactory, make_project, member
from tests.html import text_of
from tests.smtp import Mailbox as TrackerMailbox
from tests.smtp import text_body
from tracker.auth.models import Person
from tracker.extensions import db
from tracker.jobs import enqueue
from tracker.jobs.redis_queue import job_queue
from tracker.projects.models import Role

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

ran: list[str] = []


def note(word: str) -> None:
    """A job: what it was given is noted here (the burst worker runs in the test's process)."""
    ran.append(word)


def count_people() -> None:
    """A job that reads the database with the worker's own session."""
    ran.append(str(db.session.scalar(select(func.count(Person.id)))))


def fail(word: str) -> None:
    """A job that always fails, naming an address the admin page must not show."""
    ran.append(word)
    raise ConnectionRefusedError("mail to someone@example.org refused")


def send_mail(port: int, to: str, subject: str) -> None:
    """A job that sends a message through the SMTP server on the loopback port; it raises (and
    so is retried) when the server refuses."""
    message = EmailMessage()
    message["From"] = "tracker@example.org"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("A stage review waits for your decision.")
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
        smtp.send_message(message)


@pytest.fixture
def redis_app(app: Flask) -> Iterator[Flask]:
    """The app with REDIS_URL set to the test database, emptied before and after the test."""
    client = Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {TEST_REDIS_URL}: {error}")
        pytest.skip(f"Redis does not answer at {TEST_REDIS_URL}")
    client.flushdb()
    ran.clear()
    saved = {key: app.config[key] for key in ("REDIS_URL", "JOB_RETRY_INTERVALS")}
    app.config.update(REDIS_URL=TEST_REDIS_URL, JOB_RETRY_INTERVALS=(0, 0))
    try:
        yield app
    finally:
        app.config.update(saved)
        client.flushdb()


def run_worker(app: Flask) -> None:
    """`flask --app tracker worker --burst`, in an app context of its own as in production."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert result.exit_code == 0, result.output


def queue() -> Queue:
    return job_queue()


def test_a_committed_call_is_queued_on_redis_and_run_by_the_worker(redis_app: Flask) -> None:
    enqueue(note, "queued")
    assert queue().count == 0
    db.session.commit()
    assert queue().count == 1
    assert queue().jobs[0].func_name == "tests.test_worker.note"
    assert ran == []  # not run in the request's process
    run_worker(redis_app)
    assert ran == ["queued"]
    assert queue().count == 0


def test_a_job_reads_the_database_in_the_worker(redis_app: Flask) -> None:
    PersonFactory()
    PersonFactory()
    enqueue(count_people)
    db.session.commit()
    run_worker(redis_app)
    assert ran == ["2"]


def test_a_call_the_worker_could_not_import_runs_in_process(
    redis_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    enqueue(lambda: ran.append("here"))
    db.session.commit()
    assert ran == ["here"]
    assert queue().count == 0
    assert "use a module-level function" in caplog.text


def test_a_rolled_back_call_is_never_queued(redis_app: Flask) -> None:
    enqueue(note, "never")
    db.session.rollback()
    db.session.commit()
    assert queue().count == 0


def test_a_failing_job_is_retried_then_kept_for_the_admin(
    redis_app: Flask, client, login_as: Callable[..., Any]
) -> None:
    enqueue(fail, "try")
    db.session.commit()
    run_worker(redis_app)
    assert ran == ["try"] * 3  # the first run and two retries (JOB_RETRY_INTERVALS)
    registry = queue().failed_job_registry
    assert registry.count == 1
    job_id = registry.get_job_ids()[0]

    login_as(admin=True)
    listing = client.get("/admin/jobs")
    assert listing.status_code == 200
    text = text_of(listing)
    assert "tests.test_worker.fail" in text
    assert "ConnectionRefusedError: mail to [address] refused" in text
    assert "tried again 2 times" in text
    assert "Not recorded" not in text  # when it failed
    assert "someone@example.org" not in listing.get_data(as_text=True)
    assert "Traceback" not in listing.get_data(as_text=True)

    again = client.post(f"/admin/jobs/{job_id}/retry")
    assert again.status_code == 302
    assert registry.count == 0
    assert queue().job_ids == [job_id]
    run_worker(redis_app)
    assert ran == ["try"] * 4  # tried once more, and kept again
    assert registry.count == 1

    removed = client.post(f"/admin/jobs/{job_id}/remove")
    assert removed.status_code == 302
    assert registry.count == 0
    assert "No job has failed" in text_of(client.get("/admin/jobs"))
    assert client.post(f"/admin/jobs/{job_id}/remove").status_code == 404


def test_only_the_site_admin_sees_the_jobs(redis_app: Flask, client, login_as) -> None:
    login_as("manager")
    assert client.get("/admin/jobs").status_code == 403
    assert client.post("/admin/jobs/anything/retry").status_code == 403


def test_without_redis_the_page_says_jobs_run_in_process(app: Flask, client, login_as) -> None:
    login_as(admin=True)
    text = text_of(client.get("/admin/jobs"))
    assert "REDIS_URL is not set" in text
    assert client.post("/admin/jobs/anything/retry").status_code == 404


def test_the_worker_needs_redis_url(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_redis_down_the_request_succeeds_and_the_call_runs_in_process(
    redis_app: Flask, client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    redis_app.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    sign_in_page = redis_app.view_functions["auth.sign_in"]

    def enqueuing_view(*args: Any, **kwargs: Any) -> Any:
        enqueue(note, "in-process")
        return sign_in_page(*args, **kwargs)

    monkeypatch.setitem(redis_app.view_functions, "auth.sign_in", enqueuing_view)
    assert client.get("/sign-in").status_code == 200
    assert ran == ["in-process"]
    assert "Could not queue job tests.test_worker.note on Redis" in caplog.text


def test_redis_down_the_jobs_page_says_so(redis_app: Flask, client, login_as) -> None:
    redis_app.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    login_as(admin=True)
    assert "The job queue (Redis) is not answering" in text_of(client.get("/admin/jobs"))
    answer = client.post("/admin/jobs/some-job/retry")
    assert answer.status_code == 302
    assert "nothing was changed" in text_of(client.get("/admin/jobs"))


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts, or refuses everything while `refusing`."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.refusing = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refusing:
            return "451 4.3.0 Try again later"
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _closed_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def test_the_worker_sends_a_message_to_the_smtp_server(
    redis_app: Flask, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    enqueue(send_mail, port, "sponsor@example.org", "Stage review requested")
    db.session.commit()
    assert box.messages == []
    run_worker(redis_app)
    assert len(box.messages) == 1
    assert b"Subject: Stage review requested" in box.messages[0]


def test_a_refused_send_is_retried_after_its_wait(
    redis_app: Flask, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    box.refusing = True
    redis_app.config["JOB_RETRY_INTERVALS"] = (1,)
    enqueue(send_mail, port, "sponsor@example.org", "Change decided")
    db.session.commit()
    run_worker(redis_app)
    assert box.messages == []
    assert queue().scheduled_job_registry.count == 1  # waiting for its retry
    assert queue().failed_job_registry.count == 0

    box.refusing = False
    time.sleep(2)  # the retry's wait is over
    run_worker(redis_app)
    assert len(box.messages) == 1
    assert queue().failed_job_registry.count == 0


def test_the_tracker_s_own_messages_go_through_the_worker(
    redis_app: Flask, smtp_server: TrackerMailbox
) -> None:
    """send-reminders queues one digest job per person; the worker builds and sends each."""
    project = make_project()
    project.status_date = dt.date(2010, 3, 10)
    lead = PersonFactory(name="Lena Lead", email="lena@example.gov.uk")
    idle = PersonFactory(email="idle@example.gov.uk")
    member(lead, project, Role.WS_LEAD)
    member(idle, project, Role.WS_MEMBER)
    TaskFactory(
        project=project,
        activity="Complaints review",
        start_date=dt.date(2010, 1, 1),
        target_finish=dt.date(2010, 3, 7),
        responsible=[lead],
    )
    db.session.commit()
    result = redis_app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.output.startswith("Digests queued for 2 people")
    assert queue().count == 2
    assert smtp_server.messages == []  # nothing is built or sent in the command's process
    run_worker(redis_app)
    assert smtp_server.recipients == [["lena@example.gov.uk"]]
    assert "Complaints review" in text_body(smtp_server.messages[0])
