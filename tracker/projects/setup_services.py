"""The rules of setting a project up: its details and dates, its work streams, services and
meetings. Each takes models and plain values, flushes, never commits, and refuses with
`RuleRefused` (the message goes beside the field it names), so nothing is half-saved.

The stages come through `Project.stages`: the kernel imports no other area."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import func, select

from tracker.database import utcnow
from tracker.extensions import db
from tracker.filters import date
from tracker.projects.models import (
    Meeting,
    MeetingKind,
    Membership,
    Project,
    Role,
    Service,
    WorkStream,
)
from tracker.rules import RuleRefused


class Dated(Protocol):
    """A stage as these rules see it."""

    number: int
    name: str
    start_date: dt.date
    end_date: dt.date


def project_date_problems(start: dt.date, end: dt.date, stages: Iterable[Dated]) -> dict[str, str]:
    """What is wrong with a project's dates, field name -> message: an end before the start,
    or stages that would fall outside the project (named, with their dates). Empty when none."""
    if end < start:
        return {"end_date": "The end date must be the same as or after the start date"}
    problems: dict[str, str] = {}
    early = [s for s in stages if s.start_date < start]
    late = [s for s in stages if s.end_date > end]
    if early:
        named = ", ".join(f"stage {s.number} ({s.name}) starts {date(s.start_date)}" for s in early)
        problems["start_date"] = f"The start date must be on or before every stage's start: {named}"
    if late:
        named = ", ".join(f"stage {s.number} ({s.name}) ends {date(s.end_date)}" for s in late)
        problems["end_date"] = f"The end date must be on or after every stage's end: {named}"
    return problems


def _assign(record: Any, values: dict[str, Any]) -> bool:
    """Set the values on the record; whether any of them changed."""
    changed = False
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def update_project(project: Project, **values: Any) -> bool:
    """Save the project's details (name, council, objective, scope, start and end dates):
    refused, with nothing changed, when the dates are wrong for the project's stages.
    Whether anything changed."""
    problems = project_date_problems(values["start_date"], values["end_date"], project.stages)
    if problems:
        field, message = next(iter(problems.items()))
        raise RuleRefused(message, field)
    changed = _assign(project, values)
    db.session.flush()
    return changed


def next_position(model: Any, project: Project) -> int:
    """The position that puts a new record of the project (a work stream, service, contact)
    after its others."""
    last = db.session.execute(
        select(func.max(model.position)).where(model.project_id == project.id)
    ).scalar()
    return (last or 0) + 1


# Work streams ----------------------------------------------------------------------------------


def stream_people(project: Project) -> dict[int, dict[Role, list[int]]]:
    """For each work stream of the project, the ids of its leads and members, in one query."""
    found: dict[int, dict[Role, list[int]]] = {}
    rows = db.session.execute(
        select(Membership.work_stream_id, Membership.role, Membership.person_id).where(
            Membership.project_id == project.id,
            Membership.role.in_((Role.WS_LEAD, Role.WS_MEMBER)),
            Membership.work_stream_id.is_not(None),
        )
    )
    for stream_id, role, person_id in rows:
        found.setdefault(stream_id, {}).setdefault(role, []).append(person_id)
    return found


def _set_stream_role(stream: WorkStream, role: Role, person_ids: Sequence[int]) -> bool:
    """Make exactly these people hold `role` in the stream: add the missing, remove the rest.
    Whether anything changed."""
    held = {
        m.person_id: m
        for m in db.session.execute(
            select(Membership).where(
                Membership.work_stream_id == stream.id, Membership.role == role
            )
        ).scalars()
    }
    gone = [membership for person_id, membership in held.items() if person_id not in person_ids]
    new = [person_id for person_id in dict.fromkeys(person_ids) if person_id not in held]
    for membership in gone:
        db.session.delete(membership)
    for person_id in new:
        db.session.add(
            Membership(
                project_id=stream.project_id,
                person_id=person_id,
                role=role,
                work_stream_id=stream.id,
            )
        )
    return bool(gone or new)


def save_work_stream(
    project: Project,
    stream: WorkStream | None,
    *,
    name: str,
    code: str,
    leads: Sequence[int],
    members: Sequence[int],
) -> WorkStream:
    """Add a work stream (stream None) or change one: its name, code, leads and members. The
    code is the stream's short name in the plan and the reports, so no two share one."""
    code = code.strip().upper()
    taken = select(WorkStream.id).where(
        WorkStream.project_id == project.id, func.upper(WorkStream.code) == code
    )
    if stream is not None:
        taken = taken.where(WorkStream.id != stream.id)
    if db.session.execute(taken).first() is not None:
        raise RuleRefused(f"Another work stream already has the code {code}", "code")
    both = set(leads) & set(members)
    if both:
        raise RuleRefused(
            "A person is either a lead or a member of the stream, not both", "members"
        )
    if stream is None:
        stream = WorkStream(project_id=project.id, position=next_position(WorkStream, project))
        db.session.add(stream)
    _assign(stream, {"name": name.strip(), "code": code})
    db.session.flush()
    leads_changed = _set_stream_role(stream, Role.WS_LEAD, leads)
    if _set_stream_role(stream, Role.WS_MEMBER, members) or leads_changed:
        # The stream's row version moves on, so that an edit form opened before is stale.
        stream.updated_at = utcnow()
    db.session.flush()
    return stream


# Services ----------------------------------------------------------------------------------------


def project_services(project: Project) -> list[Service]:
    return list(
        db.session.execute(
            select(Service)
            .where(Service.project_id == project.id)
            .order_by(Service.corporate_area, Service.position, Service.name)
        ).scalars()
    )


def save_service(
    project: Project,
    service: Service | None,
    *,
    name: str,
    corporate_area: str,
    work_stream_id: int | None = None,
) -> Service:
    """Add a service (service None) or change one. The self-assessment rates each service by
    its name, so no two services of a project share one."""
    name = name.strip()
    taken = select(Service.id).where(
        Service.project_id == project.id, func.lower(Service.name) == name.lower()
    )
    if service is not None:
        taken = taken.where(Service.id != service.id)
    if db.session.execute(taken).first() is not None:
        raise RuleRefused(f"The project already has a service called {name}", "name")
    if service is None:
        service = Service(project_id=project.id, position=next_position(Service, project))
        db.session.add(service)
    _assign(
        service,
        {
            "name": name,
            "corporate_area": corporate_area.strip(),
            "work_stream_id": work_stream_id or None,
        },
    )
    db.session.flush()
    return service


# Meetings ----------------------------------------------------------------------------------------


def project_meetings(project: Project) -> dict[MeetingKind, list[Meeting]]:
    """The project's meetings by kind (every kind, even with none), oldest first."""
    found: dict[MeetingKind, list[Meeting]] = {kind: [] for kind in MeetingKind}
    for meeting in db.session.execute(
        select(Meeting).where(Meeting.project_id == project.id).order_by(Meeting.held_on)
    ).scalars():
        found[meeting.kind].append(meeting)
    return found


def save_meeting(
    project: Project,
    meeting: Meeting | None,
    *,
    kind: MeetingKind,
    held_on: dt.date,
    month_only: bool,
    notes: str,
) -> Meeting:
    """Add a meeting (meeting None) or change one. A meeting known only by its month is kept
    on the month's first day."""
    if month_only:
        held_on = held_on.replace(day=1)
    if meeting is None:
        meeting = Meeting(project_id=project.id)
        db.session.add(meeting)
    _assign(meeting, {"kind": kind, "held_on": held_on, "month_only": month_only, "notes": notes})
    db.session.flush()
    return meeting
