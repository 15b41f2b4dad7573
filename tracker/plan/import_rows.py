"""Reading the rows of an imported plan: the header, then each row checked cell by cell.

The file needs at least the columns ID and Name (and usually has Start, Finish, Predecessors,
Resource Names; the tracker's extra columns are used when present). A stage summary row sets
the stage of the rows below it; a task's stage otherwise comes from its Stage column, its WBS
code (2.1 is in stage 2), or its dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import or_, select

from tracker.auth.models import Person
from tracker.extensions import db
from tracker.plan.baselines import PlanData
from tracker.plan.import_cells import (
    cell_text,
    id_text,
    is_milestone,
    is_yes,
    parse_date,
    parse_percent_complete,
    parse_predecessors,
    parse_progress,
)
from tracker.plan.import_checks import check_identities, check_predecessors
from tracker.plan.import_result import ImportResult, ParsedRow, RowError
from tracker.plan.models import Progress, Task, task_responsible
from tracker.plan.progress_styles import PROGRESS_STYLES
from tracker.plan.stages import check_task_progress_allowed
from tracker.plan.table_files import MAX_ROWS
from tracker.projects.models import Membership
from tracker.rules import RuleRefused

Cell = Callable[[str], Any]  # a row's cell by column name; None when the row has no such cell

_ALIASES = {
    "id": "ID",
    "unique id": "Unique ID",
    "name": "Name",
    "task name": "Name",
    "start": "Start",
    "start date": "Start",
    "finish": "Finish",
    "finish date": "Finish",
    "end": "Finish",
    "predecessors": "Predecessors",
    "duration": "Duration",
    "resource names": "Resource Names",
    "resources": "Resource Names",
    "wbs": "WBS",
    "milestone": "Milestone",
    "summary": "Summary",
    "outline level": "Outline Level",
    "stage": "Stage",
    "work stream": "Work Stream",
    "workstream": "Work Stream",
    "progress": "Progress",
    "% complete": "% Complete",
    "percent complete": "% Complete",
    "actual finish": "Actual Finish",
    "comments": "Comments",
    "notes": "Comments",
}


def _header_map(header: Sequence[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _ALIASES.get(" ".join(cell_text(cell).lower().split()))
        if name and name not in columns:
            columns[name] = index
    return columns


class _Lookups:
    """The project's stages, work streams, people and plan, loaded once for the whole file."""

    def __init__(self, plan: PlanData) -> None:
        self.plan = plan
        self.stage_by_number = {stage.number: stage for stage in plan.stages}
        self.stage_by_name = {stage.name.strip().lower(): stage for stage in plan.stages}
        self.stream_by_word: dict[str, int] = {}
        for stream in plan.work_streams:
            self.stream_by_word[stream.code.lower()] = stream.id
            self.stream_by_word[stream.name.strip().lower()] = stream.id
        self.task_by_code = {task.code: task for task in plan.tasks}
        self.milestone_by_name = {m.name.strip().lower(): m for m in plan.milestones}
        project_id = plan.project.id
        members = select(Membership.person_id).where(Membership.project_id == project_id)
        responsible = (
            select(task_responsible.c.person_id)
            .join(Task, Task.id == task_responsible.c.task_id)
            .where(Task.project_id == project_id)
        )
        people = db.session.execute(
            select(Person).where(or_(Person.id.in_(members), Person.id.in_(responsible)))
        ).scalars()
        # Microsoft Project writes resources by name; the work plan by initials: take either.
        self.people_by_word: dict[str, list[Person]] = {}
        for person in people:
            for word in {(person.initials or "").strip().upper(), person.name.strip().upper()}:
                if word and person not in self.people_by_word.setdefault(word, []):
                    self.people_by_word[word].append(person)

    def person(self, word: str) -> Person:
        """The one person with these initials or this name; ValueError says why there is none."""
        found = self.people_by_word.get(word.upper(), [])
        if not found:
            raise ValueError(f"no one in the project has the initials or name {word}")
        if len(found) > 1:
            names = " and ".join(p.name for p in found)
            raise ValueError(f"{names} both have the initials {word}: use the full name")
        return found[0]

    def stage(self, value: Any) -> int | None:
        text = cell_text(value)
        if not text:
            return None
        match = re.match(r"^(?:s|stage)?\s*(\d+)\b", text, re.IGNORECASE)
        if match and int(match[1]) in self.stage_by_number:
            return self.stage_by_number[int(match[1])].id
        stage = self.stage_by_name.get(text.lower())
        if stage is None:
            raise ValueError(text)
        return stage.id

    def gate_problem(self, row: ParsedRow, has_actual_finish: bool) -> str | None:
        """Why the row would start or complete a task of a stage that may not start yet.

        The task's progress and actual finish are worked out as `import_table` sets them.
        """
        stage = next(s for s in self.plan.stages if s.id == row.stage_id)
        task = self.task_by_code.get(row.code)
        actual_finish = (
            row.actual_finish if has_actual_finish else getattr(task, "actual_finish", None)
        )
        if row.progress is not None:
            progress = row.progress
        elif row.actual_finish is not None:
            progress = Progress.COMPLETE
        else:
            progress = task.progress if task is not None else Progress.NOT_STARTED
        try:
            check_task_progress_allowed(stage, self.plan.stages, progress, actual_finish, task=task)
        except RuleRefused as refused:
            return refused.message
        return None

    def stage_for_dates(self, start: dt.date | None, finish: dt.date | None) -> int | None:
        day = start or finish
        if day is None:
            return None
        for stage in self.plan.stages:
            if stage.start_date <= day <= stage.end_date:
                return stage.id
        return None


