"""Requests for change (9.3, appendix 7): raising, assessing, proposing effects, deciding and
applying them.

- Raising a request for change writes part 1 and its issue log entry of type R, linked both ways.
- The impact analysis (part 2) and the proposed effects may be written again until the change is
  decided; a major change is never made minor by an edit (tracker.issues.classification decides
  major or minor, and who decides).
- `decide_change` records the decision; on approval `apply_effects` moves the proposed dates and
  budget provisions in the same transaction, with the audit trail naming the change request as
  the cause, or refuses the whole change (nothing applied) when a proposed date would break the
  plan (tracker.plan.conflicts: a finish-to-start dependency, the order of the stages, a task
  inside its stage).

Services flush, never commit: the request's transaction commits once it has succeeded. A rule
that refuses raises `RuleRefused`, whose `field` names the form field it belongs beside.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.audit import because_of
from tracker.auth.models import Person
from tracker.database import INCLUDE_WITHDRAWN
from tracker.extensions import db
from tracker.filters import LONDON
from tracker.filters import date as day_text
from tracker.filters import london_today as today
from tracker.happenings import announce
from tracker.issues.classification import (
    EFFECT_FIELDS,
    ChangeView,
    describe_change,
    describe_changes,
    load_targets,
    target_name,
)
from tracker.issues.log import new_entry, touch
from tracker.issues.models import (
    DECIDED,
    ChangeEffect,
    ChangeRequest,
    ChangeStatus,
    EffectTarget,
    EntryStatus,
    EntryType,
)
from tracker.numbering import flush_numbered
from tracker.plan.conflicts import plan_conflicts
from tracker.projects.models import Meeting, MeetingKind, Project, Role
from tracker.rules import RuleRefused
from tracker.transitions import Conflict, claim, locked

NUMBER_TAKEN = "The issue log changed while you wrote: send again"


class AlreadyDecided(RuleRefused, Conflict):
    """The request has been approved or rejected already: a decision is final."""


class NotAllowedToDecide(PermissionError):
    """The person does not hold the role that decides this change (a forged request)."""


def london_date(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(LONDON).date() if moment is not None else None


def _utc_start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), LONDON).astimezone(dt.UTC)


# Raising and assessing a change --------------------------------------------------------------


def next_change_number(project_id: int) -> int:
    highest = db.session.execute(
        select(func.max(ChangeRequest.number))
        .where(ChangeRequest.project_id == project_id)
        .execution_options(**INCLUDE_WITHDRAWN)  # a withdrawn request keeps its number
    ).scalar_one()
    return (highest or 0) + 1


def raise_change(
    project: Project,
    *,
    description: str,
    expected_benefits: str,
    requested_by: Person,
    on: dt.date,
) -> ChangeRequest:
    """Part 1 of the request for change, and its issue log entry of type R."""
    entry = new_entry(
        project,
        entry_type=EntryType.REQUEST_FOR_CHANGE,
        description=description,
        identified_on=on,
        author_id=requested_by.id,
        resolution="",
        status=EntryStatus.OPEN,
        on=on,
        number_taken=NUMBER_TAKEN,
    )
    change = ChangeRequest(
        project_id=project.id,
        number=next_change_number(project.id),
        issue_entry_id=entry.id,
        requested_by_id=requested_by.id,
        raised_on=on,
        description=description.strip(),
        expected_benefits=expected_benefits.strip(),
        status=ChangeStatus.RAISED,
    )
    db.session.add(change)
    flush_numbered(NUMBER_TAKEN, field="description")
    announce("change.raised", change, by=requested_by)
    return change


def _refuse_if_decided(
    change: ChangeRequest, to: ChangeStatus | None = None, *, field: str = "decision"
) -> None:
    """Refuse a decided change; with `to`, move it there once (tracker.transitions.claim)."""
    if change.status not in DECIDED and (to is None or claim(change, "status", to)):
        return
    db.session.refresh(change, ["status"])  # as someone else left it a moment ago
    if change.status in DECIDED:
        raise AlreadyDecided(
            f"Change request {change.number} has been {change.status.value} already: "
            "a decision cannot be changed",
            field=field,
        )


def _touch_entry(change: ChangeRequest, on: dt.date) -> None:
    if change.issue_entry is not None:
        touch(change.issue_entry, on)


def _was_major(change: ChangeRequest) -> bool:
    """Whether an assessed change is major as it stands, before an edit to its analysis."""
    return change.status is ChangeStatus.ASSESSED and describe_change(change).classification.major


def _keep_major(change: ChangeRequest, was_major: bool) -> None:
    """A major change is never made minor (9.3): if an edit to its analysis or effects would class
    it as minor, it stays major, as if the manager had raised it, and the sponsor decides it."""
    if was_major and not describe_change(change).classification.major:
        change.raised_to_major = True
        db.session.flush()


def assess_change(
    change: ChangeRequest,
    *,
    impact_days: int,
    impact_products: str,
    impact_cost_pence: int,
    needs_more_resources: bool,
    changes_requirements: bool,
    raise_to_major: bool,
    assessed_by: Person,
    now: dt.datetime,
) -> None:
    """Part 2, the impact analysis. May be written again until the change is decided.

    `raise_to_major` can only raise: a change raised to major stays major, and nothing lowers a
    change that the rule classes as major (a new analysis of a major change keeps it major).
    """
    was_major = _was_major(change)  # before the status moves to assessed
    _refuse_if_decided(change, ChangeStatus.ASSESSED)
    if impact_days < 0 or impact_cost_pence < 0:
        raise RuleRefused(
            "Days of work and the cost of the change must be 0 or more", field="impact_days"
        )
    change.impact_days = impact_days
    change.impact_products = impact_products.strip()
    change.impact_cost_pence = impact_cost_pence
    change.needs_more_resources = needs_more_resources
    change.changes_requirements = changes_requirements
    change.raised_to_major = change.raised_to_major or raise_to_major
    change.assessed_by_id = assessed_by.id
    change.assessed_at = now
    _touch_entry(change, london_date(now) or today())
    db.session.flush()
    _keep_major(change, was_major)
    announce("change.assessed", change, by=assessed_by)


def set_effect(
    change: ChangeRequest,
    *,
    target: EffectTarget,
    target_id: int,
    field_name: str,
    new_date: dt.date | None = None,
    new_amount_pence: int | None = None,
    on: dt.date,
) -> ChangeEffect:
    """Propose a new date or provision; a second proposal for the same thing replaces the first.
    Refusals belong beside the effect form's `target`."""
    _refuse_if_decided(change, field="target")
    if field_name not in EFFECT_FIELDS.get(target, {}):
        raise RuleRefused(
            f"A change cannot move the {field_name} of a {target.value}", field="target"
        )
    if target is EffectTarget.BUDGET_LINE:
        if new_amount_pence is None or new_amount_pence < 0:
            raise RuleRefused("Enter the new provision, £0 or more", field="target")
        new_date = None
    else:
        if new_date is None:
            raise RuleRefused("Enter the new date", field="target")
        new_amount_pence = None
    was_major = _was_major(change)
    effect = next(
        (
            e
            for e in change.effects
            if e.target is target and e.target_id == target_id and e.field == field_name
        ),
        None,
    )
    if effect is None:
        effect = ChangeEffect(target=target, target_id=target_id, field=field_name)
        change.effects.append(effect)
    effect.new_date = new_date
    effect.new_amount_pence = new_amount_pence
    _touch_entry(change, on)
    db.session.flush()
    _keep_major(change, was_major)
    return effect


