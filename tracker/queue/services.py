"""One person's queue, or the whole project's, in a fixed number of queries.

`load_sources` reads every record that might wait for someone, each kind in one or two
queries whatever the project's size; the rules (rules.py) then pick out whom each waits for.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth.models import Person
from tracker.evidence.access import Viewer, viewer_for
from tracker.evidence.models import (
    ActionStatus,
    EvidenceItem,
    EvidenceStatus,
    EvidenceStep,
    GapAction,
)
from tracker.extensions import db
from tracker.issues.changes import project_changes
from tracker.permissions import project_roles
from tracker.plan.home import DUE_SOON_DAYS
from tracker.plan.models import Progress, Task, task_responsible
from tracker.plan.stage_reviews import reviews_awaiting_decision
from tracker.plan.tasks import led_work_stream_ids
from tracker.projects.models import Project, Role
from tracker.projects.status import status_date
from tracker.queue.rules import Sources, Waiting, Whom, london_date_of, queue
from tracker.risks.models import Risk


def _evidence(project: Project, whom: Whom) -> list[tuple[EvidenceItem, dt.date | None]]:
    """Submitted and returned items the reader may see, each with when it reached its status."""
    reached = (
        select(func.max(EvidenceStep.at))
        .where(
            EvidenceStep.item_id == EvidenceItem.id, EvidenceStep.to_status == EvidenceItem.status
        )
        .correlate(EvidenceItem)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(EvidenceItem, reached)
        .where(
            EvidenceItem.project_id == project.id,
            EvidenceItem.status.in_((EvidenceStatus.SUBMITTED, EvidenceStatus.RETURNED)),
            whom.viewer.visible_clause(),
        )
        .options(joinedload(EvidenceItem.work_stream))
        .order_by(EvidenceItem.id)
    )
    return [(item, london_date_of(at)) for item, at in rows]


def _tasks(project: Project, whom: Whom, horizon: dt.date) -> list[Task]:
    query = (
        select(Task)
        .where(
            Task.project_id == project.id,
            Task.target_finish <= horizon,
            Task.progress != Progress.COMPLETE,
            Task.actual_finish.is_(None),
        )
        .options(selectinload(Task.responsible))
        .order_by(Task.target_finish, Task.code)
    )
    if not whom.everyone:
        mine = select(task_responsible.c.task_id).where(
            task_responsible.c.person_id == whom.person_id
        )
        query = query.where(Task.id.in_(mine))
    return list(db.session.execute(query).scalars())


def _gap_actions(project: Project, whom: Whom, horizon: dt.date) -> list[GapAction]:
    query = (
        select(GapAction)
        .where(
            GapAction.project_id == project.id,
            GapAction.status != ActionStatus.DONE,
            GapAction.due_on <= horizon,
            GapAction.owner_id.is_not(None),
        )
        .options(joinedload(GapAction.owner), joinedload(GapAction.element))
        .order_by(GapAction.due_on, GapAction.id)
    )
    if not whom.everyone:
        query = query.where(GapAction.owner_id == whom.person_id)
    return list(db.session.execute(query).scalars())


def _risks(project: Project, today: dt.date) -> list[Risk]:
    return list(
        db.session.execute(
            select(Risk)
            .where(Risk.project_id == project.id, Risk.review_by <= today)
            .order_by(Risk.review_by, Risk.id)
        ).scalars()
    )


def load_sources(project: Project, whom: Whom, today: dt.date) -> Sources:
    """What might wait for `whom`, skipping the kinds none of their roles works on."""
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    decides = whom.holds("stage_review.decide")
    handles_changes = whom.holds("change.assess") or whom.holds("change.decide")
    reads_evidence = whom.holds("evidence.review") or bool(whom.led_stream_ids)
    return Sources(
        today=today,
        reviews=reviews_awaiting_decision(project) if decides else [],
        changes=project_changes(project) if handles_changes else [],
        evidence=_evidence(project, whom) if reads_evidence else [],
        risks=_risks(project, today) if whom.holds("risk.edit") else [],
        tasks=_tasks(project, whom, horizon),
        gap_actions=_gap_actions(project, whom, horizon),
    )


def person_whom(person: Person, project: Project, roles: frozenset[Role]) -> Whom:
    """Whom one person's queue is for: their roles, the streams they lead and what they see."""
    return Whom(
        slug=project.slug,
        roles=roles,
        viewer=viewer_for(person.id, project, roles),
        person_id=person.id,
        led_stream_ids=(
            led_work_stream_ids(person.id, project) if Role.WS_LEAD in roles else frozenset()
        ),
    )


def waiting_for(
    person: Person,
    project: Project,
    *,
    roles: frozenset[Role] | None = None,
    today: dt.date | None = None,
) -> list[Waiting]:
    """What waits for `person` in `project` at its status date, oldest first. `roles` and
    `today`, when the caller knows them already, save their queries."""
    roles = project_roles(person.id, project.id) if roles is None else roles
    today = status_date(project) if today is None else today
    whom = person_whom(person, project, roles)
    return queue(load_sources(project, whom, today), whom)


def waiting_in(project: Project, viewer: Viewer, today: dt.date) -> list[Waiting]:
    """Everything waiting for anyone in the project (the dashboard), oldest first: evidence only
    as far as `viewer`, the reader, may see it, and links to pages the reader may open."""
    whom = Whom(slug=project.slug, roles=viewer.roles, viewer=viewer)
    return queue(load_sources(project, whom, today), whom)
