"""The daily digest: for each person who wants e-mail, what is due or late and what waits for
them in each of their projects (tracker.queue), in one message.

`flask --app tracker send-reminders` (tracker/cli.py) queues one `send_digest` job per person who
wants e-mail: with REDIS_URL set the worker builds and sends each, so 500 digests are 500 small
jobs (each retried on its own) rather than one long command. A person's digest runs
the same number of queries whatever the size of their projects (tests/test_mail_digest.py
counts them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.models import MailPreference, Person
from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.filters import london_today
from tracker.jobs import enqueue
from tracker.mail.notify import absolute_url, compose, links
from tracker.mail.send import Message, send_message
from tracker.projects.models import Membership, Project, Role
from tracker.queue.rules import Waiting
from tracker.queue.services import waiting_for

WANTS_DIGEST = (MailPreference.IMMEDIATE, MailPreference.DIGEST)
# A project's part of a digest lists at most this many entries, oldest first, then says how many
# more wait on the project's home page: a manager's queue on a large project runs to thousands.
DIGEST_ENTRIES_PER_PROJECT = 25


@dataclass(frozen=True)
class Entry:
    """One line of the digest: what waits, since or by when, and the absolute link to it."""

    waiting: Waiting
    link: str

    @property
    def when(self) -> str:
        if self.waiting.since is None:
            return ""
        return f"{self.waiting.since_means} {format_date(self.waiting.since)}"


@dataclass(frozen=True)
class Section:
    """One project's part of the digest: its first entries, how many more, and its home page."""

    project: Project
    entries: list[Entry]
    more: int
    home: str


def _wants_email() -> tuple[Any, ...]:
    """Who gets a digest: an address, an account in use, and e-mail wanted."""
    return (
        Person.email.is_not(None),
        Person.is_active_account.is_(True),
        Person.mail_preference.in_(WANTS_DIGEST),
    )


def person_to_remind(person_id: int) -> Person | None:
    """The person with their memberships and projects, if they still want a digest."""
    return (
        db.session.execute(
            select(Person)
            .where(Person.id == person_id, *_wants_email())
            .options(selectinload(Person.memberships).joinedload(Membership.project))
        )
        .unique()
        .scalar_one_or_none()
    )


def _projects(person: Person) -> list[tuple[Project, frozenset[Role]]]:
    roles: dict[int, set[Role]] = {}
    projects: dict[int, Project] = {}
    for membership in person.memberships:
        roles.setdefault(membership.project_id, set()).add(membership.role)
        projects[membership.project_id] = membership.project
    return [
        (projects[pid], frozenset(roles[pid]))
        for pid in sorted(projects, key=lambda pid: projects[pid].name)
    ]


def digest_for(person: Person) -> Message | None:
    """The person's digest, or None when nothing waits for them anywhere."""
    sections = []
    with links():
        for project, roles in _projects(person):
            entries = [
                Entry(w, absolute_url(w.endpoint, **w.values, _anchor=w.anchor))
                for w in waiting_for(person, project, roles=roles)
            ]
            if entries:
                sections.append(
                    Section(
                        project,
                        entries[:DIGEST_ENTRIES_PER_PROJECT],
                        max(0, len(entries) - DIGEST_ENTRIES_PER_PROJECT),
                        absolute_url("projects.home", slug=project.slug),
                    )
                )
        if not sections:
            return None
        subject = f"CSE Tracker: what waits for you on {format_date(london_today())}"
        return compose(person, "digest", subject, sections=sections)


def queue_digests() -> int:
    """Queue one digest job for each person who wants e-mail, to run once the caller commits;
    how many. Each job builds its person's digest (sending nothing when nothing waits)."""
    people = list(
        db.session.execute(select(Person.id).where(*_wants_email()).order_by(Person.id)).scalars()
    )
    for person_id in people:
        enqueue(send_digest, person_id)
    return len(people)


def send_digest(person_id: int) -> None:
    """The job: build the person's digest and send it (in the worker, or in this process just
    after the command's commit: tracker.jobs gives it a session of its own either way)."""
    person = person_to_remind(person_id)  # None: gone, or changed their mind since
    message = digest_for(person) if person is not None else None
    if message is not None:
        send_message(message)
