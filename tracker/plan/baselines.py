"""The current plan as one loaded piece, its forecast, named baselines and comparisons.

`load_plan` reads everything the timeline pages show in a fixed number of queries. A baseline is
a read-only copy of the plan's dates ("V1.2 26 Feb 2010"): one entry per stage, task and
milestone in `PlanBaseline.items`, in the same shape the seed loader writes. Comparing the plan
with a baseline says what moved and by how many days, and what was added or removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from tracker.auth.models import Person
from tracker.extensions import db
from tracker.plan.models import (
    Milestone,
    PlanBaseline,
    Progress,
    Stage,
    Task,
    TaskDependency,
)
from tracker.plan.schedule import Forecast, Item, Link, forecast
from tracker.plan.work_plan import attach_responsible, project_work_streams
from tracker.projects.models import Project, WorkStream
from tracker.rules import RuleRefused

KINDS = ("stage", "task", "milestone")
KIND_LABELS = {"stage": "Stages", "task": "Tasks", "milestone": "Milestones"}


def task_key(task_id: int) -> str:
    return f"t{task_id}"


def milestone_key(milestone_id: int) -> str:
    return f"m{milestone_id}"


@dataclass
class PlanData:
    """Everything about a project's plan that the timeline pages need, loaded at once."""

    project: Project
    stages: list[Stage]
    work_streams: list[WorkStream]
    tasks: list[Task]
    milestones: list[Milestone]
    dependencies: list[TaskDependency]

    _links: list[Link] | None = field(default=None, init=False, repr=False, compare=False)

    def links(self) -> list[Link]:
        """The dependencies as links between schedule keys, worked out once per plan."""
        if self._links is None:
            self._links = [dependency_link(dep) for dep in self.dependencies]
        return self._links

    def schedule_items(self) -> list[Item]:
        """Dated tasks and milestones. A task marked complete without an actual finish is taken
        as finished on its target: it is done, so nothing before it can move it any more."""
        items: list[Item] = []
        for task in self.tasks:
            start = task.start_date or task.target_finish
            finish = task.target_finish or task.start_date
            if start is None or finish is None:
                continue
            done = task.actual_finish or (finish if task.progress is Progress.COMPLETE else None)
            items.append(Item(task_key(task.id), start, finish, done))
        for milestone in self.milestones:
            day = milestone.scheduled_finish
            items.append(
                Item(milestone_key(milestone.id), day, day, milestone.actual_finish, milestone=True)
            )
        return items

    def forecast(self, as_of: dt.date | None = None) -> dict[Hashable, Forecast]:
        """Forecast dates of every dated task and milestone (raises CycleError on a circle)."""
        return forecast(self.schedule_items(), self.links(), as_of=as_of)


def dependency_keys(
    predecessor_task_id: int | None,
    predecessor_milestone_id: int | None,
    successor_task_id: int | None,
    successor_milestone_id: int | None,
) -> tuple[str, str]:
    """The schedule keys ("t12", "m3") of a dependency's predecessor and successor, from its
    four columns (exactly one of each pair is set)."""
    predecessor = (
        task_key(predecessor_task_id)
        if predecessor_task_id is not None
        else milestone_key(predecessor_milestone_id or 0)
    )
    successor = (
        task_key(successor_task_id)
        if successor_task_id is not None
        else milestone_key(successor_milestone_id or 0)
    )
    return predecessor, successor


def dependency_link(dep: TaskDependency) -> Link:
    predecessor, successor = dependency_keys(
        dep.predecessor_id,
        dep.predecessor_milestone_id,
        dep.successor_task_id,
        dep.successor_milestone_id,
    )
    return Link(predecessor, successor, dep.lag_days or 0)


def new_dependency(project_id: int, link: Link) -> TaskDependency:
    """A dependency record for a link between schedule keys ("t12" or "m3" on either side)."""

    def ids(key: Hashable) -> tuple[int | None, int | None]:
        kind, number = str(key)[0], int(str(key)[1:])
        return (number, None) if kind == "t" else (None, number)

    predecessor_id, predecessor_milestone_id = ids(link.predecessor)
    successor_task_id, successor_milestone_id = ids(link.successor)
    return TaskDependency(
        project_id=project_id,
        predecessor_id=predecessor_id,
        predecessor_milestone_id=predecessor_milestone_id,
        successor_task_id=successor_task_id,
        successor_milestone_id=successor_milestone_id,
        lag_days=link.lag,
    )


def project_stages(project: Project) -> list[Stage]:
    return list(
        db.session.execute(
            select(Stage).where(Stage.project_id == project.id).order_by(Stage.number)
        ).scalars()
    )