def parse_rows(
    table: Sequence[Sequence[Any]], plan: PlanData
) -> tuple[list[ParsedRow], ImportResult]:
    """Read and check every row; the result holds the errors, row by row."""
    result = ImportResult()
    table = [row for row in table if any(cell_text(cell) for cell in row)]
    columns = _read_columns(table, result)
    if columns is None:
        return [], result
    result.columns = frozenset(columns)
    lookups = _Lookups(plan)
    top_levels = _top_levels(table[1:], columns)

    parsed: list[ParsedRow] = []
    current_stage: int | None = None
    summaries_seen = 0
    for offset, raw in enumerate(table[1:]):
        cell = _cell_reader(columns, raw)
        row, errors = _read_identity(offset + 2, cell)
        row.summary = is_yes(cell("Summary")) or (
            top_levels[offset] and not is_yes(cell("Milestone"))
        )
        if row.summary:
            summaries_seen += 1
            current_stage = _summary_stage(row, cell, lookups, summaries_seen)
            if current_stage is None:
                errors.append("this summary row does not name a stage of the project")
        else:
            _read_dates_and_links(row, cell, errors)
            _read_people(row, cell, lookups, errors)
            _read_stage(row, cell, lookups, current_stage, errors)
            _read_details(row, cell, columns, lookups, errors)
        for message in errors:
            result.errors.append(RowError(row.row, row.ident, message))
        parsed.append(row)

    check_identities(parsed, result)
    check_predecessors(parsed, result)
    result.errors.sort(key=lambda error: error.row)
    result.rows_read = len(parsed)
    return parsed, result


def _read_columns(table: Sequence[Sequence[Any]], result: ImportResult) -> dict[str, int] | None:
    """The column of each known name, or None with the file's problem set on the result."""
    if not table:
        result.problem = "The file has no rows"
        return None
    columns = _header_map(table[0])
    missing = [name for name in ("ID", "Name") if name not in columns]
    if missing:
        result.problem = (
            "The first row must name the columns; it has no "
            + " or ".join(missing)
            + " column (expected ID, Name, Start, Finish, Predecessors, Resource Names)"
        )
        return None
    if len(table) - 1 > MAX_ROWS:
        result.problem = f"The file has more than {MAX_ROWS} rows"
        return None
    return columns


def _top_levels(rows: Sequence[Sequence[Any]], columns: dict[str, int]) -> list[bool]:
    """For each row, whether it is at the top of an outline that has deeper levels: Microsoft
    Project's summary rows, one per stage."""
    levels = [
        cell_text(row[columns["Outline Level"]])
        if "Outline Level" in columns and columns["Outline Level"] < len(row)
        else ""
        for row in rows
    ]
    has_deeper_levels = any(level not in ("", "0", "1") for level in levels)
    return [has_deeper_levels and level in ("0", "1") for level in levels]


def _cell_reader(columns: dict[str, int], raw: Sequence[Any]) -> Cell:
    def cell(name: str) -> Any:
        index = columns.get(name)
        return raw[index] if index is not None and index < len(raw) else None

    return cell


