"""The plan to and from files: CSV and Excel export, and import from a Microsoft Project export.

Export writes one row per task and milestone with the columns Microsoft Project uses (ID, Name,
Start, Finish, Predecessors, Resource Names) followed by the tracker's own (WBS, Milestone,
Stage, Work Stream, Progress, Actual Finish, Comments) and the forecast (read-only).

Import reads an .xlsx or a UTF-8 .csv with at least the columns ID and Name (and usually Start,
Finish, Predecessors, Resource Names; the tracker's extra columns are used when present). Every
row is checked first; if any row cannot be read, the result lists the problems row by row and
nothing is saved. Otherwise tasks are matched to the plan by their code (the WBS column, or the
ID when there is none) and updated or added, milestones are matched by name, and the file's
Predecessors replace the dependencies of the items it lists. The caller commits.

A milestone is a row with Milestone "Yes", or, as Microsoft Project writes it, a task whose
Duration is zero ("0 days"). A milestone may be a predecessor like any task: its row ID in the
Predecessors column of the rows that wait for it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import or_, select

from tracker.auth.models import Person
from tracker.exports import table_csv, table_xlsx
from tracker.extensions import db
from tracker.plan.baselines import (
    PlanData,
    dependency_link,
    milestone_key,
    new_dependency,
    task_key,
)
from tracker.plan.errors import PlanRuleError
from tracker.plan.gantt import PROGRESS_STYLES
from tracker.plan.models import Milestone, Progress, Task, task_responsible
from tracker.plan.schedule import CycleError, Forecast, Link, topological_order
from tracker.plan.stages import check_task_progress_allowed
from tracker.projects.models import Membership

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 5000

EXPORT_COLUMNS = [
    "ID",
    "Name",
    "Start",
    "Finish",
    "Predecessors",
    "Resource Names",
    "WBS",
    "Milestone",
    "Stage",
    "Work Stream",
    "Progress",
    "Actual Finish",
    "Comments",
    "Forecast Start",
    "Forecast Finish",
    "Slip (days)",
    "Critical",
]
EXPORT_WIDTHS = {"Name": 48, "Comments": 40, "Predecessors": 18, "Resource Names": 18} | {
    column: 14
    for column in ("Start", "Finish", "Actual Finish", "Forecast Start", "Forecast Finish")
}


# Export -----------------------------------------------------------------------------------


def export_rows(plan: PlanData, forecasts: dict[Hashable, Forecast]) -> list[dict[str, Any]]:
    """One dict per task, then per milestone, keyed by EXPORT_COLUMNS. Dates stay dates."""
    stage_numbers = {stage.id: stage.number for stage in plan.stages}
    row_ids: dict[str, int] = {}
    ordered: list[tuple[str, Any]] = [(task_key(t.id), t) for t in plan.tasks]
    ordered += [(milestone_key(m.id), m) for m in plan.milestones]
    for number, (key, _) in enumerate(ordered, start=1):
        row_ids[key] = number
    predecessors: dict[str, list[str]] = {}
    for link in plan.links():
        pred_id = row_ids.get(link.predecessor)
        if pred_id is None or link.successor not in row_ids:
            continue
        lag = f"FS{link.lag:+d} days" if link.lag else ""
        predecessors.setdefault(link.successor, []).append(f"{pred_id}{lag}")

    rows: list[dict[str, Any]] = []
    for key, record in ordered:
        result = forecasts.get(key)
        common = {
            "ID": row_ids[key],
            "Predecessors": ",".join(predecessors.get(key, [])),
            "Stage": stage_numbers.get(record.stage_id, ""),
            "Forecast Start": result.start if result else None,
            "Forecast Finish": result.finish if result else None,
            "Slip (days)": result.slip if result else None,
            "Critical": ("Yes" if result.critical else "No") if result else "",
        }
        if isinstance(record, Task):
            rows.append(
                common
                | {
                    "Name": record.activity,
                    "Start": record.start_date,
                    "Finish": record.target_finish,
                    "Resource Names": ",".join(p.initials or p.name for p in record.responsible),
                    "WBS": record.code,
                    "Milestone": "No",
                    "Work Stream": record.work_stream.code if record.work_stream else "",
                    "Progress": PROGRESS_STYLES[record.progress].label,
                    "Actual Finish": record.actual_finish,
                    "Comments": record.comments,
                }
            )
        else:
            rows.append(
                common
                | {
                    "Name": record.name,
                    "Start": record.scheduled_finish,
                    "Finish": record.scheduled_finish,
                    "Resource Names": "",
                    "WBS": "",
                    "Milestone": "Yes",
                    "Work Stream": "",
                    "Progress": "Complete" if record.actual_finish else "",
                    "Actual Finish": record.actual_finish,
                    "Comments": record.notes,
                }
            )
    return rows


def export_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """UTF-8 CSV with ISO dates; text that looks like a formula gets a leading apostrophe."""
    return table_csv(EXPORT_COLUMNS, rows)


def export_xlsx(rows: Sequence[dict[str, Any]]) -> bytes:
    """One sheet with real dates; text is never stored as a formula."""
    return table_xlsx(EXPORT_COLUMNS, rows, "Plan", widths=EXPORT_WIDTHS)


# Reading a file ---------------------------------------------------------------------------


class FileProblem(ValueError):
    """The file as a whole cannot be read (wrong type, too big, no header)."""


def read_table(data: bytes) -> list[list[Any]]:
    """The rows of an .xlsx (first sheet) or a UTF-8 .csv, told apart by their content."""
    if len(data) > MAX_IMPORT_BYTES:
        raise FileProblem(f"The file must be smaller than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise FileProblem("The selected file is empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if b"\x00" in data:
        raise FileProblem("The file must be an Excel workbook (.xlsx) or a CSV file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            "The file must be an Excel workbook (.xlsx) or a CSV file saved as UTF-8"
        ) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    return [[_unescape(cell) for cell in row] for row in rows]


def _unescape(cell: str) -> str:
    """Undo the apostrophe that an export puts before text that looks like a formula."""
    if cell.startswith("'") and cell[1:2] and cell[1] in "=+-@":
        return cell[1:]
    return cell


def _read_xlsx(data: bytes) -> list[list[Any]]:
    not_a_workbook = "The file is not an Excel workbook (.xlsx) that the tracker can read"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "xl/workbook.xml" not in names:
                raise FileProblem(not_a_workbook)
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise FileProblem("The workbook is too large to import")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except FileProblem:
        raise
    except Exception as exc:  # openpyxl raises many kinds of error for a damaged file
        raise FileProblem(not_a_workbook) from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[Any]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


# Parsing cells ----------------------------------------------------------------------------

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d %b %y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %B, %Y",
    "%B %d, %Y",
    "%b %d, %Y",
)
_WEEKDAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+", re.IGNORECASE)
_TIME = re.compile(r"[\sT]+\d{1,2}:\d{2}(:\d{2})?(\s*[ap]m)?$", re.IGNORECASE)
_EMPTY = {"", "na", "n/a", "none", "-"}


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell: a spreadsheet date, or text such as 2010-02-26, 26/02/2010,
    26 Feb 2010 or Microsoft Project's "Fri 26/02/10 08:00". Blank or NA is None.
    Raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if text.lower() in _EMPTY:
        return None
    text = _TIME.sub("", _WEEKDAY.sub("", text)).strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


_PREDECESSOR = re.compile(
    r"^(?P<id>[^\s+\-]+?)\s*(?P<type>FS|SS|FF|SF)?\s*"
    r"(?:(?P<sign>[+-])\s*(?P<lag>\d+(?:\.0+)?)\s*(?P<unit>[a-z]*)\.?)?$",
    re.IGNORECASE,
)
_DAY_UNITS = {"", "d", "day", "days", "ed", "eday", "edays"}
_WEEK_UNITS = {"w", "wk", "wks", "week", "weeks", "ew", "ewk", "ewks", "eweeks"}


def parse_predecessors(value: Any) -> list[tuple[str, int]]:
    """(ID, lag in days) for each entry of a Predecessors cell, such as "3,5FS+2 days".
    Raises ValueError with a message for the page."""
    if value is None:
        return []
    text = _id_text(value)
    if not text:
        return []
    out: list[tuple[str, int]] = []
    for token in re.split(r"[,;]", text):
        token = token.strip()
        if not token:
            continue
        match = _PREDECESSOR.match(token)
        if not match:
            raise ValueError(f"cannot read the predecessor “{token}”")
        kind = (match["type"] or "FS").upper()
        if kind != "FS":
            raise ValueError(
                f"“{token}” is a {kind} link: only finish-to-start dependencies can be imported"
            )
        lag = 0
        if match["lag"]:
            unit = (match["unit"] or "").lower()
            amount = int(float(match["lag"]))
            if unit in _DAY_UNITS:
                lag = amount
            elif unit in _WEEK_UNITS:
                lag = amount * 7
            else:
                raise ValueError(f"the lag in “{token}” must be in days or weeks")
            if match["sign"] == "-":
                lag = -lag
        out.append((match["id"], lag))
    return out


def _id_text(value: Any) -> str:
    """An ID cell as text; spreadsheets hand back whole numbers as 3.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if value is not None else ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _yes(value: Any) -> bool:
    return _text(value).lower() in {"yes", "y", "true", "1"}


