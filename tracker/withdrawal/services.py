"""Withdrawing a record and restoring it. Each happens once: withdrawing a record already
withdrawn, or restoring one already back, is refused, so a stale page or a form sent twice
changes nothing. The audit hook records both, with the reason as the cause."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tracker.audit import because_of
from tracker.auth.models import Person
from tracker.database import INCLUDE_WITHDRAWN, WithdrawableMixin
from tracker.extensions import db
from tracker.issues.models import ChangeRequest, IssueLogEntry
from tracker.projects.models import Project
from tracker.rules import RuleRefused
from tracker.withdrawal.kinds import Kind, kind_of

REASON_MAX = 2000


def find_record(project: Project, kind: Kind, record_id: int) -> Any | None:
    """The record of `kind` with this id in `project`, withdrawn or not; None if there is none."""
    return db.session.execute(
        select(kind.model)
        .where(kind.model.id == record_id, kind.in_project(project.id))
        .execution_options(**INCLUDE_WITHDRAWN)
    ).scalar_one_or_none()


def _companions(record: WithdrawableMixin) -> list[WithdrawableMixin]:
    """Records that are withdrawn and restored with `record`: a change request's entry of type
    R in the issue log (PRINCE2 keeps both in one register)."""
    if isinstance(record, ChangeRequest) and record.issue_entry_id is not None:
        entry = db.session.execute(
            select(IssueLogEntry)
            .where(IssueLogEntry.id == record.issue_entry_id)
            .execution_options(**INCLUDE_WITHDRAWN)
        ).scalar_one()
        return [entry]
    return []


def withdraw(record: WithdrawableMixin, reason: str, person: Person, now: dt.datetime) -> None:
    """Withdraw `record` for `reason`, unless it is already withdrawn or its kind's rule refuses
    (the refusal says what depends on it)."""
    kind = kind_of(record)
    reason = reason.strip()
    if record.is_withdrawn:
        raise RuleRefused(f"This {kind.name} has already been withdrawn")
    if not reason:
        raise RuleRefused(f"Enter why the {kind.name} is being withdrawn", field="reason")
    if len(reason) > REASON_MAX:
        raise RuleRefused(f"The reason must be {REASON_MAX} characters or fewer", field="reason")
    refusal = kind.refusal(record)
    if refusal:
        raise RuleRefused(f"This {kind.name} cannot be withdrawn. {refusal}.")
    with because_of(f"Withdrawn: {reason}"):
        for each in [record, *_companions(record)]:
            if not each.is_withdrawn:
                each.withdrawn_at = now
                each.withdrawn_reason = reason
                each.withdrawn_by_id = person.id
        db.session.flush()


def restore(record: WithdrawableMixin, person: Person) -> None:
    """Bring a withdrawn record back, unless it is already back or what it belongs to is
    withdrawn. The audit trail names `person` (the signed-in user) as who restored it."""
    kind = kind_of(record)
    if not record.is_withdrawn:
        raise RuleRefused(f"This {kind.name} has already been restored")
    refusal = kind.restore_refusal(record)
    if refusal:
        raise RuleRefused(f"This {kind.name} cannot be restored. {refusal}.")
    with because_of(f"Restored by {person.name}"):
        for each in [record, *_companions(record)]:
            each.withdrawn_at = None
            each.withdrawn_reason = None
            each.withdrawn_by_id = None
        db.session.flush()


@dataclass(frozen=True)
class Withdrawn:
    """A withdrawn record as the withdrawn list shows it."""

    kind: Kind
    record: Any
    description: str
    withdrawn_by: Person | None


def withdrawn_records(project: Project, kinds: list[Kind]) -> list[Withdrawn]:
    """The project's withdrawn records of `kinds`, latest first: one query per kind and one for
    the people who withdrew them."""
    found: list[Any] = []
    for kind in kinds:
        found += db.session.execute(
            select(kind.model)
            .where(kind.in_project(project.id), kind.model.withdrawn_at.is_not(None))
            .execution_options(**INCLUDE_WITHDRAWN)
        ).scalars()
    ids = {record.withdrawn_by_id for record in found} - {None}
    people = {
        person.id: person
        for person in db.session.execute(select(Person).where(Person.id.in_(ids))).scalars()
    }
    found.sort(key=lambda record: record.withdrawn_at, reverse=True)
    return [
        Withdrawn(kind_of(r), r, kind_of(r).describe(r), people.get(r.withdrawn_by_id or 0))
        for r in found
    ]
