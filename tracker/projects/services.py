"""The kernel's queries: how much each area holds (for the home page), the project's
memberships and members, and the audit trail, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.audit import AuditEvent
from tracker.auth.models import Person
from tracker.extensions import db
from tracker.filters import LONDON
from tracker.permissions import can
from tracker.projects.areas import Asker, counted_areas
from tracker.projects.models import Meeting, MeetingKind, Membership, Project


@dataclass(frozen=True)
class AreaCount:
    """How many records an area holds, and the page (endpoint) and action that open it."""

    label: str
    count: int
    endpoint: str | None = None
    action: str | None = None


def area_counts(asker: Asker) -> list[AreaCount]:
    """How much each area the asker's roles may open holds, in one query. An area they may not
    open is left out, count and all (and its count is not even built)."""
    areas = [area for area in counted_areas() if can(area.action, asker.roles)]
    row = db.session.execute(select(*(area.count(asker) for area in areas))).one()
    return [
        AreaCount(area.label, n, area.endpoint, area.action)
        for area, n in zip(areas, row, strict=True)
    ]


def project_memberships(project: Project) -> list[Membership]:
    return list(
        db.session.execute(
            select(Membership)
            .join(Person)
            .where(Membership.project_id == project.id)
            .options(selectinload(Membership.person), selectinload(Membership.work_stream))
            .order_by(Person.name, Membership.role)
        ).scalars()
    )


def project_members(project: Project, also: Person | None = None) -> list[Person]:
    """The people who hold any role in the project, by name, for choosing an owner or author.

    `also` (the person a record already names) is kept in the list even if they have since left
    the project, so that editing the record does not silently change it.
    """
    people = list(
        db.session.execute(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.project_id == project.id)
            .distinct()
            .order_by(Person.name)
        ).scalars()
    )
    if also is not None and all(p.id != also.id for p in people):
        people.append(also)
    return people


AUDIT_PAGE_SIZE = 50
AUDIT_ACTIONS = {"create": "Created", "update": "Changed", "delete": "Deleted"}


@dataclass(frozen=True)
class AuditFilter:
    """What the audit trail page is narrowed to; empty values mean everything."""

    table: str = ""
    record_id: int | None = None
    actor: str = ""
    action: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int
    tables: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)


def project_group_meetings(project: Project) -> list[Meeting]:
    """The project group meetings, oldest first: where stage reviews and major changes are
    decided."""
    return list(
        db.session.execute(
            select(Meeting)
            .where(Meeting.project_id == project.id, Meeting.kind == MeetingKind.PROJECT_GROUP)
            .order_by(Meeting.held_on)
        ).scalars()
    )


def _london_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), LONDON).astimezone(dt.UTC)


def audit_page(
    project: Project | None,
    wanted: AuditFilter,
    page: int,
    per_page: int,
    *,
    with_choices: bool = True,
) -> AuditPage:
    """One page of the project's trail (or, for no project, of the site's own records: people),
    newest first, in four queries whatever its size (two without the filter's choices of record
    types and people). Dates are days in London; `until` includes its whole day. A page past
    the end shows the last page."""
    scope = AuditEvent.project_id == project.id if project else AuditEvent.project_id.is_(None)
    where = [scope]
    if wanted.table:
        where.append(AuditEvent.table_name == wanted.table)
    if wanted.record_id is not None:
        where.append(AuditEvent.record_id == wanted.record_id)
    if wanted.actor:
        where.append(AuditEvent.actor_label == wanted.actor)
    if wanted.action in AUDIT_ACTIONS:
        where.append(AuditEvent.action == wanted.action)
    if wanted.since:
        where.append(AuditEvent.at >= _london_midnight(wanted.since))
    if wanted.until:
        where.append(AuditEvent.at < _london_midnight(wanted.until + dt.timedelta(days=1)))
    total = db.session.execute(select(func.count(AuditEvent.id)).where(*where)).scalar_one()
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    events = list(
        db.session.execute(
            select(AuditEvent)
            .where(*where)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).scalars()
    )

    def choices(column: object) -> list[str]:
        return list(
            db.session.execute(select(column).where(scope).distinct().order_by(column)).scalars()
        )

    if not with_choices:
        return AuditPage(events, total, page, pages)
    return AuditPage(
        events,
        total,
        page,
        pages,
        tables=choices(AuditEvent.table_name),
        actors=choices(AuditEvent.actor_label),
    )
