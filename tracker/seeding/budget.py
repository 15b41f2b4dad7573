"""Loading money and staff time from seed/: funding sources, budget lines, spend and staff
resources.
"""

from __future__ import annotations

from tracker.budget.models import BudgetLine, FundingSource, SpendEntry, StaffResource
from tracker.seeding.files import _date, _pence, _read_csv
from tracker.seeding.loader import _Loader


def load_budget(loader: _Loader) -> None:
    for position, conf in enumerate(loader.config["funding_sources"], start=1):
        loader.sources[conf["code"]], _ = loader._get_or_add(
            FundingSource,
            {"project_id": loader.project.id, "code": conf["code"]},
            {
                "name": conf["name"],
                "allocation_pence": _pence(conf["allocation"]),
                "in_project_budget": conf.get("in_project_budget", True),
                "position": position,
            },
        )
    for position, row in enumerate(_read_csv(loader.dir / "budget.csv"), start=1):
        source = loader.sources[row["source"]]
        loader.lines[row["source"], row["product"]], _ = loader._get_or_add(
            BudgetLine,
            {"project_id": loader.project.id, "source_id": source.id, "product": row["product"]},
            {
                "quantity": int(row["quantity"]),
                "unit_cost_pence": _pence(row["unit_cost"]),
                "provision_pence": _pence(row["provision"]),
                "notes": row["notes"],
                "position": position,
            },
        )
    for row in _read_csv(loader.dir / "spend.csv"):
        line = loader.lines[row["source"], row["product"]]
        loader._get_or_add(
            SpendEntry,
            {
                "line_id": line.id,
                "spent_on": _date(row["spent_on"]),
                "amount_pence": _pence(row["amount"]),
                "reference": row["reference"],
            },
            {"supplier": row["supplier"], "description": row["description"]},
        )


def load_staff_resources(loader: _Loader) -> None:
    for position, conf in enumerate(loader.config["staff_resources"], start=1):
        loader._get_or_add(
            StaffResource,
            {"project_id": loader.project.id, "role_name": conf["role"]},
            {
                "quantity": conf["quantity"],
                "days_each": conf["days_each"],
                "position": position,
            },
        )