def remove_effect(change: ChangeRequest, effect: ChangeEffect, *, on: dt.date) -> None:
    _refuse_if_decided(change)
    was_major = _was_major(change)
    change.effects.remove(effect)
    _touch_entry(change, on)
    db.session.flush()
    _keep_major(change, was_major)


# Reading changes ------------------------------------------------------------------------------


def _change_query(project: Project) -> Any:
    return (
        select(ChangeRequest)
        .where(ChangeRequest.project_id == project.id)
        .options(
            selectinload(ChangeRequest.effects),
            joinedload(ChangeRequest.issue_entry),
            joinedload(ChangeRequest.requested_by),
            joinedload(ChangeRequest.decided_by),
            joinedload(ChangeRequest.meeting),
        )
    )


def project_changes(project: Project) -> list[ChangeView]:
    """Every change request of the project, newest first, in a fixed number of queries."""
    changes = (
        db.session.execute(_change_query(project).order_by(ChangeRequest.number.desc()))
        .unique()
        .scalars()
        .all()
    )
    return describe_changes(project, changes)


def get_change(
    project: Project, change_id: int, *, for_update: bool = False
) -> ChangeRequest | None:
    """One change request of the project; `for_update` locks it till the commit (transitions)."""
    query = _change_query(project).where(ChangeRequest.id == change_id)
    query = locked(query, ChangeRequest) if for_update else query
    return db.session.execute(query).unique().scalar_one_or_none()


