"""The figures an issued report kept (its snapshot), read for the page and the PDF alike.

Two shapes of snapshot exist: the one the tracker takes when a report is issued
(`snapshots.snapshot`: money under plain names such as "allocated") and the one the seed loads
for the February 2010 report (money under "<name>_pence", plus the budget tables and the stage
work plan that were attached to it). Both are read here, so that neither page nor PDF shows an
empty "Figures as issued" heading.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tracker.evidence.readiness import Compliance
from tracker.plan.stages import StageStatus

PROGRESS_WORDS = {
    "not_started": "Not started",
    "on_track": "On track",
    "at_risk": "At risk",
    "late": "Late",
    "complete": "Complete",
}
BUDGET_FIGURES = (("Allocated", "allocated"), ("Spent", "spent"), ("Remaining", "remaining"))
BUDGET_COLUMNS = ("Qty", "Product", "Unit cost", "Budget provision", "Actual to date", "Remaining")
WORK_PLAN_COLUMNS = ("Task", "Activity", "Responsibility", "Target", "Progress", "Comments")
MILESTONE_COLUMNS = ("Milestone", "Scheduled", "Baseline", "Variance (days)")


def _pence(values: dict[str, Any], key: str) -> int | None:
    """A money figure in pence, whichever name the snapshot gives it."""
    value = values.get(key, values.get(f"{key}_pence"))
    return int(value) if value is not None else None


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class BudgetTable:
    title: str
    # Each line: quantity, product, then unit cost, provision, actual and remaining in pence.
    lines: list[tuple[Any, str, int | None, int | None, int | None, int | None]]
    total: tuple[int | None, int | None, int | None]


@dataclass
class IssuedFigures:
    budget: list[tuple[str, int]] = field(default_factory=list)
    staff_days: tuple[str, str] | None = None  # planned, used
    # Each: name, scheduled and baseline (dates), variance_days.
    milestones: list[dict[str, Any]] = field(default_factory=list)
    budgets: list[BudgetTable] = field(default_factory=list)
    work_plan: list[dict[str, str]] = field(default_factory=list)
    readiness: ReadinessAsIssued | None = None
    stages: list[StageAsIssued] = field(default_factory=list)
    stage_statuses: dict[int, StageStatus] = field(default_factory=dict)
    taken_on: dt.date | None = None


@dataclass(frozen=True)
class StageAsIssued:
    """A stage as it was on the day, with the names the Gantt summary reads from a `Stage`."""

    number: int
    name: str
    start_date: dt.date
    end_date: dt.date


@dataclass(frozen=True)
class ReadinessAsIssued:
    """Readiness by criterion as it was on the day, shaped like a live `Readiness` for the
    readiness chart (tracker/evidence/charts.py) and its table."""

    basis: str
    sentence: str
    by_criterion: dict[int, dict[Compliance, int]]


def _readiness(kept: dict[str, Any] | None) -> ReadinessAsIssued | None:
    if not kept:
        return None
    return ReadinessAsIssued(
        basis=str(kept.get("basis", "")),
        sentence=str(kept.get("sentence", "")),
        by_criterion={
            int(number): {c: int(counts.get(c.value, 0)) for c in Compliance}
            for number, counts in sorted(
                kept.get("by_criterion", {}).items(), key=lambda i: int(i[0])
            )
        },
    )


def _budget_table(table: dict[str, Any]) -> BudgetTable:
    money_keys = ("unit_cost", "provision", "actual", "remaining")
    total = table.get("total", {})
    return BudgetTable(
        title=str(table.get("title", "Budget")),
        lines=[
            (line.get("quantity"), str(line.get("product", "")))
            + tuple(_pence(line, key) for key in money_keys)
            for line in table.get("lines", [])
        ],
        total=(_pence(total, "provision"), _pence(total, "actual"), _pence(total, "remaining")),
    )


def issued_figures(snapshot: dict[str, Any] | None) -> IssuedFigures:
    """What an issued report's snapshot holds, in one shape."""
    snap = snapshot or {}
    budget = snap.get("budget_status") or {}
    staff = snap.get("staff_days")
    return IssuedFigures(
        budget=[
            (label, pence)
            for label, key in BUDGET_FIGURES
            if (pence := _pence(budget, key)) is not None
        ],
        staff_days=(str(staff["planned"]), str(staff["actual"])) if staff else None,
        milestones=[
            m
            | {
                "scheduled": _day(m.get("scheduled")),
                "baseline": _day(m.get("baseline")),
            }
            for m in snap.get("milestones", [])
        ],
        budgets=[_budget_table(t) for t in snap.get("budgets", [])],
        work_plan=[
            row | {"progress": PROGRESS_WORDS.get(row.get("progress", ""), row.get("progress"))}
            for row in snap.get("work_plan", [])
        ],
        readiness=_readiness(snap.get("readiness")),
        stages=[
            StageAsIssued(int(s["number"]), str(s["name"]), _day(s["start"]), _day(s["end"]))
            for s in snap.get("stages", [])
        ],
        stage_statuses={int(s["number"]): StageStatus(s["status"]) for s in snap.get("stages", [])},
        taken_on=_day(snap.get("taken_on")),
    )