_ZERO_DURATION = re.compile(
    r"^0+(?:\.0+)?\s*(?:e?(?:d|days?|w|wks?|weeks?|h|hrs?|hours?|mins?))?\??$"
)


def is_milestone(milestone: Any, duration: Any) -> bool:
    """A row is a milestone when its Milestone column says Yes or, with no answer there, when its
    Duration is zero: Microsoft Project writes a milestone as a task of "0 days"."""
    if _text(milestone):
        return _yes(milestone)
    return bool(_ZERO_DURATION.match(_text(duration).lower()))


_PROGRESS_WORDS = {style.label.lower(): progress for progress, style in PROGRESS_STYLES.items()}
_PROGRESS_WORDS |= {progress.value: progress for progress in Progress}
_PROGRESS_WORDS |= {progress.value.replace("_", " "): progress for progress in Progress}


def parse_progress(value: Any) -> Progress | None:
    text = _text(value).lower()
    if not text:
        return None
    if text in _PROGRESS_WORDS:
        return _PROGRESS_WORDS[text]
    raise ValueError(text)


def parse_percent_complete(value: Any) -> Progress | None:
    text = _text(value).rstrip("%").strip()
    if not text:
        return None
    number = float(text)
    if isinstance(value, float) and not _text(value).endswith("%") and number <= 1 and number > 0:
        number *= 100  # a spreadsheet percentage cell holds 0.5 for 50%
    if number >= 100:
        return Progress.COMPLETE
    return Progress.NOT_STARTED if number <= 0 else Progress.ON_TRACK


