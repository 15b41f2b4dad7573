"""What reading an imported plan gives: the rows as read, and the result with its errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from tracker.auth.models import Person
from tracker.plan.models import Progress


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


def iter_error_rows(result: ImportResult) -> Iterable[tuple[int, str, list[str]]]:
    """Errors grouped by row, in row order, for the page."""
    grouped: dict[tuple[int, str], list[str]] = {}
    for error in result.errors:
        message = error.message[:1].upper() + error.message[1:]
        grouped.setdefault((error.row, error.ident), []).append(message)
    for (row, ident), messages in grouped.items():
        yield row, ident, messages
