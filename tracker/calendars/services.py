"""A person's calendar feed (RFC 5545) and a single meeting's `.ics` file.

The feed's address is `/calendar/<person id>/<secret>.ics`, where the secret is an HMAC-SHA256,
made with the installation's SECRET_KEY, of the person's `calendar_key` (32 random bytes).

Why not a hash, as API tokens are kept (tracker/api/services.py)? A token is shown once and
then forgotten, which is right for a program's credential; but a calendar is subscribed to in
Outlook or Google Calendar by pasting an address, and the person must be able to copy the same
address again later (on another phone, for a colleague's shared calendar) without breaking the
subscriptions they already have. So the address must be re-makeable. Deriving it from a stored
random key and the SECRET_KEY keeps that, and still a copy of the database alone does not give
anyone a feed: the key is useless without the installation's secret. Resetting stores a new
key, so the old address stops working. Changing SECRET_KEY changes every feed's address (as it
ends every session), which is the right outcome after a leak of the secret.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app, url_for
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from tracker.auth.models import Person, new_calendar_key
from tracker.evidence.models import ActionStatus, AssessmentRound, GapAction
from tracker.extensions import db
from tracker.permissions import can
from tracker.plan.models import Milestone, Progress, Stage, StageReview, Task, task_responsible
from tracker.projects.models import Meeting, Membership, Project, Role

PRODID = "-//South Cambridgeshire District Council//CSE Tracker//EN"
# What each kind of entry needs the person to be allowed to see: the action of its page.
MEETINGS = "report.view_drafts"
PLAN = "plan.view"
RATINGS = "rating.view"


def feed_secret(person: Person) -> str:
    """The secret part of the person's feed address (see the module's docstring)."""
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode("utf-8")
    message = f"calendar:{person.id}:{person.calendar_key}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def feed_owner(person_id: int, secret: str) -> Person | None:
    """The active person whose feed address this is; None for a stale or guessed one.

    The secrets are compared in constant time, so timing tells a guesser nothing."""
    person = db.session.get(Person, person_id)
    if person is None or not person.is_active_account:
        return None
    return person if hmac.compare_digest(feed_secret(person), secret) else None


def reset_feed(person: Person) -> None:
    """Give the person a new feed address; the old one answers 404 from now on."""
    person.calendar_key = new_calendar_key()


@dataclass(frozen=True)
class Entry:
    """One all-day event: `last` is its last day (the same as `first` for a single day).

    The tracker keeps dates, never times of day, for all of these records, so each is an
    all-day event: the date the council wrote, whatever the time zone of the calendar."""

    uid: str
    summary: str
    first: dt.date
    stamp: dt.datetime
    endpoint: str
    arguments: dict = field(default_factory=dict)
    description: str = ""
    last: dt.date | None = None


def meeting_entry(meeting: Meeting, project: Project) -> Entry:
    when = " (day to be confirmed)" if meeting.month_only else ""
    return Entry(
        uid=f"meeting-{meeting.id}",
        summary=f"{meeting.kind.label} meeting{when}",
        first=meeting.held_on,
        stamp=meeting.updated_at,
        endpoint="projects.meetings",
        arguments={"slug": project.slug},
        description=f"{project.name}\n{meeting.notes}".strip(),
    )


def _project_roles(person: Person) -> dict[int, tuple[Project, frozenset[Role]]]:
    rows = db.session.execute(
        select(Project, Membership.role)
        .join(Membership, Membership.project_id == Project.id)
        .where(Membership.person_id == person.id)
    ).all()
    found: dict[int, tuple[Project, set[Role]]] = {}
    for project, role in rows:
        found.setdefault(project.id, (project, set()))[1].add(role)
    return {pid: (project, frozenset(roles)) for pid, (project, roles) in found.items()}


def _plan_entries(person: Person, projects: dict[int, Project]) -> Iterable[Entry]:
    """Stage reviews with a date, milestones, and the person's own unfinished tasks."""
    ids = list(projects)
    reviews = db.session.execute(
        select(StageReview)
        .join(StageReview.stage)
        .options(contains_eager(StageReview.stage))
        .where(Stage.project_id.in_(ids), StageReview.scheduled_on.is_not(None))
    ).scalars()
    for review in reviews:
        project = projects[review.stage.project_id]
        yield Entry(
            uid=f"stage-review-{review.id}",
            summary=f"Stage {review.stage.number} review: {review.stage.name}",
            first=review.scheduled_on,
            stamp=review.updated_at,
            endpoint="plan.stage_review",
            arguments={"slug": project.slug, "review_id": review.id},
            description=project.name,
        )
    for milestone in db.session.execute(
        select(Milestone).where(Milestone.project_id.in_(ids))
    ).scalars():
        project = projects[milestone.project_id]
        yield Entry(
            uid=f"milestone-{milestone.id}",
            summary=f"Milestone: {milestone.name}",
            first=milestone.actual_finish or milestone.scheduled_finish,
            stamp=milestone.updated_at,
            endpoint="plan.milestones",
            arguments={"slug": project.slug},
            description=project.name,
        )
    tasks = db.session.execute(
        select(Task)
        .join(task_responsible, task_responsible.c.task_id == Task.id)
        .where(
            task_responsible.c.person_id == person.id,
            Task.project_id.in_(ids),
            Task.target_finish.is_not(None),
            Task.actual_finish.is_(None),
            Task.progress != Progress.COMPLETE,
        )
    ).scalars()
    for task in tasks:
        project = projects[task.project_id]
        yield Entry(
            uid=f"task-{task.id}",
            summary=f"Task due: {task.code} {task.activity}",
            first=task.target_finish,
            stamp=task.updated_at,
            endpoint="plan.work_plan",
            arguments={"slug": project.slug, "person": person.id},
            description=project.name,
        )