def project_milestones(project: Project) -> list[Milestone]:
    """The project's milestones in the order of the milestone table."""
    return list(
        db.session.execute(
            select(Milestone)
            .where(Milestone.project_id == project.id)
            .order_by(Milestone.position, Milestone.scheduled_finish, Milestone.id)
        ).scalars()
    )


def load_plan(project: Project) -> PlanData:
    """Stages, work streams, tasks (with the people responsible), milestones and dependencies:
    six queries whatever the size of the plan. Tasks are ORM objects, for the import that
    changes them; the pages that only read use `plan_reading.read_plan`."""
    stages = project_stages(project)
    work_streams = project_work_streams(project)
    stage_numbers = {stage.id: stage.number for stage in stages}
    tasks = list(
        db.session.execute(
            select(Task).where(Task.project_id == project.id).order_by(Task.position, Task.id)
        ).scalars()
    )
    attach_responsible(tasks, select(Task.id).where(Task.project_id == project.id))
    tasks.sort(key=lambda t: (stage_numbers.get(t.stage_id, 0), t.position, t.id))
    dependencies = list(
        db.session.execute(
            select(TaskDependency)
            .where(TaskDependency.project_id == project.id)
            .order_by(TaskDependency.id)
        ).scalars()
    )
    return PlanData(project, stages, work_streams, tasks, project_milestones(project), dependencies)


# Snapshots ----------------------------------------------------------------------------------


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def snapshot(plan: PlanData) -> list[dict[str, Any]]:
    """The plan's dates as baseline items: stages, then tasks, then milestones."""
    items: list[dict[str, Any]] = []
    for stage in plan.stages:
        items.append(
            {
                "kind": "stage",
                "id": stage.id,
                "code": f"S{stage.number}",
                "name": stage.name,
                "start": _iso(stage.start_date),
                "finish": _iso(stage.end_date),
            }
        )
    for task in plan.tasks:
        items.append(
            {
                "kind": "task",
                "id": task.id,
                "code": task.code,
                "name": task.activity,
                "start": _iso(task.start_date),
                "finish": _iso(task.target_finish),
            }
        )
    for milestone in plan.milestones:
        items.append(
            {
                "kind": "milestone",
                "id": milestone.id,
                "code": None,
                "name": milestone.name,
                "start": None,
                "finish": _iso(milestone.scheduled_finish),
            }
        )
    return items


def clean_name(name: str | None) -> str:
    return " ".join((name or "").split())


def save_baseline(
    plan: PlanData,
    name: str | None,
    taken_on: dt.date,
    taken_by: Person | None,
    *,
    milestone_baselines: bool = False,
) -> PlanBaseline:
    """Save the current plan under `name`, which is required and unique in the project.

    With `milestone_baselines`, each milestone's scheduled finish also becomes its baseline
    finish, from which the milestone table's variance is measured (re-baselining the plan).
    """
    name = clean_name(name)
    if not name:
        raise RuleRefused("Enter a name for the baseline", field="name")
    if len(name) > 200:
        raise RuleRefused("Baseline name must be 200 characters or fewer", field="name")
    taken = db.session.execute(
        select(PlanBaseline.id).where(
            PlanBaseline.project_id == plan.project.id,
            func.lower(PlanBaseline.name) == name.lower(),
        )
    ).first()
    if taken:
        raise RuleRefused(
            f"There is already a baseline called {name}: choose another name", field="name"
        )
    baseline = PlanBaseline(
        project_id=plan.project.id,
        name=name,
        taken_on=taken_on,
        taken_by_id=taken_by.id if taken_by else None,
        items=snapshot(plan),
    )
    db.session.add(baseline)
    if milestone_baselines:
        for milestone in plan.milestones:
            milestone.baseline_finish = milestone.scheduled_finish
    try:
        db.session.flush()
    except IntegrityError:  # someone saved the same name a moment earlier
        raise RuleRefused(
            "There is already a baseline with this name: choose another name", field="name"
        ) from None
    return baseline


# Comparison ---------------------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _days(later: dt.date | None, earlier: dt.date | None) -> int | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).days


@dataclass(frozen=True)
class ItemChange:
    kind: str
    code: str | None
    name: str
    baseline_start: dt.date | None
    baseline_finish: dt.date | None
    current_start: dt.date | None
    current_finish: dt.date | None

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name

    @property
    def start_moved(self) -> int | None:
        return _days(self.current_start, self.baseline_start)

    @property
    def finish_moved(self) -> int | None:
        return _days(self.current_finish, self.baseline_finish)

    @property
    def moved(self) -> bool:
        return (self.baseline_start, self.baseline_finish) != (
            self.current_start,
            self.current_finish,
        )


