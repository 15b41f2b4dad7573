"""The budget's ledger: funding sources, the budget lines they pay for and the spend recorded
against each line; finding them in a project, and the rules for adding and changing them.

Every rule refuses with `RuleRefused`, naming the form field its message belongs beside. Money
is whole pence (int); what the figures then add up to is in `tracker.budget.figures`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.budget.models import BudgetLine, FundingSource, SpendEntry
from tracker.extensions import db
from tracker.filters import london_today as today
from tracker.projects.models import Project
from tracker.projects.span import check_in_span
from tracker.rules import RuleRefused


def get_line(project: Project, line_id: int) -> BudgetLine | None:
    line = db.session.get(BudgetLine, line_id)
    return line if line is not None and line.project_id == project.id else None


def get_source(project: Project, source_id: int) -> FundingSource | None:
    source = db.session.get(FundingSource, source_id)
    return source if source is not None and source.project_id == project.id else None


def project_sources(project: Project) -> list[FundingSource]:
    """The funding sources alone (for choosing one), in their order."""
    return list(
        db.session.execute(
            select(FundingSource)
            .where(FundingSource.project_id == project.id)
            .order_by(FundingSource.position, FundingSource.id)
        ).scalars()
    )


def project_lines(project: Project) -> list[BudgetLine]:
    """The budget lines alone (for choosing one), by source then position."""
    return list(
        db.session.execute(
            select(BudgetLine)
            .join(FundingSource, FundingSource.id == BudgetLine.source_id)
            .where(BudgetLine.project_id == project.id)
            .order_by(FundingSource.position, FundingSource.id, BudgetLine.position, BudgetLine.id)
            .options(joinedload(BudgetLine.source))
        ).scalars()
    )


def save_source(
    project: Project,
    source: FundingSource | None,
    *,
    code: str,
    name: str,
    allocation_pence: int,
    in_project_budget: bool = True,
) -> FundingSource:
    """Add a funding source (source None) or change one. The code is unique in the project;
    a source outside the project budget is money shown beside it, not blended in."""
    code = code.strip().upper()
    taken = db.session.execute(
        select(FundingSource.id).where(
            FundingSource.project_id == project.id,
            func.upper(FundingSource.code) == code,
        )
    ).scalar_one_or_none()
    if taken is not None and (source is None or taken != source.id):
        raise RuleRefused(f"The project already has a funding source with code {code}", "code")
    if allocation_pence < 0:
        raise RuleRefused("The allocation must be £0 or more", "allocation")
    if source is None:
        position = db.session.execute(
            select(func.coalesce(func.max(FundingSource.position), 0)).where(
                FundingSource.project_id == project.id
            )
        ).scalar_one()
        source = FundingSource(project_id=project.id, position=position + 1)
        db.session.add(source)
    source.code = code
    source.name = name.strip()
    source.allocation_pence = allocation_pence
    source.in_project_budget = in_project_budget
    db.session.flush()
    return source


def save_line(
    project: Project,
    line: BudgetLine | None,
    *,
    source: FundingSource,
    product: str,
    quantity: int,
    unit_cost_pence: int,
    provision_pence: int | None,
    notes: str = "",
) -> BudgetLine:
    """Add a budget line (line None) or change one. A blank provision is quantity × unit cost."""
    if source.project_id != project.id:
        raise RuleRefused("Select a funding source of this project", "source")
    if quantity < 1:
        raise RuleRefused("Quantity must be 1 or more", "quantity")
    if unit_cost_pence < 0:
        raise RuleRefused("The unit cost must be £0 or more", "unit_cost")
    if provision_pence is None:
        provision_pence = quantity * unit_cost_pence
    if provision_pence < 0:
        raise RuleRefused("The provision must be £0 or more", "provision")
    if line is None or line.source_id != source.id:
        position = db.session.execute(
            select(func.coalesce(func.max(BudgetLine.position), 0)).where(
                BudgetLine.project_id == project.id
            )
        ).scalar_one()
        if line is None:
            line = BudgetLine(project_id=project.id)
            db.session.add(line)
        line.position = position + 1
    line.source_id = source.id
    line.source = source
    line.product = product.strip()
    line.quantity = quantity
    line.unit_cost_pence = unit_cost_pence
    line.provision_pence = provision_pence
    line.notes = (notes or "").strip()
    db.session.flush()
    return line


def record_spend(
    line: BudgetLine,
    *,
    spent_on: dt.date,
    amount_pence: int,
    supplier: str = "",
    reference: str = "",
    description: str = "",
    on: dt.date | None = None,
) -> SpendEntry:
    """Record money spent against a line. The amount is more than £0; the date is within the
    project's dates and not in the future."""
    if amount_pence <= 0:
        raise RuleRefused("The amount must be more than £0", "amount")
    if spent_on > (on or today()):
        raise RuleRefused("The date must be today or in the past", "spent_on")
    project = db.session.get(Project, line.project_id)  # loaded already: no query
    assert project is not None
    check_in_span(project, spent_on, what="Date spent", field="spent_on")
    entry = SpendEntry(
        line_id=line.id,
        spent_on=spent_on,
        amount_pence=amount_pence,
        supplier=supplier.strip(),
        reference=reference.strip(),
        description=description.strip(),
    )
    line.spend.append(entry)
    db.session.add(entry)
    db.session.flush()
    return entry