def changes_approved_between(
    project: Project, start: dt.date, end: dt.date, *, minor_only: bool = False
) -> list[ChangeView]:
    """Changes approved from `start` to `end` (both included, London dates), oldest first.

    For the highlight report: minor changes are approved by the project manager and reported at
    the next project group meeting (9.3). Each view carries its class and its effects.
    """
    changes = (
        db.session.execute(
            _change_query(project)
            .where(
                ChangeRequest.status == ChangeStatus.APPROVED,
                ChangeRequest.decided_at >= _utc_start_of(start),
                ChangeRequest.decided_at < _utc_start_of(end + dt.timedelta(days=1)),
            )
            .order_by(ChangeRequest.decided_at, ChangeRequest.number)
        )
        .unique()
        .scalars()
        .all()
    )
    views = describe_changes(project, changes)
    return [v for v in views if not (minor_only and v.classification.major)]


def project_group_meeting_on(project: Project, day: dt.date) -> Meeting:
    """The project group meeting held on `day`, recorded now if the tracker does not have it."""
    meeting = db.session.execute(
        select(Meeting)
        .where(
            Meeting.project_id == project.id,
            Meeting.kind == MeetingKind.PROJECT_GROUP,
            Meeting.held_on == day,
        )
        .order_by(Meeting.id)
        .limit(1)
    ).scalar_one_or_none()
    if meeting is None:
        meeting = Meeting(project_id=project.id, kind=MeetingKind.PROJECT_GROUP, held_on=day)
        db.session.add(meeting)
        db.session.flush()
    return meeting


# Deciding and applying ------------------------------------------------------------------------


def _effect_problems(
    project: Project, change: ChangeRequest, targets: Mapping[tuple[EffectTarget, int], Any]
) -> list[str]:
    """Everything that stops the effects being applied, checked before anything is changed."""
    problems: list[str] = []
    pending: dict[tuple[EffectTarget, int], dict[str, Any]] = defaultdict(dict)
    for effect in change.effects:
        obj = targets.get((effect.target, effect.target_id))
        if obj is None:
            problems.append(
                f"The {effect.target.value.replace('_', ' ')} this change moves is no longer in "
                "the plan: remove that effect first"
            )
            continue
        new = (
            effect.new_amount_pence
            if effect.target is EffectTarget.BUDGET_LINE
            else effect.new_date
        )
        pending[effect.target, effect.target_id][effect.field] = new
    for (target, target_id), values in pending.items():
        obj = targets[target, target_id]
        if target is EffectTarget.BUDGET_LINE:
            continue
        if target is EffectTarget.MILESTONE:
            continue
        start_field = "start_date"
        end_field = "target_finish" if target is EffectTarget.TASK else "end_date"
        start = values.get(start_field, getattr(obj, start_field, None))
        end = values.get(end_field, getattr(obj, end_field, None))
        if start is not None and end is not None and end < start:
            label = target_name(target, obj, target_id)
            problems.append(
                f"The new dates would make {label} end on {day_text(end)}, before it starts on "
                f"{day_text(start)}"
            )
    problems.extend(conflict.message() for conflict in plan_conflicts(project, change.effects))
    return problems