@dataclass
class KindComparison:
    kind: str
    moved: list[ItemChange] = field(default_factory=list)
    added: list[ItemChange] = field(default_factory=list)
    removed: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def has_changes(self) -> bool:
        return bool(self.moved or self.added or self.removed)


@dataclass
class Comparison:
    kinds: list[KindComparison]

    @property
    def has_changes(self) -> bool:
        return any(kind.has_changes for kind in self.kinds)

    def count(self, what: str) -> int:
        return sum(len(getattr(kind, what)) for kind in self.kinds)


def _match_key(item: dict[str, Any]) -> tuple[str, str]:
    return item["kind"], (item.get("code") or item.get("name") or "").strip().lower()


def compare(baseline_items: Sequence[dict[str, Any]], current_items: Sequence[dict]) -> Comparison:
    """What moved between a baseline and the current plan (both as `snapshot` items).

    Items are matched by record id; items left over on both sides are then matched by code (or,
    for milestones, by name), so that a plan re-entered with new records still compares.
    Positive day counts mean later than the baseline.
    """
    result = {kind: KindComparison(kind) for kind in KINDS}
    current_by_id = {(i["kind"], i.get("id")): i for i in current_items}
    pairs: list[tuple[dict, dict]] = []
    unmatched_base: list[dict] = []
    used: set[tuple[str, Any]] = set()
    for item in baseline_items:
        key = (item.get("kind"), item.get("id"))
        if key in current_by_id and key not in used:
            pairs.append((item, current_by_id[key]))
            used.add(key)
        else:
            unmatched_base.append(item)
    leftover_current: dict[tuple[str, str], list[dict]] = {}
    for item in current_items:
        if (item["kind"], item.get("id")) not in used:
            leftover_current.setdefault(_match_key(item), []).append(item)
    removed: list[dict] = []
    for item in unmatched_base:
        candidates = leftover_current.get(_match_key(item))
        if candidates:
            pairs.append((item, candidates.pop(0)))
        else:
            removed.append(item)
    added = [item for group in leftover_current.values() for item in group]

    def change(before: dict | None, after: dict | None) -> ItemChange:
        source = after or before or {}
        return ItemChange(
            kind=source.get("kind", "task"),
            code=source.get("code"),
            name=source.get("name", ""),
            baseline_start=_date(before.get("start")) if before else None,
            baseline_finish=_date(before.get("finish")) if before else None,
            current_start=_date(after.get("start")) if after else None,
            current_finish=_date(after.get("finish")) if after else None,
        )

    for before, after in pairs:
        item = change(before, after)
        if item.kind not in result:
            continue
        if item.moved:
            result[item.kind].moved.append(item)
        else:
            result[item.kind].unchanged += 1
    for before in removed:
        item = change(before, None)
        if item.kind in result:
            result[item.kind].removed.append(item)
    for after in added:
        item = change(None, after)
        if item.kind in result:
            result[item.kind].added.append(item)
    return Comparison([result[kind] for kind in KINDS])


def baseline_finishes(baseline: PlanBaseline | None) -> dict[str, tuple[dt.date | None, dt.date]]:
    """Baseline (start, finish) by schedule key ("t12", "m3") and by stage ("s4")."""
    if baseline is None:
        return {}
    prefix = {"task": "t", "milestone": "m", "stage": "s"}
    out: dict[str, tuple[dt.date | None, dt.date]] = {}
    for item in baseline.items or []:
        kind = item.get("kind")
        finish = _date(item.get("finish"))
        if kind in prefix and finish is not None:
            out[f"{prefix[kind]}{item.get('id')}"] = (_date(item.get("start")), finish)
    return out


def project_baselines(project: Project) -> list[PlanBaseline]:
    """The project's baselines, newest first, without their items (one query)."""
    return list(
        db.session.execute(
            select(PlanBaseline)
            .where(PlanBaseline.project_id == project.id)
            .options(defer(PlanBaseline.items))
            .order_by(PlanBaseline.taken_on.desc(), PlanBaseline.id.desc())
        ).scalars()
    )


def baselines_with_people(project: Project) -> tuple[list[PlanBaseline], dict[int, Person]]:
    """The baselines and the people who took them, in two queries."""
    baselines = project_baselines(project)
    ids = {b.taken_by_id for b in baselines if b.taken_by_id}
    people: dict[int, Person] = {}
    if ids:
        people = {
            p.id: p for p in db.session.execute(select(Person).where(Person.id.in_(ids))).scalars()
        }
    return baselines, people


def get_baseline(project: Project, baseline_id: int) -> PlanBaseline | None:
    return db.session.execute(
        select(PlanBaseline).where(
            PlanBaseline.project_id == project.id, PlanBaseline.id == baseline_id
        )
    ).scalar_one_or_none()