# Import -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # the row number in the spreadsheet (the header is row 1)
    ident: str  # the row's ID as the file gives it
    message: str


@dataclass
class ParsedRow:
    row: int
    ident: str
    code: str
    name: str
    start: dt.date | None = None
    finish: dt.date | None = None
    actual_finish: dt.date | None = None
    predecessors: list[tuple[str, int]] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    milestone: bool = False
    summary: bool = False
    stage_id: int | None = None
    work_stream_id: int | None = None
    progress: Progress | None = None
    comments: str | None = None


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    problem: str | None = None  # a problem with the whole file
    created: int = 0
    updated: int = 0
    milestones_created: int = 0
    milestones_updated: int = 0
    dependencies: int = 0
    rows_read: int = 0
    columns: frozenset[str] = frozenset()

    @property
    def ok(self) -> bool:
        return not self.errors and self.problem is None


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
        name = _ALIASES.get(" ".join(_text(cell).lower().split()))
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
        text = _text(value)
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
        except PlanRuleError as refused:
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
    table = [row for row in table if any(_text(cell) for cell in row)]
    if not table:
        result.problem = "The file has no rows"
        return [], result
    columns = _header_map(table[0])
    missing = [name for name in ("ID", "Name") if name not in columns]
    if missing:
        result.problem = (
            "The first row must name the columns; it has no "
            + " or ".join(missing)
            + " column (expected ID, Name, Start, Finish, Predecessors, Resource Names)"
        )
        return [], result
    if len(table) - 1 > MAX_ROWS:
        result.problem = f"The file has more than {MAX_ROWS} rows"
        return [], result
    result.columns = frozenset(columns)
    lookups = _Lookups(plan)
    levels = [
        _text(row[columns["Outline Level"]])
        if "Outline Level" in columns and columns["Outline Level"] < len(row)
        else ""
        for row in table[1:]
    ]
    has_deeper_levels = any(level not in ("", "0", "1") for level in levels)

    parsed: list[ParsedRow] = []
    current_stage: int | None = None
    summaries_seen = 0
    for offset, raw in enumerate(table[1:]):
        number = offset + 2

        def cell(name: str, raw: Sequence[Any] = raw) -> Any:
            index = columns.get(name)
            return raw[index] if index is not None and index < len(raw) else None

        ident = _id_text(cell("ID"))
        errors: list[str] = []
        name = _text(cell("Name"))
        if not ident:
            errors.append("ID is missing")
        if not name:
            errors.append("Name is missing")
        elif len(name) > 300:
            errors.append("Name must be 300 characters or fewer")
        code = _text(cell("WBS")) or ident
        if len(code) > 20:
            errors.append("WBS (or ID) must be 20 characters or fewer")
        row = ParsedRow(row=number, ident=ident, code=code, name=name)

        row.summary = _yes(cell("Summary")) or (
            has_deeper_levels and levels[offset] in ("0", "1") and not _yes(cell("Milestone"))
        )
        if row.summary:
            summaries_seen += 1
            # A summary row's ID is Microsoft Project's row number, not a stage number.
            named = re.search(r"^\s*S(?:tage)?\s*(\d+)\b", name, re.IGNORECASE)
            if _text(cell("Stage")):
                which = _text(cell("Stage"))
            elif named:
                which = named[1]
            elif _text(cell("WBS")):
                which = _text(cell("WBS"))
            else:
                which = str(summaries_seen)
            try:
                current_stage = lookups.stage(which)
            except ValueError:
                current_stage = None
            if current_stage is None:
                errors.append("this summary row does not name a stage of the project")
            for message in errors:
                result.errors.append(RowError(number, ident, message))
            parsed.append(row)
            continue

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

        for word in re.split(r"[,;/]", _text(cell("Resource Names"))):
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

        try:
            row.stage_id = lookups.stage(cell("Stage"))
        except ValueError:
            errors.append(f"Stage “{_text(cell('Stage'))}” is not a stage of the project")
        if row.stage_id is None and not _text(cell("Stage")):
            prefix = re.match(r"^(\d+)\.", code)
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

        stream_text = _text(cell("Work Stream"))
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
            row.comments = _text(cell("Comments"))
        if row.stage_id is not None and not row.milestone:
            gate = lookups.gate_problem(row, "Actual Finish" in columns)
            if gate:
                errors.append(gate)

        for message in errors:
            result.errors.append(RowError(number, ident, message))
        parsed.append(row)

    _check_identities(parsed, result)
    _check_predecessors(parsed, result)
    result.errors.sort(key=lambda error: error.row)
    result.rows_read = len(parsed)
    return parsed, result


