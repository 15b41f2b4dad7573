"""Rules of the issue log (8.7) and of change control (9.3, appendix 7).

- Every issue log entry gets the next number ("04"); its "last updated" date is set here on every
  change to it or to its request for change, never typed.
- Raising a request for change writes part 1 and its issue log entry of type R, linked both ways.
- `classify_change` is the one rule that says whether a change is major or minor, `who_decides`
  the one rule that routes it to the project manager (minor) or the project sponsor (major).
- `decide_change` records the decision; on approval `apply_effects` moves the proposed dates and
  budget provisions in the same transaction, with the audit trail naming the change request as the
  cause, or refuses the whole change (nothing applied) when a proposed date would break a
  finish-to-start dependency, or would make a stage start before the stage before it ends (the
  stages run one after another: 8.1).

Services flush, never commit: the view commits once the whole request has succeeded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.audit import because_of
from tracker.auth.models import Person
from tracker.budget.models import BudgetLine, FundingSource, SpendEntry
from tracker.extensions import db
from tracker.filters import LONDON, money
from tracker.filters import london_today as today
from tracker.issues.models import (
    ChangeEffect,
    ChangeRequest,
    ChangeStatus,
    EffectTarget,
    EntryStatus,
    EntryType,
    IssueLogEntry,
)
from tracker.plan.baselines import dependency_keys
from tracker.plan.models import Milestone, Stage, Task, TaskDependency
from tracker.plan.schedule import Link
from tracker.projects.models import Meeting, MeetingKind, Project, Role
from tracker.transitions import Conflict, assign, claim, locked

DECIDED = frozenset({ChangeStatus.APPROVED, ChangeStatus.REJECTED})

# What a change may move, per kind of target: the column and how a person names it.
EFFECT_FIELDS: dict[EffectTarget, dict[str, str]] = {
    EffectTarget.TASK: {"start_date": "start", "target_finish": "target finish"},
    EffectTarget.MILESTONE: {"scheduled_finish": "scheduled finish"},
    EffectTarget.STAGE: {"start_date": "start", "end_date": "end"},
    EffectTarget.PROJECT: {"end_date": "end"},
    EffectTarget.BUDGET_LINE: {"provision_pence": "provision"},
}
# Dates that make a change major when they move later (9.3: "extend the timescale").
TIMESCALE_TARGETS = frozenset({EffectTarget.MILESTONE, EffectTarget.STAGE, EffectTarget.PROJECT})
_MODELS: dict[EffectTarget, type] = {
    EffectTarget.TASK: Task,
    EffectTarget.MILESTONE: Milestone,
    EffectTarget.STAGE: Stage,
    EffectTarget.PROJECT: Project,
    EffectTarget.BUDGET_LINE: BudgetLine,
}


class ChangeError(ValueError):
    """A change request cannot be saved, decided or applied as asked; the message says why.

    `field` names the form field the message belongs beside ("decision", "note", "meeting").
    """

    def __init__(self, message: str, *, field: str = "decision") -> None:
        super().__init__(message)
        self.field = field


class AlreadyDecided(ChangeError, Conflict):
    """The request has been approved or rejected already: a decision is final."""


class NotAllowedToDecide(PermissionError):
    """The person does not hold the role that decides this change (a forged request)."""


def london_date(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(LONDON).date() if moment is not None else None


def _utc_start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), LONDON).astimezone(dt.UTC)


# The issue log ------------------------------------------------------------------------------


def next_entry_number(project_id: int) -> str:
    """The next issue log number, two digits at least as the log writes them ("04")."""
    numbers = db.session.execute(
        select(IssueLogEntry.number).where(IssueLogEntry.project_id == project_id)
    ).scalars()
    highest = max((int(n) for n in numbers if n.isdigit()), default=0)
    return f"{highest + 1:02d}"


def touch(entry: IssueLogEntry, on: dt.date) -> None:
    """The tracker's own "last updated" date; called by every service that changes an entry."""
    entry.last_updated_on = on