def apply_effects(project: Project, change: ChangeRequest, *, now: dt.datetime) -> None:
    """Move every proposed date and provision, keeping the value each replaced.

    Checks everything first: if any effect cannot be applied, or the new dates break the plan,
    raises RuleRefused listing why and changes nothing.
    """
    targets = load_targets(project, change.effects)
    problems = _effect_problems(project, change, targets)
    if problems:
        raise RuleRefused(
            "This change cannot be approved as it stands, and nothing has been changed: "
            + "; ".join(problems)
            + ". Change the proposed dates first.",
            field="decision",
        )
    for effect in change.effects:
        obj = targets[effect.target, effect.target_id]
        if effect.target is EffectTarget.BUDGET_LINE:
            effect.old_amount_pence = getattr(obj, effect.field)
            setattr(obj, effect.field, effect.new_amount_pence)
        else:
            effect.old_date = getattr(obj, effect.field)
            setattr(obj, effect.field, effect.new_date)
        effect.applied_at = now


def _check_meeting(
    project: Project, change: ChangeRequest, meeting: Meeting | None, now: dt.datetime
) -> None:
    """A major change is decided by the sponsor at a project group meeting that has been held,
    on or after the day the change was raised."""
    if meeting is None:
        raise RuleRefused(
            "Select the project group meeting at which the sponsor decided", field="meeting"
        )
    if meeting.project_id != project.id or meeting.kind is not MeetingKind.PROJECT_GROUP:
        raise RuleRefused("Select one of this project's project group meetings", field="meeting")
    if meeting.held_on < change.raised_on:
        raise RuleRefused(
            f"Select a meeting held on or after {day_text(change.raised_on)}, when the change "
            "was raised",
            field="meeting",
        )
    if meeting.held_on > (london_date(now) or today()):
        raise RuleRefused(
            "Select a meeting that has taken place: a decision is recorded after the meeting",
            field="meeting",
        )


def _close_entry(change: ChangeRequest, approve: bool, note: str, by: Person, on: dt.date) -> None:
    """The change's issue log entry is closed, with the decision as its resolution if it has
    none."""
    entry = change.issue_entry
    if entry is None:
        return
    entry.status = EntryStatus.CLOSED
    if not entry.resolution:
        verdict = "Approved" if approve else "Rejected"
        entry.resolution = f"{verdict} by {by.name} on {day_text(on)}" + (
            f": {note}" if note else "."
        )
    touch(entry, on)


def decide_change(
    project: Project,
    change: ChangeRequest,
    *,
    approve: bool,
    note: str,
    decided_by: Person,
    roles: frozenset[Role],
    meeting: Meeting | None,
    now: dt.datetime,
) -> ChangeView:
    """Approve or reject the change, as the person holding `roles`.

    Raises NotAllowedToDecide when none of `roles` is the one `who_decides` names, AlreadyDecided
    for a decided change, RuleRefused for anything else that stops it (no impact analysis yet, no
    reason for a rejection, no project group meeting for a major change, a broken dependency).
    On approval the effects are applied in the same transaction; the audit trail gives
    "Change request N" as the cause of every change made here.
    """
    view = describe_changes(project, [change])[0]
    if view.decider not in roles:
        raise NotAllowedToDecide(
            f"Change request {change.number} is decided by the {view.decider.label.lower()}"
        )
    _refuse_if_decided(change)
    if change.status is ChangeStatus.RAISED:
        raise RuleRefused(
            "The impact analysis (part 2) must be written before the change can be decided",
            field="decision",
        )
    note = note.strip()
    if not approve and not note:
        raise RuleRefused("Enter the reason for rejecting the change", field="note")
    if view.classification.major:
        _check_meeting(project, change, meeting, now)
    with because_of(f"Change request {change.number}"):
        _refuse_if_decided(change, ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED)
        if approve:
            apply_effects(project, change, now=now)
        change.decision_note = note
        change.decided_by_id = decided_by.id
        change.decided_at = now
        change.meeting_id = meeting.id if view.classification.major and meeting else None
        _close_entry(change, approve, note, decided_by, london_date(now) or today())
        db.session.flush()
    announce("change.decided", change, by=decided_by)
    return view