def _read_identity(number: int, cell: Cell) -> tuple[ParsedRow, list[str]]:
    """The row with its ID, name and code, and what is wrong with them."""
    ident = id_text(cell("ID"))
    errors: list[str] = []
    name = cell_text(cell("Name"))
    if not ident:
        errors.append("ID is missing")
    if not name:
        errors.append("Name is missing")
    elif len(name) > 300:
        errors.append("Name must be 300 characters or fewer")
    code = cell_text(cell("WBS")) or ident
    if len(code) > 20:
        errors.append("WBS (or ID) must be 20 characters or fewer")
    return ParsedRow(row=number, ident=ident, code=code, name=name), errors


def _summary_stage(
    row: ParsedRow, cell: Cell, lookups: _Lookups, summaries_seen: int
) -> int | None:
    """The stage a summary row names, or None."""
    # A summary row's ID is Microsoft Project's row number, not a stage number.
    named = re.search(r"^\s*S(?:tage)?\s*(\d+)\b", row.name, re.IGNORECASE)
    if cell_text(cell("Stage")):
        which = cell_text(cell("Stage"))
    elif named:
        which = named[1]
    elif cell_text(cell("WBS")):
        which = cell_text(cell("WBS"))
    else:
        which = str(summaries_seen)
    try:
        return lookups.stage(which)
    except ValueError:
        return None


def _read_dates_and_links(row: ParsedRow, cell: Cell, errors: list[str]) -> None:
    for column, attr in (
        ("Start", "start"),
        ("Finish", "finish"),
        ("Actual Finish", "actual_finish"),
    ):
        try:
            setattr(row, attr, parse_date(cell(column)))
        except ValueError as exc:
            errors.append(f"{column} “{exc}” is not a date (use a date like 26/02/2010)")
    if row.start and row.finish and row.finish < row.start:
        errors.append("Finish is before Start")
    row.milestone = is_milestone(cell("Milestone"), cell("Duration"))
    if row.milestone and row.finish is None and row.start is None:
        errors.append("a milestone needs a Finish date")
    try:
        row.predecessors = parse_predecessors(cell("Predecessors"))
    except ValueError as exc:
        errors.append(f"Predecessors: {exc}")


def _read_people(row: ParsedRow, cell: Cell, lookups: _Lookups, errors: list[str]) -> None:
    for word in re.split(r"[,;/]", cell_text(cell("Resource Names"))):
        word = re.sub(r"\s+", " ", re.sub(r"\[.*?\]", "", word)).strip()  # "PK[50%]"
        if not word:
            continue
        try:
            person = lookups.person(word)
        except ValueError as exc:
            errors.append(f"Resource Names: {exc}")
        else:
            if person not in row.people:
                row.people.append(person)


def _read_stage(
    row: ParsedRow,
    cell: Cell,
    lookups: _Lookups,
    current_stage: int | None,
    errors: list[str],
) -> None:
    """The Stage column; without one, the WBS code's prefix, the summary row above, or the dates."""
    try:
        row.stage_id = lookups.stage(cell("Stage"))
    except ValueError:
        errors.append(f"Stage “{cell_text(cell('Stage'))}” is not a stage of the project")
    if row.stage_id is None and not cell_text(cell("Stage")):
        prefix = re.match(r"^(\d+)\.", row.code)
        if prefix and int(prefix[1]) in lookups.stage_by_number:
            row.stage_id = lookups.stage_by_number[int(prefix[1])].id
        elif current_stage is not None:
            row.stage_id = current_stage
        else:
            row.stage_id = lookups.stage_for_dates(row.start, row.finish)
        if row.stage_id is None and not row.milestone:
            errors.append(
                "cannot tell which stage this task belongs to: add a Stage column "
                "or a WBS code such as 2.1"
            )


def _read_details(
    row: ParsedRow,
    cell: Cell,
    columns: dict[str, int],
    lookups: _Lookups,
    errors: list[str],
) -> None:
    """Work stream, progress and comments, then whether the stage's gate allows the progress."""
    stream_text = cell_text(cell("Work Stream"))
    if stream_text:
        row.work_stream_id = lookups.stream_by_word.get(stream_text.lower())
        if row.work_stream_id is None:
            errors.append(f"Work Stream “{stream_text}” is not a work stream of the project")
    try:
        row.progress = parse_progress(cell("Progress"))
        if row.progress is None and "% Complete" in columns:
            row.progress = parse_percent_complete(cell("% Complete"))
    except ValueError:
        errors.append(
            "Progress must be one of "
            + ", ".join(style.label for style in PROGRESS_STYLES.values())
        )
    if "Comments" in columns:
        row.comments = cell_text(cell("Comments"))
    if row.stage_id is not None and not row.milestone:
        gate = lookups.gate_problem(row, "Actual Finish" in columns)
        if gate:
            errors.append(gate)
