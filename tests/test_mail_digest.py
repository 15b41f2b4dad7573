"""The daily digest: `flask --app tracker send-reminders`, one message per person."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import (
    ChangeRequestFactory,
    EvidenceItemFactory,
    PersonFactory,
    TaskFactory,
    member,
)
from tests.smtp import Mailbox, text_body
from tracker.auth.models import MailPreference
from tracker.evidence.models import EvidenceStatus
from tracker.mail.digest import send_digest
from tracker.projects.models import Role

STATUS_DATE = dt.date(2010, 3, 10)


@pytest.fixture
def lead(db, project):
    """A work stream lead with a task due in a week and one late; the project's status date
    is set so that "due" is fixed."""
    project.status_date = STATUS_DATE
    person = PersonFactory(name="Lena Lead", email="lena@example.gov.uk")
    member(person, project, Role.WS_LEAD)
    for activity, days in (
        ("Customer insight workshop", 7),
        ("Complaints review", -3),
        ("Far off work", 60),
    ):
        TaskFactory(
            project=project,
            activity=activity,
            start_date=dt.date(2010, 1, 1),
            target_finish=STATUS_DATE + dt.timedelta(days=days),
            responsible=[person],
        )
    db.session.commit()
    return person


def send_reminders(app) -> str:
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_digest_lists_what_is_due_or_late_with_links(app, project, lead, smtp_server):
    nobody_waited_for = PersonFactory(email="idle@example.gov.uk")
    member(nobody_waited_for, project, Role.WS_MEMBER)
    output = send_reminders(app)  # both are queued; the idle one's job sends nothing
    assert (
        output.strip() == "Digests queued for 2 people; anyone with nothing waiting is sent none."
    )
    assert smtp_server.recipients == [["lena@example.gov.uk"]]
    message = smtp_server.messages[0]
    assert message["Subject"].startswith("CSE Tracker: what waits for you on ")
    text = text_body(message)
    assert project.name in text
    assert "Customer insight workshop" in text and "Complaints review" in text
    assert "Far off work" not in text
    assert f"http://127.0.0.1:5000/projects/{project.slug}/" in text
    assert "http://127.0.0.1:5000/account/email" in text


@pytest.mark.parametrize(
    ("preference", "sent"),
    [(MailPreference.IMMEDIATE, 1), (MailPreference.DIGEST, 1), (MailPreference.NONE, 0)],
)
def test_the_digest_follows_the_preference(db, app, lead, smtp_server, preference, sent):
    lead.mail_preference = preference
    db.session.commit()
    send_reminders(app)
    assert len(smtp_server.messages) == sent


def test_no_address_no_digest(db, app, lead, smtp_server):
    lead.email = None
    db.session.commit()
    assert send_reminders(app).startswith("Digests queued for 0 people")
    assert smtp_server.messages == []


def test_the_digest_carries_what_waits_for_a_manager(db, app, project, smtp_server: Mailbox):
    project.status_date = STATUS_DATE
    manager = PersonFactory(email="manager@example.gov.uk")
    member(manager, project, Role.MANAGER)
    ChangeRequestFactory(project=project)
    EvidenceItemFactory(project=project, status=EvidenceStatus.SUBMITTED, title="Survey 2009")
    db.session.commit()
    send_reminders(app)
    text = text_body(smtp_server.to("manager@example.gov.uk")[0])
    assert "Assess change request 1" in text
    assert "Survey 2009" in text


def grow(project, lead, how_many: int) -> None:
    """More of everything the digest reads: tasks for the lead and others, changes, evidence."""
    other = PersonFactory()
    for n in range(how_many):
        TaskFactory(
            project=project,
            start_date=dt.date(2010, 1, 1),
            target_finish=STATUS_DATE + dt.timedelta(days=n % 20),
            responsible=[lead, other],
        )
        ChangeRequestFactory(project=project)
        EvidenceItemFactory(project=project, status=EvidenceStatus.SUBMITTED)


def test_one_persons_digest_job_runs_a_fixed_number_of_queries(
    db, project, lead, count_queries, caplog
):
    member(lead, project, Role.MANAGER)  # every kind of work waits for them
    grow(project, lead, 2)
    db.session.commit()

    def counted() -> int:
        db.session.expire_all()
        caplog.clear()
        with count_queries as queries:
            send_digest(lead.id)  # the job: load the person, build, send (to the log here)
        assert "lena@example.gov.uk" in caplog.text
        return queries.count

    small = counted()
    grow(project, lead, 30)
    db.session.commit()
    assert counted() == small


def test_a_long_queue_is_cut_short_with_a_link_to_the_rest(db, app, project, lead, smtp_server):
    from tracker.mail.digest import DIGEST_ENTRIES_PER_PROJECT

    for n in range(DIGEST_ENTRIES_PER_PROJECT + 3):  # with the lead's 2: 5 more than the cap
        TaskFactory(
            project=project,
            activity=f"Numbered task {n:02d}",
            start_date=dt.date(2010, 1, 1),
            target_finish=STATUS_DATE + dt.timedelta(days=1),
            responsible=[lead],
        )
    db.session.commit()
    send_reminders(app)
    text = text_body(smtp_server.messages[0])
    # Oldest first: the late "Complaints review", then the numbered tasks due tomorrow.
    assert "Complaints review" in text and "Customer insight workshop" not in text
    assert text.count("Numbered task") == DIGEST_ENTRIES_PER_PROJECT - 1
    assert "and 5 more on the project's home page" in text
    assert f"http://127.0.0.1:5000/projects/{project.slug}/" in text