def _rating_entries(person: Person, projects: dict[int, Project]) -> Iterable[Entry]:
    """Assessment rounds with dates, and the person's own open gap actions with a due date."""
    ids = list(projects)
    rounds = db.session.execute(
        select(AssessmentRound).where(
            AssessmentRound.project_id.in_(ids), AssessmentRound.held_from.is_not(None)
        )
    ).scalars()
    for round_ in rounds:
        project = projects[round_.project_id]
        yield Entry(
            uid=f"assessment-round-{round_.id}",
            summary=f"Assessment: {round_.name}",
            first=round_.held_from,
            last=round_.held_to,
            stamp=round_.updated_at,
            endpoint="evidence.matrix",
            arguments={"slug": project.slug, "round_id": round_.id},
            description=project.name,
        )
    actions = db.session.execute(
        select(GapAction)
        .options(joinedload(GapAction.element))
        .where(
            GapAction.owner_id == person.id,
            GapAction.project_id.in_(ids),
            GapAction.due_on.is_not(None),
            GapAction.status != ActionStatus.DONE,
        )
    ).scalars()
    for action in actions:
        project = projects[action.project_id]
        title = action.description.splitlines()[0] if action.description else ""
        yield Entry(
            uid=f"gap-action-{action.id}",
            summary=f"Gap action due: {action.element.code} {title}".strip(),
            first=action.due_on,
            stamp=action.updated_at,
            endpoint="evidence.gap_actions",
            arguments={"slug": project.slug},
            description=f"{project.name}\n{action.description}",
        )


def feed_entries(person: Person) -> list[Entry]:
    """Everything in the person's feed, in each of their projects as far as their roles there
    let them see it: at most seven queries, whatever the number of projects or records."""
    roles = _project_roles(person)

    def allowed(action: str) -> dict[int, Project]:
        return {pid: project for pid, (project, held) in roles.items() if can(action, held)}

    entries: list[Entry] = []
    meeting_projects = allowed(MEETINGS)
    if meeting_projects:
        meetings = db.session.execute(
            select(Meeting).where(Meeting.project_id.in_(list(meeting_projects)))
        ).scalars()
        entries += [meeting_entry(m, meeting_projects[m.project_id]) for m in meetings]
    if plan_projects := allowed(PLAN):
        entries += _plan_entries(person, plan_projects)
    if rating_projects := allowed(RATINGS):
        entries += _rating_entries(person, rating_projects)
    return sorted(entries, key=lambda entry: (entry.first, entry.uid))


def _event(entry: Entry, domain: str) -> Event:
    event = Event()
    event.add("uid", f"{entry.uid}@{domain}")
    event.add("dtstamp", entry.stamp.astimezone(dt.UTC))
    event.add("last-modified", entry.stamp.astimezone(dt.UTC))
    event.add("summary", entry.summary)
    event.add("dtstart", entry.first)
    # DTEND of an all-day event is the day after its last day (RFC 5545 3.6.1).
    event.add("dtend", max(entry.last or entry.first, entry.first) + dt.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    url = url_for(entry.endpoint, _external=True, **entry.arguments)
    event.add("url", url)
    event.add("description", f"{entry.description}\n{url}".strip())
    return event


def calendar_file(name: str, entries: Iterable[Entry], domain: str) -> bytes:
    """The entries as one VCALENDAR, ready to publish (METHOD:PUBLISH)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/London")
    for entry in entries:
        calendar.add_component(_event(entry, domain))
    return calendar.to_ical()
