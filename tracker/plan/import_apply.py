"""Applying an imported plan once every row has been read without a problem.

Tasks are matched to the plan by their code (the WBS column, or the ID when there is none) and
updated or added, milestones are matched by name, and the file's Predecessors replace the
dependencies of the items it lists. A milestone may be a predecessor like any task: its row ID
in the Predecessors column of the rows that wait for it. The caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracker.extensions import db
from tracker.plan.baselines import (
    PlanData,
    dependency_link,
    milestone_key,
    new_dependency,
    task_key,
)
from tracker.plan.import_result import ImportResult, ParsedRow
from tracker.plan.import_rows import parse_rows
from tracker.plan.models import Milestone, Progress, Task
from tracker.plan.schedule import Link


def import_table(plan: PlanData, table: Sequence[Sequence[Any]]) -> ImportResult:
    """Check every row, then (only if none has a problem) update the plan. Flushes only."""
    rows, result = parse_rows(table, plan)
    if not result.ok:
        return result
    record_of_row = _save_items(plan, rows, result)
    db.session.flush()
    _replace_dependencies(plan, rows, record_of_row, result)
    return result


def _save_items(
    plan: PlanData, rows: Sequence[ParsedRow], result: ImportResult
) -> dict[int, Task | Milestone]:
    """Update or add the task or milestone of every row but the stage summaries, in file order."""
    lookups_task = {task.code: task for task in plan.tasks}
    lookups_milestone = {m.name.strip().lower(): m for m in plan.milestones}
    project_id = plan.project.id
    record_of_row: dict[int, Task | Milestone] = {}
    position = 0
    for row in rows:
        if row.summary:
            continue
        position += 1
        if row.milestone:
            milestone = lookups_milestone.get(row.name.lower())
            if milestone is None:
                milestone = Milestone(project_id=project_id, name=row.name)
                db.session.add(milestone)
                result.milestones_created += 1
            else:
                result.milestones_updated += 1
            _fill_milestone(milestone, row, position, result)
            record_of_row[row.row] = milestone
            continue
        task = lookups_task.get(row.code)
        if task is None:
            task = Task(project_id=project_id, code=row.code, progress=Progress.NOT_STARTED)
            db.session.add(task)
            result.created += 1
        else:
            result.updated += 1
        _fill_task(task, row, position, result)
        record_of_row[row.row] = task
    return record_of_row


def _fill_milestone(
    milestone: Milestone, row: ParsedRow, position: int, result: ImportResult
) -> None:
    milestone.scheduled_finish = row.finish or row.start  # type: ignore[assignment]
    milestone.stage_id = row.stage_id
    if "Actual Finish" in result.columns:
        milestone.actual_finish = row.actual_finish
    milestone.position = position
    if row.comments is not None:
        milestone.notes = row.comments


def _fill_task(task: Task, row: ParsedRow, position: int, result: ImportResult) -> None:
    """The row's values; a column the file does not have leaves the task's value as it was."""
    task.activity = row.name
    task.stage_id = row.stage_id  # type: ignore[assignment]
    if "Start" in result.columns:
        task.start_date = row.start
    if "Finish" in result.columns:
        task.target_finish = row.finish
    if "Actual Finish" in result.columns:
        task.actual_finish = row.actual_finish
    task.position = position
    if row.work_stream_id is not None:
        task.work_stream_id = row.work_stream_id
    if row.progress is not None:
        task.progress = row.progress
    elif row.actual_finish is not None:
        task.progress = Progress.COMPLETE
    if row.comments is not None:
        task.comments = row.comments
    if "Resource Names" in result.columns:  # the file's names replace the people responsible
        task.responsible = list(row.people)


def _key_of(record: Task | Milestone) -> str:
    return milestone_key(record.id) if isinstance(record, Milestone) else task_key(record.id)


def _replace_dependencies(
    plan: PlanData,
    rows: Sequence[ParsedRow],
    record_of_row: dict[int, Task | Milestone],
    result: ImportResult,
) -> None:
    """The file's Predecessors say what the items it lists depend on. Links that stay the same
    are kept (so the audit trail shows only real changes); the others go or come. Links are
    keyed as the schedule keys them: ("t12", "m3")."""
    wanted: dict[tuple[str, str], int] = {}
    by_ident = {row.ident: row for row in rows}
    for row in rows:
        successor = record_of_row.get(row.row)
        if successor is None:
            continue
        for ident, lag in row.predecessors:
            predecessor = record_of_row[by_ident[ident].row]
            wanted.setdefault((_key_of(predecessor), _key_of(successor)), lag)
    result.dependencies = len(wanted)
    listed = {_key_of(record) for record in record_of_row.values()}
    for dep in plan.dependencies:
        link = dependency_link(dep)
        if link.successor not in listed:
            continue
        if (link.predecessor, link.successor) in wanted:
            dep.lag_days = wanted.pop((link.predecessor, link.successor))
        else:
            db.session.delete(dep)
    db.session.flush()

    for (predecessor, successor), lag in wanted.items():
        db.session.add(new_dependency(plan.project.id, Link(predecessor, successor, lag)))
    db.session.flush()
