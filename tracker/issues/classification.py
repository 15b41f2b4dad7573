"""Whether a request for change is major or minor (9.3), who decides it, and what that is
based on.

- `classify_change` is the one rule that says whether a change is major or minor, `who_decides`
  the one rule that routes it to the project manager (minor) or the project sponsor (major).
- `describe_changes` gathers what the rule is based on: each proposed effect in words with the
  value it replaces, and the money the budget has left (tracker.budget.money_then). An undecided
  change is compared with the plan and budget as they are now; a decided change keeps the class
  it was decided under.
- `EFFECT_FIELDS` names what a change may move, as the plan (tracker.plan.change_targets) and the
  budget (tracker.budget.change_targets) say; `target_name` and `target_label` put it in words.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from tracker.auth.models import Person
from tracker.budget.change_targets import MOVABLE_MONEY
from tracker.budget.models import BudgetLine
from tracker.budget.money_then import MoneyThen, ProvisionChange, load_money
from tracker.extensions import db
from tracker.filters import date as day_text
from tracker.filters import money
from tracker.issues.models import (
    DECIDED,
    ChangeEffect,
    ChangeRequest,
    ChangeStatus,
    EffectTarget,
)
from tracker.plan.change_targets import MOVABLE_DATES
from tracker.plan.models import Milestone, Stage, Task
from tracker.projects.models import Project, Role

# What a change may move, per kind of target: the column and how a person names it.
EFFECT_FIELDS: dict[EffectTarget, dict[str, str]] = {
    EffectTarget(kind): columns for kind, columns in (MOVABLE_DATES | MOVABLE_MONEY).items()
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


# The rule ------------------------------------------------------------------------------------


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
                f"It moves {move.label} later, from {day_text(move.old)} to {day_text(move.new)}"
            )
    if raised_to_major:
        reasons.append(
            "It was raised to a major change (by the project manager, or because it was major "
            "before its analysis changed): a major change is never made minor"
        )
    return Classification(major=bool(reasons), reasons=tuple(reasons))


def decider_for(classification: Classification) -> Role:
    return Role.SPONSOR if classification.major else Role.MANAGER


def who_decides(change: ChangeRequest, classification: Classification | None = None) -> Role:
    """The role that approves or rejects the change: the sponsor for a major change, at a project
    group meeting; the project manager for a minor one."""
    if classification is None:
        classification = describe_change(change).classification
    return decider_for(classification)


# What the rule is based on --------------------------------------------------------------------


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


def load_targets(
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


def _load_money(project: Project) -> MoneyThen:
    """The budget's money, with every provision an approved change moved and when, so that it
    can be wound back to the moment of a decision: three queries whatever the size."""
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
    return load_money(
        project,
        [
            ProvisionChange(at, line_id, (new or 0) - (old or 0))
            for at, line_id, old, new in applied
            if at is not None
        ],
    )


def _provision_rises(
    budget: MoneyThen, changes: Mapping[int, tuple[int, int]], as_of: dt.datetime | None
) -> list[ProvisionRise]:
    """Per funding source, its provision before and after the lines' (old, new) provisions in
    `changes` (keyed by line id): now, or as it stood just before the moment `as_of`."""
    deltas: dict[int, int] = defaultdict(int)
    for line_id, (old, new) in changes.items():
        if line_id in budget.line_sources:
            deltas[budget.line_sources[line_id]] += new - old
    rises: list[ProvisionRise] = []
    for source_id, delta in deltas.items():
        source = budget.sources[source_id]
        provision = budget.source_provision(source_id, as_of)
        rises.append(
            ProvisionRise(source.name, provision, provision + delta, source.allocation_pence)
        )
    return rises


def money_left_pence(project: Project) -> int:
    """What the budget has left: the provision of every line less everything spent."""
    return _load_money(project).remaining()


def _effects_in_words(
    change: ChangeRequest, targets: Mapping[tuple[EffectTarget, int], Any]
) -> tuple[list[EffectView], list[DateMove], dict[int, tuple[int, int]]]:
    """The change's effects in words; the dates they move; the provisions, by line id."""
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
    return effect_views, moves, provisions


def _assessors(changes: Sequence[ChangeRequest]) -> dict[int, Person]:
    ids = {c.assessed_by_id for c in changes if c.assessed_by_id is not None}
    if not ids:
        return {}
    return {p.id: p for p in db.session.execute(select(Person).where(Person.id.in_(ids))).scalars()}


def describe_changes(project: Project, changes: Sequence[ChangeRequest]) -> list[ChangeView]:
    """Each change with its effects in words, its class and who decides it.

    An undecided change is compared with the plan and budget as they are now. A decided change
    keeps the class it was decided under: the dates it moved are compared with the dates they
    replaced, and its cost with the money left just before the decision.

    A fixed number of queries however many changes and effects (the effects must be loaded).
    """
    targets = load_targets(project, [effect for change in changes for effect in change.effects])
    budget = _load_money(project) if changes else MoneyThen(0)
    assessors = _assessors(changes)
    views: list[ChangeView] = []
    for change in changes:
        effect_views, moves, provisions = _effects_in_words(change, targets)
        as_of = change.decided_at if change.status in DECIDED else None
        left = budget.remaining(as_of)
        classification = classify_change(
            cost_pence=change.impact_cost_pence,
            money_left_pence=left,
            needs_more_resources=change.needs_more_resources,
            changes_requirements=change.changes_requirements,
            date_moves=moves,
            raised_to_major=change.raised_to_major,
            provision_rises=_provision_rises(budget, provisions, as_of),
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
