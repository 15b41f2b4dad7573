"""What a change request may move in the budget (9.3), with each figure as it is now.

`MOVABLE_MONEY` names the money columns a change may move and how a person names them;
`change_targets(project)` lists every budget line's provision as choices for the change
request's effect form: (value, label), the value written "kind:id:column".
"""

from __future__ import annotations

from sqlalchemy import select

from tracker.budget.models import BudgetLine
from tracker.extensions import db
from tracker.filters import money
from tracker.projects.models import Project

MOVABLE_MONEY: dict[str, dict[str, str]] = {
    "budget_line": {"provision_pence": "provision"},
}


def change_targets(project: Project) -> list[tuple[str, str]]:
    """Every budget line's provision, in the budget's order (one query)."""
    lines = db.session.execute(
        select(BudgetLine).where(BudgetLine.project_id == project.id).order_by(BudgetLine.position)
    ).scalars()
    return [
        (
            f"budget_line:{line.id}:provision_pence",
            f"Budget line {line.product}: provision (now {money(line.provision_pence)})",
        )
        for line in lines
    ]