def _check_identities(rows: Sequence[ParsedRow], result: ImportResult) -> None:
    first_by_id: dict[str, ParsedRow] = {}
    first_by_code: dict[str, ParsedRow] = {}
    first_by_name: dict[str, ParsedRow] = {}
    for row in rows:
        if row.ident:
            if row.ident in first_by_id:
                other = first_by_id[row.ident].row
                result.errors.append(
                    RowError(row.row, row.ident, f"ID is also used on row {other}")
                )
            else:
                first_by_id[row.ident] = row
        if row.summary:
            continue
        if row.milestone:
            key = row.name.lower()
            if key in first_by_name:
                other = first_by_name[key].row
                result.errors.append(
                    RowError(row.row, row.ident, f"a milestone of this name is also on row {other}")
                )
            else:
                first_by_name[key] = row
        elif row.code:
            if row.code in first_by_code:
                other = first_by_code[row.code].row
                result.errors.append(
                    RowError(row.row, row.ident, f"WBS {row.code} is also used on row {other}")
                )
            else:
                first_by_code[row.code] = row


def _check_predecessors(rows: Sequence[ParsedRow], result: ImportResult) -> None:
    """Unknown IDs, links from stage summaries, and circles (through tasks or milestones)."""
    by_ident = {row.ident: row for row in rows if row.ident}
    links: list[Link] = []
    for row in rows:
        for ident, lag in row.predecessors:
            pred = by_ident.get(ident)
            if pred is None:
                result.errors.append(
                    RowError(row.row, row.ident, f"Predecessors: there is no row with ID {ident}")
                )
            elif pred.summary:
                result.errors.append(
                    RowError(row.row, row.ident, f"Predecessors: ID {ident} is a stage summary row")
                )
            elif pred is row:
                result.errors.append(
                    RowError(
                        row.row,
                        row.ident,
                        "Predecessors: a "
                        + ("milestone" if row.milestone else "task")
                        + " cannot wait for itself",
                    )
                )
            else:
                links.append(Link(("row", pred.row), ("row", row.row), lag))

    # Only the file's links can close a circle: the file's Predecessors replace the links into
    # every item it lists, so a link kept from the plan ends at an item outside the file and can
    # never lead back into it.
    try:
        topological_order([], links)
    except CycleError as cycle:
        names = {("row", row.row): row.ident for row in rows}
        words = " → ".join(names.get(node, str(node)) for node in cycle.cycle)
        for node in dict.fromkeys(cycle.cycle):
            if node in names:
                result.errors.append(
                    RowError(node[1], names[node], f"circular dependency: {words}")
                )


