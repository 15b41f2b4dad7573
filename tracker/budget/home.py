"""The budget's part of the project home page (tracker/projects/areas.py): how many budget
lines it holds."""

from __future__ import annotations

from tracker.budget.models import BudgetLine
from tracker.projects.areas import CountedArea, add_counts, counting


def register() -> None:
    add_counts(
        CountedArea(90, "Budget lines", "budget.overview", "budget.view", counting(BudgetLine))
    )
