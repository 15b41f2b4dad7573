"""Gap actions: what will be done about an element rated partially or not compliant.

An action belongs to an element, has an owner (a project member), a due date and a status;
finishing it records when. Services flush, never commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.models import Person
from tracker.evidence.models import ActionStatus, Element, GapAction
from tracker.extensions import db
from tracker.happenings import announce
from tracker.projects.models import Project
from tracker.transitions import assign


def save_action(
    action: GapAction,
    *,
    description: str,
    owner_id: int | None,
    due_on: dt.date | None,
    status: ActionStatus,
    now: dt.datetime,
    by: Person | None = None,
) -> GapAction:
    """Set an action's fields; moving to done records when, moving back clears it. A new owner
    is told (by e-mail) that the action is theirs."""
    new_owner = bool(owner_id) and owner_id != action.owner_id
    action.description = description.strip()
    action.owner_id = owner_id or None
    action.due_on = due_on
    if status is ActionStatus.DONE and action.status is not ActionStatus.DONE:
        action.completed_at = now
    elif status is not ActionStatus.DONE:
        action.completed_at = None
    assign(action, {"status": status})  # decided once (tracker.transitions)
    db.session.add(action)
    db.session.flush()
    if new_owner:
        db.session.refresh(action, ["owner", "element"])
        announce("gap_action.assigned", action, by=by)
    return action


def is_overdue(action: GapAction, today: dt.date) -> bool:
    """Not done and past its due date (the day after it)."""
    return (
        action.status is not ActionStatus.DONE
        and action.due_on is not None
        and (action.due_on < today)
    )


def project_actions(project: Project, *, owner_id: int | None = None) -> list[GapAction]:
    """The project's gap actions (or one owner's unfinished ones), soonest due first."""
    query = (
        select(GapAction)
        .where(GapAction.project_id == project.id)
        .options(selectinload(GapAction.owner), selectinload(GapAction.element))
        .order_by(GapAction.due_on.is_(None), GapAction.due_on, GapAction.id)
    )
    if owner_id is not None:
        query = query.where(GapAction.owner_id == owner_id, GapAction.status != ActionStatus.DONE)
    return list(db.session.execute(query).scalars())


def element_actions(project: Project, element: Element) -> list[GapAction]:
    return list(
        db.session.execute(
            select(GapAction)
            .where(GapAction.project_id == project.id, GapAction.element_id == element.id)
            .options(selectinload(GapAction.owner))
            .order_by(GapAction.due_on.is_(None), GapAction.due_on, GapAction.id)
        ).scalars()
    )