def add_issue(
    project: Project,
    *,
    description: str,
    identified_on: dt.date,
    author_id: int | None,
    resolution: str = "",
    status: EntryStatus = EntryStatus.OPEN,
    on: dt.date,
) -> IssueLogEntry:
    """A new issue or question (type I). Requests for change get theirs from `raise_change`."""
    entry = IssueLogEntry(
        project_id=project.id,
        number=next_entry_number(project.id),
        type=EntryType.ISSUE,
        description=description.strip(),
        identified_on=identified_on,
        identified_month_only=False,
        author_id=author_id,
        resolution=resolution.strip(),
        status=status,
        last_updated_on=on,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def update_issue(
    entry: IssueLogEntry,
    *,
    description: str,
    identified_on: dt.date,
    author_id: int | None,
    resolution: str,
    status: EntryStatus,
    on: dt.date,
) -> bool:
    """Save an edited entry; returns whether anything changed (the date moves only then)."""
    values: dict[str, Any] = {
        "description": description.strip(),
        "author_id": author_id,
        "resolution": resolution.strip(),
        "status": status,
    }
    if identified_on != entry.identified_on:
        # A typed day replaces the month-only date the V1.2 log gives.
        values |= {"identified_on": identified_on, "identified_month_only": False}
    changed = assign(entry, values)  # its status decided once (tracker.transitions)
    if changed:
        touch(entry, on)
        db.session.flush()
    return changed


def issue_log(project: Project) -> list[IssueLogEntry]:
    """Every entry with its author and request for change: one query."""
    entries = (
        db.session.execute(
            select(IssueLogEntry)
            .where(IssueLogEntry.project_id == project.id)
            .options(joinedload(IssueLogEntry.author), joinedload(IssueLogEntry.change_request))
        )
        .unique()
        .scalars()
        .all()
    )
    return sorted(entries, key=_entry_order)


def _entry_order(entry: IssueLogEntry) -> tuple[int, int, str]:
    """Numbered entries in number order ("9" before "10"), anything else after them."""
    number = entry.number
    return (0, int(number), number) if number.isdigit() else (1, 0, number)


# Raising and assessing a change --------------------------------------------------------------


def next_change_number(project_id: int) -> int:
    highest = db.session.execute(
        select(func.max(ChangeRequest.number)).where(ChangeRequest.project_id == project_id)
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
    entry = IssueLogEntry(
        project_id=project.id,
        number=next_entry_number(project.id),
        type=EntryType.REQUEST_FOR_CHANGE,
        description=description.strip(),
        identified_on=on,
        identified_month_only=False,
        author_id=requested_by.id,
        resolution="",
        status=EntryStatus.OPEN,
        last_updated_on=on,
    )
    db.session.add(entry)
    db.session.flush()
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
    db.session.flush()
    return change


def _refuse_if_decided(change: ChangeRequest, to: ChangeStatus | None = None) -> None:
    """Refuse a decided change; with `to`, move it there once (tracker.transitions.claim)."""
    if change.status not in DECIDED and (to is None or claim(change, "status", to)):
        return
    db.session.refresh(change, ["status"])  # as someone else left it a moment ago
    if change.status in DECIDED:
        raise AlreadyDecided(
            f"Change request {change.number} has been {change.status.value} already: "
            "a decision cannot be changed"
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
        raise ChangeError("Days of work and the cost of the change must be 0 or more")
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
    """Propose a new date or provision; a second proposal for the same thing replaces the first."""
    _refuse_if_decided(change)
    if field_name not in EFFECT_FIELDS.get(target, {}):
        raise ChangeError(f"A change cannot move the {field_name} of a {target.value}")
    if target is EffectTarget.BUDGET_LINE:
        if new_amount_pence is None or new_amount_pence < 0:
            raise ChangeError("Enter the new provision, £0 or more")
        new_date = None
    else:
        if new_date is None:
            raise ChangeError("Enter the new date")
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


# The rules: major or minor, and who decides ---------------------------------------------------


@dataclass(frozen=True)
class DateMove:
    """A proposed date and the date it replaces (None when unknown)."""

    target: EffectTarget
    label: str
    old: dt.date | None
    new: dt.date


@dataclass(frozen=True)
class ProvisionRise:
    """What a change's new provisions do to one funding source: its lines' provision added up
    before and after, and its allocation."""

    source: str
    before_pence: int
    after_pence: int
    allocation_pence: int


@dataclass(frozen=True)
class Classification:
    major: bool
    # Why, in words; empty for a minor change.
    reasons: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return "Major" if self.major else "Minor"


def classify_change(
    *,
    cost_pence: int | None,
    money_left_pence: int,
    needs_more_resources: bool,
    changes_requirements: bool,
    date_moves: Iterable[DateMove],
    raised_to_major: bool = False,
    provision_rises: Iterable[ProvisionRise] = (),
) -> Classification:
    """Major or minor (9.3), the one rule.

    Major when the change needs more money than the budget has left, more resources, changed
    requirements, or a later date for a milestone, a stage or the project end; or when the
    project manager has raised it to major. Otherwise minor. A cost equal to the money left is
    still minor; a penny more is major. New provisions that take a funding source's lines above
    its allocation need more money than the source has, so they are major too; moving money
    between lines within the allocation is not.
    """
    reasons: list[str] = []
    if cost_pence is not None and cost_pence > money_left_pence:
        reasons.append(
            f"It costs {money(cost_pence)}, more than the {money(money_left_pence)} "
            "left in the budget"
        )
    for rise in provision_rises:
        if rise.after_pence > rise.before_pence and rise.after_pence > rise.allocation_pence:
            reasons.append(
                f"It raises the provision of {rise.source} to {money(rise.after_pence)}, "
                f"more than its allocation of {money(rise.allocation_pence)}"
            )
    if needs_more_resources:
        reasons.append("It needs more resources")
    if changes_requirements:
        reasons.append("It changes the requirements")
    for move in date_moves:
        if move.target in TIMESCALE_TARGETS and move.old is not None and move.new > move.old:
            reasons.append(
                f"It moves {move.label} later, from {_day(move.old)} to {_day(move.new)}"
            )
    if raised_to_major:
        reasons.append(
            "It was raised to a major change (by the project manager, or because it was major "
            "before its analysis changed): a major change is never made minor"
        )
    return Classification(major=bool(reasons), reasons=tuple(reasons))


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


def decider_for(classification: Classification) -> Role:
    return Role.SPONSOR if classification.major else Role.MANAGER


def who_decides(change: ChangeRequest, classification: Classification | None = None) -> Role:
    """The role that approves or rejects the change: the sponsor for a major change, at a project
    group meeting; the project manager for a minor one."""
    if classification is None:
        classification = describe_change(change).classification
    return decider_for(classification)


# Reading changes with everything they affect ---------------------------------------------------


@dataclass
class EffectView:
    effect: ChangeEffect
    label: str
    # The value now (undecided) or the value it replaced (applied); None if the target is gone.
    old: dt.date | int | None
    new: dt.date | int | None
    is_money: bool
    target_exists: bool

    @property
    def heading(self) -> str:
        """The label with a capital, to start a line."""
        return self.label[:1].upper() + self.label[1:]


@dataclass
class ChangeView:
    """A change request with what the pages show: its effects in words, its class and decider."""

    change: ChangeRequest
    effects: list[EffectView] = field(default_factory=list)
    money_left_pence: int = 0
    classification: Classification = field(default_factory=lambda: Classification(False))
    assessed_by: Person | None = None

    @property
    def assessed(self) -> bool:
        return self.change.status is not ChangeStatus.RAISED

    @property
    def decided(self) -> bool:
        return self.change.status in DECIDED

    @property
    def decider(self) -> Role:
        return decider_for(self.classification)


def target_name(target: EffectTarget, obj: Any, target_id: int) -> str:
    """What an effect moves, in words: "stage 1 Organisational Preparation"."""
    if obj is None:
        return f"{target.value.replace('_', ' ')} {target_id} (no longer in the plan)"
    if target is EffectTarget.TASK:
        return f"task {obj.code} {obj.activity}"
    if target is EffectTarget.MILESTONE:
        return f"milestone {obj.name}"
    if target is EffectTarget.STAGE:
        return f"stage {obj.number} {obj.name}"
    if target is EffectTarget.PROJECT:
        return "the project"
    return f"budget line {obj.product}"


def target_label(target: EffectTarget, obj: Any, field_name: str, target_id: int) -> str:
    """The name and the field: "stage 1 Organisational Preparation: end"."""
    what = EFFECT_FIELDS.get(target, {}).get(field_name, field_name)
    return f"{target_name(target, obj, target_id)}: {what}"


def _load_targets(
    project: Project, effects: Iterable[ChangeEffect]
) -> dict[tuple[EffectTarget, int], Any]:
    """The tasks, milestones, stages and budget lines the effects name: a query per kind named."""
    wanted: dict[EffectTarget, set[int]] = defaultdict(set)
    for effect in effects:
        wanted[effect.target].add(effect.target_id)
    found: dict[tuple[EffectTarget, int], Any] = {}
    for target, ids in wanted.items():
        if target is EffectTarget.PROJECT:
            if project.id in ids:
                found[target, project.id] = project
            continue
        model = _MODELS[target]
        rows = db.session.execute(
            select(model).where(model.id.in_(ids), model.project_id == project.id)
        ).scalars()
        for row in rows:
            found[target, row.id] = row
    return found


@dataclass(frozen=True)
class _Money:
    provision_pence: int
    spend_by_day: tuple[tuple[dt.date, int], ...]
    # (applied at, budget line, provision increase) of every applied budget effect, to wind
    # provisions back.
    provision_changes: tuple[tuple[dt.datetime, int, int], ...]
    # Each budget line's funding source, and each source's name, allocation and provision now.
    line_sources: Mapping[int, int] = field(default_factory=dict)
    sources: Mapping[int, tuple[str, int, int]] = field(default_factory=dict)

    def left(self, as_of: dt.datetime | None = None) -> int:
        """Provision less spend now, or as it stood just before the moment `as_of`."""
        if as_of is None:
            return self.provision_pence - sum(amount for _, amount in self.spend_by_day)
        day = london_date(as_of)
        assert day is not None
        provision = self.provision_pence - sum(
            delta for at, _, delta in self.provision_changes if at >= as_of
        )
        return provision - sum(amount for spent, amount in self.spend_by_day if spent <= day)

    def provision_rises(
        self, changes: Mapping[int, tuple[int, int]], as_of: dt.datetime | None = None
    ) -> list[ProvisionRise]:
        """Per funding source, its provision before and after the lines' (old, new) provisions
        in `changes` (keyed by line id): now, or as it stood just before the moment `as_of`."""
        deltas: dict[int, int] = defaultdict(int)
        for line_id, (old, new) in changes.items():
            if line_id in self.line_sources:
                deltas[self.line_sources[line_id]] += new - old
        rises: list[ProvisionRise] = []
        for source_id, delta in deltas.items():
            name, allocation, provision = self.sources[source_id]
            if as_of is not None:
                provision -= sum(
                    change
                    for at, line_id, change in self.provision_changes
                    if at >= as_of and self.line_sources.get(line_id) == source_id
                )
            rises.append(ProvisionRise(name, provision, provision + delta, allocation))
        return rises


def _loadmoney(project: Project) -> _Money:
    """Three queries whatever the size of the budget."""
    lines = db.session.execute(
        select(
            BudgetLine.id,
            BudgetLine.source_id,
            BudgetLine.provision_pence,
            FundingSource.name,
            FundingSource.allocation_pence,
        )
        .join(FundingSource, FundingSource.id == BudgetLine.source_id)
        .where(BudgetLine.project_id == project.id)
    ).all()
    spend = db.session.execute(
        select(SpendEntry.spent_on, func.sum(SpendEntry.amount_pence))
        .join(BudgetLine, BudgetLine.id == SpendEntry.line_id)
        .where(BudgetLine.project_id == project.id)
        .group_by(SpendEntry.spent_on)
    ).all()
    applied = db.session.execute(
        select(
            ChangeEffect.applied_at,
            ChangeEffect.target_id,
            ChangeEffect.old_amount_pence,
            ChangeEffect.new_amount_pence,
        )
        .join(ChangeRequest, ChangeRequest.id == ChangeEffect.change_request_id)
        .where(
            ChangeRequest.project_id == project.id,
            ChangeEffect.target == EffectTarget.BUDGET_LINE,
            ChangeEffect.applied_at.is_not(None),
        )
    ).all()
    provided: dict[int, int] = defaultdict(int)
    for line in lines:
        provided[line.source_id] += line.provision_pence
    return _Money(
        provision_pence=sum(line.provision_pence for line in lines),
        spend_by_day=tuple((day, int(amount)) for day, amount in spend),
        provision_changes=tuple(
            (at, line_id, (new or 0) - (old or 0))
            for at, line_id, old, new in applied
            if at is not None
        ),
        line_sources={line.id: line.source_id for line in lines},
        sources={
            line.source_id: (line.name, line.allocation_pence, provided[line.source_id])
            for line in lines
        },
    )


def money_left_pence(project: Project) -> int:
    """What the budget has left: the provision of every line less everything spent."""
    return _loadmoney(project).left()


def describe_changes(project: Project, changes: Sequence[ChangeRequest]) -> list[ChangeView]:
    """Each change with its effects in words, its class and who decides it.

    An undecided change is compared with the plan and budget as they are now. A decided change
    keeps the class it was decided under: the dates it moved are compared with the dates they
    replaced, and its cost with the money left just before the decision.

    A fixed number of queries however many changes and effects (the effects must be loaded).
    """
    all_effects = [effect for change in changes for effect in change.effects]
    targets = _load_targets(project, all_effects)
    money = _loadmoney(project) if changes else _Money(0, (), ())
    assessor_ids = {c.assessed_by_id for c in changes if c.assessed_by_id is not None}
    assessors = (
        {
            p.id: p
            for p in db.session.execute(select(Person).where(Person.id.in_(assessor_ids))).scalars()
        }
        if assessor_ids
        else {}
    )
    views: list[ChangeView] = []
    for change in changes:
        applied = change.status is ChangeStatus.APPROVED
        effect_views: list[EffectView] = []
        moves: list[DateMove] = []
        provisions: dict[int, tuple[int, int]] = {}
        for effect in change.effects:
            obj = targets.get((effect.target, effect.target_id))
            label = target_label(effect.target, obj, effect.field, effect.target_id)
            is_money = effect.target is EffectTarget.BUDGET_LINE
            if applied and effect.applied_at is not None:
                old = effect.old_amount_pence if is_money else effect.old_date
            else:
                old = getattr(obj, effect.field, None) if obj is not None else None
            new = effect.new_amount_pence if is_money else effect.new_date
            effect_views.append(EffectView(effect, label, old, new, is_money, obj is not None))
            if is_money and isinstance(old, int) and isinstance(new, int):
                provisions[effect.target_id] = (old, new)
            if not is_money and new is not None:
                what = EFFECT_FIELDS.get(effect.target, {}).get(effect.field, effect.field)
                thing = target_name(effect.target, obj, effect.target_id)
                moves.append(DateMove(effect.target, f"the {what} of {thing}", old, new))  # type: ignore[arg-type]
        as_of = change.decided_at if change.status in DECIDED else None
        left = money.left(as_of)
        classification = classify_change(
            cost_pence=change.impact_cost_pence,
            money_left_pence=left,
            needs_more_resources=change.needs_more_resources,
            changes_requirements=change.changes_requirements,
            date_moves=moves,
            raised_to_major=change.raised_to_major,
            provision_rises=money.provision_rises(provisions, as_of),
        )
        views.append(
            ChangeView(
                change=change,
                effects=effect_views,
                money_left_pence=left,
                classification=classification,
                assessed_by=assessors.get(change.assessed_by_id or 0),
            )
        )
    return views


def describe_change(change: ChangeRequest) -> ChangeView:
    project = db.session.get(Project, change.project_id)
    assert project is not None
    return describe_changes(project, [change])[0]


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


def project_group_meetings(project: Project) -> list[Meeting]:
    return list(
        db.session.execute(
            select(Meeting)
            .where(Meeting.project_id == project.id, Meeting.kind == MeetingKind.PROJECT_GROUP)
            .order_by(Meeting.held_on)
        ).scalars()
    )


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


# Dependencies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DependencyBreak:
    predecessor: str
    successor: str
    predecessor_finish: dt.date
    successor_start: dt.date
    earliest_start: dt.date
    successor_is_milestone: bool = False
    predecessor_is_milestone: bool = False

    def message(self) -> str:
        verb = "be reached" if self.successor_is_milestone else "start"
        finish = "be reached" if self.predecessor_is_milestone else "finish"
        return (
            f"{self.successor} would {verb} on {_day(self.successor_start)}, but it waits for "
            f"{self.predecessor}, which would {finish} on {_day(self.predecessor_finish)}: it "
            f"cannot {verb} before {_day(self.earliest_start)}"
        )


def broken_links(
    before: Mapping[str, tuple[dt.date, dt.date]],
    after: Mapping[str, tuple[dt.date, dt.date]],
    links: Iterable[Link],
    milestones: Iterable[str] = (),
) -> list[tuple[Link, dt.date, dt.date]]:
    """Finish-to-start links that the move from `before` to `after` breaks.

    Items are keyed as in tracker.plan.schedule ("t12", "m3") with (start, finish) dates; a
    predecessor already finished is given with its actual finish. As the forecast counts them, a
    task may start the day after its predecessor finishes (+ lag), a milestone on that day
    (+ lag). A link already broken before the move counts only if the move makes it worse, so an
    old slip in the plan does not block unrelated changes.

    Returns (link, earliest start, successor start) for each broken link.
    """
    milestones = set(milestones)
    broken: list[tuple[Link, dt.date, dt.date]] = []

    def shortfall(
        dates: Mapping[str, tuple[dt.date, dt.date]], link: Link
    ) -> tuple[int, dt.date, dt.date] | None:
        if link.predecessor not in dates or link.successor not in dates:
            return None
        gap = link.lag if link.successor in milestones else 1 + link.lag
        earliest = dates[link.predecessor][1] + dt.timedelta(days=gap)
        start = dates[link.successor][0]
        return (earliest - start).days, earliest, start

    for link in links:
        now = shortfall(after, link)
        if now is None or now[0] <= 0:
            continue
        was = shortfall(before, link)
        if was is not None and was[0] >= now[0]:
            continue
        broken.append((link, now[1], now[2]))
    return broken


def _plan_dates(
    project: Project,
) -> tuple[
    dict[str, tuple[dt.date, dt.date]], dict[str, str], set[str], dict[str, bool], list[Link]
]:
    tasks = db.session.execute(
        select(
            Task.id,
            Task.code,
            Task.activity,
            Task.start_date,
            Task.target_finish,
            Task.actual_finish,
        ).where(Task.project_id == project.id)
    ).all()
    milestones = db.session.execute(
        select(
            Milestone.id, Milestone.name, Milestone.scheduled_finish, Milestone.actual_finish
        ).where(Milestone.project_id == project.id)
    ).all()
    deps = db.session.execute(
        select(
            TaskDependency.predecessor_id,
            TaskDependency.predecessor_milestone_id,
            TaskDependency.successor_task_id,
            TaskDependency.successor_milestone_id,
            TaskDependency.lag_days,
        ).where(TaskDependency.project_id == project.id)
    ).all()
    dates: dict[str, tuple[dt.date, dt.date]] = {}
    names: dict[str, str] = {}
    finished: dict[str, bool] = {}
    for t in tasks:
        start = t.start_date or t.target_finish
        finish = t.actual_finish or t.target_finish or t.start_date
        if start is None or finish is None:
            continue
        dates[f"t{t.id}"] = (start, finish)
        names[f"t{t.id}"] = f"Task {t.code} {t.activity}"
        finished[f"t{t.id}"] = t.actual_finish is not None
    for m in milestones:
        day = m.actual_finish or m.scheduled_finish
        dates[f"m{m.id}"] = (day, day)
        names[f"m{m.id}"] = f"Milestone {m.name}"
        finished[f"m{m.id}"] = m.actual_finish is not None
    links = [
        Link(
            *dependency_keys(
                d.predecessor_id,
                d.predecessor_milestone_id,
                d.successor_task_id,
                d.successor_milestone_id,
            ),
            d.lag_days or 0,
        )
        for d in deps
    ]
    return dates, names, {f"m{m.id}" for m in milestones}, finished, links


def dependency_breaks(project: Project, change: ChangeRequest) -> list[DependencyBreak]:
    """The finish-to-start dependencies the change's proposed dates would break (three queries)."""
    date_effects = [
        e
        for e in change.effects
        if e.target in (EffectTarget.TASK, EffectTarget.MILESTONE) and e.new_date
    ]
    if not date_effects:
        return []
    before, names, milestones, finished, links = _plan_dates(project)
    after = dict(before)
    for effect in date_effects:
        key = f"{'t' if effect.target is EffectTarget.TASK else 'm'}{effect.target_id}"
        new = effect.new_date
        assert new is not None
        if finished.get(key):
            continue  # a finished task or milestone keeps its actual finish
        start, finish = after.get(key, (new, new))  # an undated task takes its dates from here
        if effect.target is EffectTarget.MILESTONE:
            start = finish = new
        elif effect.field == "start_date":
            start = new
        else:
            finish = new
        after[key] = (start, finish)
    moved = {k for k in after if after[k] != before.get(k)}
    relevant = [link for link in links if link.predecessor in moved or link.successor in moved]
    return [
        DependencyBreak(
            predecessor=names.get(link.predecessor, link.predecessor),
            successor=names.get(link.successor, link.successor),
            predecessor_finish=after[link.predecessor][1],
            successor_start=start,
            earliest_start=earliest,
            successor_is_milestone=link.successor in milestones,
            predecessor_is_milestone=link.predecessor in milestones,
        )
        for link, earliest, start in broken_links(before, after, relevant, milestones)
    ]


@dataclass(frozen=True)
class StageOverlap:
    """A change would make a stage start on or before the end of the stage before it."""

    earlier: str
    later: str
    earlier_end: dt.date
    later_start: dt.date

    def message(self) -> str:
        return (
            f"{self.later} would start on {_day(self.later_start)}, but {self.earlier} would "
            f"end on {_day(self.earlier_end)}: the stages run one after another, so move the "
            f"start of {self.later} too"
        )


def stage_overlaps(project: Project, change: ChangeRequest) -> list[StageOverlap]:
    """Stages that the change's proposed stage dates would make overlap (one query).

    As with dependencies, an overlap already in the plan counts only if the change makes it
    worse, so an old slip does not block an unrelated change.
    """
    moves = {
        (e.target_id, e.field): e.new_date
        for e in change.effects
        if e.target is EffectTarget.STAGE and e.new_date is not None
    }
    if not moves:
        return []
    stages = db.session.execute(
        select(Stage.id, Stage.number, Stage.name, Stage.start_date, Stage.end_date)
        .where(Stage.project_id == project.id)
        .order_by(Stage.number)
    ).all()
    overlaps: list[StageOverlap] = []
    for earlier, later in zip(stages, stages[1:], strict=False):
        end = moves.get((earlier.id, "end_date"), earlier.end_date)
        start = moves.get((later.id, "start_date"), later.start_date)
        if start > end or (end - start) <= (earlier.end_date - later.start_date):
            continue
        overlaps.append(
            StageOverlap(
                earlier=f"stage {earlier.number} {earlier.name}",
                later=f"stage {later.number} {later.name}",
                earlier_end=end,
                later_start=start,
            )
        )
    return overlaps


@dataclass(frozen=True)
class StageOverrun:
    """A change would make a task finish after the end of its stage."""

    task: str
    stage: str
    task_finish: dt.date
    stage_end: dt.date

    def message(self) -> str:
        return (
            f"{self.task} would finish on {_day(self.task_finish)}, after {self.stage} ends on "
            f"{_day(self.stage_end)}: the stage review would come before its work is done, so "
            f"move the end of {self.stage} too"
        )


def stage_overruns(project: Project, change: ChangeRequest) -> list[StageOverrun]:
    """Tasks that the change's proposed finishes would take past the end of their stage, taking
    any new stage end in the same change into account (one query).

    As with dependencies, an overrun already in the plan counts only if the change makes it
    worse.
    """
    finishes = {
        e.target_id: e.new_date
        for e in change.effects
        if e.target is EffectTarget.TASK and e.field == "target_finish" and e.new_date
    }
    if not finishes:
        return []
    stage_ends = {
        e.target_id: e.new_date
        for e in change.effects
        if e.target is EffectTarget.STAGE and e.field == "end_date" and e.new_date
    }
    rows = db.session.execute(
        select(Task.id, Task.code, Task.activity, Task.target_finish)
        .add_columns(Stage.id, Stage.number, Stage.end_date)
        .join(Stage, Stage.id == Task.stage_id)
        .where(Task.project_id == project.id, Task.id.in_(finishes))
        .order_by(Task.position, Task.id)
    ).all()
    overruns = []
    for task_id, code, activity, old_finish, stage_id, number, old_end in rows:
        finish, end = finishes[task_id], stage_ends.get(stage_id, old_end)
        already = (old_finish - old_end).days if old_finish else 0
        if finish > end and (finish - end).days > already:
            overruns.append(
                StageOverrun(
                    task=f"Task {code} {activity}",
                    stage=f"stage {number}",
                    task_finish=finish,
                    stage_end=end,
                )
            )
    return overruns


def plan_conflicts(
    project: Project, change: ChangeRequest
) -> list[DependencyBreak | StageOverlap | StageOverrun]:
    """Everything in the plan the change's proposed dates would break: the dependencies between
    tasks and milestones, the order of the stages, and a stage's work fitting inside it."""
    return [
        *dependency_breaks(project, change),
        *stage_overlaps(project, change),
        *stage_overruns(project, change),
    ]


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
                f"The new dates would make {label} end on {_day(end)}, before it starts on "
                f"{_day(start)}"
            )
    problems.extend(conflict.message() for conflict in plan_conflicts(project, change))
    return problems


def apply_effects(project: Project, change: ChangeRequest, *, now: dt.datetime) -> None:
    """Move every proposed date and provision, keeping the value each replaced.

    Checks everything first: if any effect cannot be applied, or the new dates break a
    finish-to-start dependency, raises ChangeError listing why and changes nothing.
    """
    targets = _load_targets(project, change.effects)
    problems = _effect_problems(project, change, targets)
    if problems:
        raise ChangeError(
            "This change cannot be approved as it stands, and nothing has been changed: "
            + "; ".join(problems)
            + ". Change the proposed dates first."
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
    for a decided change, ChangeError for anything else that stops it (no impact analysis yet, no
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
        raise ChangeError(
            "The impact analysis (part 2) must be written before the change can be decided"
        )
    note = note.strip()
    if not approve and not note:
        raise ChangeError("Enter the reason for rejecting the change", field="note")
    if view.classification.major:
        if meeting is None:
            raise ChangeError(
                "Select the project group meeting at which the sponsor decided", field="meeting"
            )
        if meeting.project_id != project.id or meeting.kind is not MeetingKind.PROJECT_GROUP:
            raise ChangeError(
                "Select one of this project's project group meetings", field="meeting"
            )
        if meeting.held_on < change.raised_on:
            raise ChangeError(
                f"Select a meeting held on or after {_day(change.raised_on)}, when the change "
                "was raised",
                field="meeting",
            )
        if meeting.held_on > (london_date(now) or today()):
            raise ChangeError(
                "Select a meeting that has taken place: a decision is recorded after the meeting",
                field="meeting",
            )
    with because_of(f"Change request {change.number}"):
        _refuse_if_decided(change, ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED)
        if approve:
            apply_effects(project, change, now=now)
        change.decision_note = note
        change.decided_by_id = decided_by.id
        change.decided_at = now
        change.meeting_id = meeting.id if view.classification.major and meeting else None
        entry = change.issue_entry
        if entry is not None:
            entry.status = EntryStatus.CLOSED
            if not entry.resolution:
                verdict = "Approved" if approve else "Rejected"
                entry.resolution = (
                    f"{verdict} by {decided_by.name} on {_day(london_date(now) or today())}"
                    + (f": {note}" if note else ".")
                )
            touch(entry, london_date(now) or today())
        db.session.flush()
    return view