def import_table(plan: PlanData, table: Sequence[Sequence[Any]]) -> ImportResult:
    """Check every row, then (only if none has a problem) update the plan. Flushes only."""
    rows, result = parse_rows(table, plan)
    if not result.ok:
        return result
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
            milestone.scheduled_finish = row.finish or row.start  # type: ignore[assignment]
            milestone.stage_id = row.stage_id
            if "Actual Finish" in result.columns:
                milestone.actual_finish = row.actual_finish
            milestone.position = position
            if row.comments is not None:
                milestone.notes = row.comments
            record_of_row[row.row] = milestone
            continue
        task = lookups_task.get(row.code)
        if task is None:
            task = Task(project_id=project_id, code=row.code, progress=Progress.NOT_STARTED)
            db.session.add(task)
            result.created += 1
        else:
            result.updated += 1
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
        record_of_row[row.row] = task
    db.session.flush()

    # The file's Predecessors say what the items it lists depend on. Links that stay the same
    # are kept (so the audit trail shows only real changes); the others go or come. Links are
    # keyed as the schedule keys them: ("t12", "m3").
    def key_of(record: Task | Milestone) -> str:
        return milestone_key(record.id) if isinstance(record, Milestone) else task_key(record.id)

    wanted: dict[tuple[str, str], int] = {}
    by_ident = {row.ident: row for row in rows}
    for row in rows:
        successor = record_of_row.get(row.row)
        if successor is None:
            continue
        for ident, lag in row.predecessors:
            predecessor = record_of_row[by_ident[ident].row]
            wanted.setdefault((key_of(predecessor), key_of(successor)), lag)
    result.dependencies = len(wanted)
    listed = {key_of(record) for record in record_of_row.values()}
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
        db.session.add(new_dependency(project_id, Link(predecessor, successor, lag)))
    db.session.flush()
    return result


def iter_error_rows(result: ImportResult) -> Iterable[tuple[int, str, list[str]]]:
    """Errors grouped by row, in row order, for the page."""
    grouped: dict[tuple[int, str], list[str]] = {}
    for error in result.errors:
        message = error.message[:1].upper() + error.message[1:]
        grouped.setdefault((error.row, error.ident), []).append(message)
    for (row, ident), messages in grouped.items():
        yield row, ident, messages
