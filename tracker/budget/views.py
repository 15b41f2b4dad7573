"""Views of the budget (Project Document 10.2) and of staff resources (10.1).

Thin views: the rules are in `tracker.budget.ledger` (sources, lines, spend) and
`tracker.budget.staff` (staff days); the figures in `figures` and `months`. A `RuleRefused`
becomes a message beside its field. The request's one transaction (`tracker.transactions`)
commits a successful save; nothing is saved when anything is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse

from tracker.budget import bp
from tracker.budget.charts import (
    spend_figure,
    spend_summary,
    staff_figure,
    staff_summary_text,
)
from tracker.budget.figures import load_sources, summarise_budget
from tracker.budget.forms import (
    BudgetLineForm,
    FundingSourceForm,
    SpendForm,
    StaffTimeForm,
)
from tracker.budget.ledger import (
    get_line,
    get_source,
    project_lines,
    project_sources,
    record_spend,
    save_line,
    save_source,
)
from tracker.budget.models import BudgetLine, FundingSource, StaffResource
from tracker.budget.months import monthly_spend, planned_rule
from tracker.budget.staff import (
    Recorded,
    format_days,
    load_staff,
    members_for_staff_time,
    project_resources,
    record_staff_time,
    summarise_staff,
)
from tracker.budget.staff_edit import refuse_stale_days, show_entry, staff_entry
from tracker.charts import figure_json
from tracker.exports import download
from tracker.filters import date as format_date
from tracker.filters import london_today as today
from tracker.filters import money
from tracker.forms import show_refusal
from tracker.ordering import MoveForm
from tracker.permissions import requires
from tracker.projects.span import new_entry_date
from tracker.projects.status import status_date
from tracker.rules import RuleRefused
from tracker.transactions import roll_back
from tracker.versioning import form_status, record_data, refuse_stale, show_record


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, project=g.project, format_days=format_days, **context), status


def _form_status(form: Any) -> int:
    return form_status(form, request.method)


def _export_format() -> str:
    kind = request.args.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        abort(404)
    return kind


def _pounds(pence: int | None) -> Decimal | None:
    """Pence as exact pounds for a spreadsheet cell: 120050 -> Decimal("1200.50")."""
    return None if pence is None else Decimal(pence).scaleb(-2)


# The budget ----------------------------------------------------------------------------------


@bp.route("/projects/<slug>/budget")
@requires("budget.view")
def overview(slug: str) -> tuple[str, int]:
    sources = load_sources(g.project)
    summary = summarise_budget(sources)
    months = monthly_spend(g.project, sources, status_date(g.project))
    return _render(
        "budget/overview.html",
        summary=summary,
        months=months,
        rule=planned_rule(g.project),
        figure_json=figure_json(spend_figure(months)),
        chart_summary=spend_summary(months),
        title="Budget",
    )


def _table(kind: str, name: str, title: str, columns: list[str], rows: Iterable[tuple]) -> Response:
    """Rows of values, in the order of `columns`, as a CSV or XLSX file named for the project,
    the table and today."""
    return download(
        columns,
        [dict(zip(columns, row, strict=True)) for row in rows],
        filename=f"{g.project.slug}-{name}-{today().isoformat()}",
        file_format=kind,
        title=title,
    )


LINE_COLUMNS = [
    "Funding source code",
    "Funding source",
    "Quantity",
    "Product",
    "Unit cost (£, excluding VAT)",
    "Provision (£, excluding VAT)",
    "Actual to date (£)",
    "Remaining (£)",
    "Status",
    "Quantity × unit cost (£)",
    "Notes",
]


@bp.route("/projects/<slug>/budget/lines/export")
@requires("budget.view")
def lines_export(slug: str) -> Response:
    kind = _export_format()
    summary = summarise_budget(load_sources(g.project))
    rows = (
        (
            f.line.source.code,
            f.line.source.name,
            f.line.quantity,
            f.line.product,
            _pounds(f.line.unit_cost_pence),
            _pounds(f.provision_pence),
            _pounds(f.actual_pence),
            _pounds(f.remaining_pence),
            f.status[0],
            _pounds(f.costed_pence),
            f.line.notes,
        )
        for f in summary.lines
    )
    return _table(kind, "budget-lines", "Budget lines", LINE_COLUMNS, rows)


SPEND_COLUMNS = [
    "Date",
    "Funding source code",
    "Budget line",
    "Amount (£, excluding VAT)",
    "Supplier",
    "Reference",
    "Description",
]


@bp.route("/projects/<slug>/budget/spend/export")
@requires("budget.view")
def spend_export(slug: str) -> Response:
    kind = _export_format()
    summary = summarise_budget(load_sources(g.project))
    rows = (
        (
            entry.spent_on,
            entry.line.source.code,
            entry.line.product,
            _pounds(entry.amount_pence),
            entry.supplier,
            entry.reference,
            entry.description,
        )
        for entry in summary.spend
    )
    return _table(kind, "spend", "Spend", SPEND_COLUMNS, rows)


def _source_fields(source: FundingSource) -> dict[str, Any]:
    """The source's values whose form fields are named otherwise than its columns."""
    return {"allocation": source.allocation_pence}


def _source_page(source: FundingSource | None) -> tuple[str, int] | BaseResponse:
    form = FundingSourceForm(obj=None if request.method == "POST" else source)
    if request.method == "GET" and source is not None:
        show_record(form, source, _source_fields(source))
    if form.validate_on_submit() and not (
        source
        and refuse_stale(form, source, lambda: record_data(form, source, **_source_fields(source)))
    ):
        try:
            saved = save_source(
                g.project,
                source,
                code=form.code.data,
                name=form.name.data,
                allocation_pence=form.allocation.data,
                in_project_budget=bool(form.in_project_budget.data),
            )
        except RuleRefused as refusal:
            show_refusal(form, refusal)
        else:
            flash(f"Funding source {saved.code} saved.", "success")
            return redirect(url_for("budget.overview", slug=g.project.slug))
    return _render(
        "budget/source_form.html",
        _form_status(form),
        form=form,
        source=source,
        title=f"Change funding source {source.code}" if source else "Add a funding source",
    )


@bp.route("/projects/<slug>/budget/sources/new", methods=["GET", "POST"])
@requires("budget.edit")
def source_new(slug: str) -> tuple[str, int] | BaseResponse:
    return _source_page(None)


@bp.route("/projects/<slug>/budget/sources/<int:source_id>/edit", methods=["GET", "POST"])
@requires("budget.edit")
def source_edit(slug: str, source_id: int) -> tuple[str, int] | BaseResponse:
    source = get_source(g.project, source_id)
    if source is None:
        abort(404)
    return _source_page(source)


def _line_fields(line: BudgetLine) -> dict[str, Any]:
    """The line's values whose form fields are named, or hold them, otherwise than its columns."""
    return {
        "source": line.source_id,
        "quantity": str(line.quantity),
        "unit_cost": line.unit_cost_pence,
        "provision": line.provision_pence,
    }


def _line_page(line: BudgetLine | None) -> tuple[str, int] | BaseResponse:
    sources = project_sources(g.project)
    form = BudgetLineForm(obj=None if request.method == "POST" else line)
    form.source.choices = [(0, "Select the funding source")] + [
        (s.id, f"{s.name} ({s.code})") for s in sources
    ]
    if request.method == "GET":
        if line is not None:
            show_record(form, line, _line_fields(line))
        else:
            wanted = request.args.get("source", type=int)
            form.source.data = wanted if any(s.id == wanted for s in sources) else 0
            form.quantity.data = "1"
    if form.validate_on_submit() and not (
        line and refuse_stale(form, line, lambda: record_data(form, line, **_line_fields(line)))
    ):
        source = next(s for s in sources if s.id == form.source.data)
        try:
            saved = save_line(
                g.project,
                line,
                source=source,
                product=form.product.data,
                quantity=form.quantity_number,
                unit_cost_pence=form.unit_cost.data,
                provision_pence=form.provision.data,
                notes=form.notes.data or "",
            )
        except RuleRefused as refusal:
            show_refusal(form, refusal)
        else:
            flash(f"Budget line {saved.product} saved.", "success")
            return redirect(
                url_for("budget.overview", slug=g.project.slug, _anchor=f"line-{saved.id}")
            )
    return _render(
        "budget/line_form.html",
        _form_status(form),
        form=form,
        line=line,
        sources=sources,
        title=f"Change budget line {line.product}" if line else "Add a budget line",
    )


@bp.route("/projects/<slug>/budget/lines/new", methods=["GET", "POST"])
@requires("budget.edit")
def line_new(slug: str) -> tuple[str, int] | BaseResponse:
    return _line_page(None)


@bp.route("/projects/<slug>/budget/lines/<int:line_id>/edit", methods=["GET", "POST"])
@requires("budget.edit")
def line_edit(slug: str, line_id: int) -> tuple[str, int] | BaseResponse:
    line = get_line(g.project, line_id)
    if line is None:
        abort(404)
    return _line_page(line)


@bp.route("/projects/<slug>/budget/spend/new", methods=["GET", "POST"])
@requires("budget.edit")
def spend_new(slug: str) -> tuple[str, int] | BaseResponse:
    lines = project_lines(g.project)
    form = SpendForm()
    form.line.choices = [(0, "Select the budget line")] + [
        (line.id, f"{line.product} ({line.source.code})") for line in lines
    ]
    if request.method == "GET":
        wanted = request.args.get("line", type=int)
        form.line.data = wanted if any(line.id == wanted for line in lines) else 0
        form.spent_on.data = new_entry_date(g.project, today())
    if form.validate_on_submit():
        line = next(line for line in lines if line.id == form.line.data)
        try:
            entry = record_spend(
                line,
                spent_on=form.spent_on.data,
                amount_pence=form.amount.data,
                supplier=form.supplier.data or "",
                reference=form.reference.data or "",
                description=form.description.data or "",
                on=today(),
            )
        except RuleRefused as refusal:
            show_refusal(form, refusal)
        else:
            flash(
                f"{money(entry.amount_pence)} spent on {format_date(entry.spent_on)} recorded "
                f"against {line.product}.",
                "success",
            )
            return redirect(url_for("budget.overview", slug=slug, _anchor=f"line-{line.id}"))
    return _render(
        "budget/spend_form.html",
        _form_status(form),
        form=form,
        has_lines=bool(lines),
        title="Record spend",
    )


# Staff resources -----------------------------------------------------------------------------


@bp.route("/projects/<slug>/staff")
@requires("staff.view")
def staff(slug: str) -> tuple[str, int]:
    summary = summarise_staff(*load_staff(g.project))
    return _render(
        "budget/staff.html",
        summary=summary,
        figure_json=figure_json(staff_figure(summary)),
        chart_summary=staff_summary_text(summary),
        move_form=MoveForm(formdata=None),
        title="Staff days",
    )


STAFF_COLUMNS = ["Month", "Person", "Role", "Days"]


@bp.route("/projects/<slug>/staff/export")
@requires("staff.view")
def staff_export(slug: str) -> Response:
    kind = _export_format()
    resources, times = load_staff(g.project)
    names = {r.id: r.role_name for r in resources}
    rows = (
        (time.month, time.person.label, names.get(time.resource_id, ""), Decimal(time.days))
        for time in times
    )
    return _table(kind, "staff-time", "Staff time", STAFF_COLUMNS, rows)


def _month_arg(text: str | None) -> dt.date | None:
    """A month given in the address as 2010-02."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return None


@bp.route("/projects/<slug>/staff/record", methods=["GET", "POST"])
@requires("staff.record")
def staff_record(slug: str) -> tuple[str, int] | BaseResponse:
    people = members_for_staff_time(g.project)
    resources = project_resources(g.project)
    form = StaffTimeForm()
    form.person.choices = [(0, "Select the person")] + [(p.id, p.label) for p in people]
    form.resource.choices = [(0, "Select the role")] + [
        (r.id, f"{r.role_name} ({r.quantity} × {r.days_each} days)") for r in resources
    ]
    if request.method == "GET":
        person_id = request.args.get("person", type=int)
        resource_id = request.args.get("resource", type=int)
        form.person.data = person_id if any(p.id == person_id for p in people) else 0
        form.resource.data = resource_id if any(r.id == resource_id for r in resources) else 0
        form.month.data = _month_arg(request.args.get("month"))
        days = request.args.get("days")
        if days:
            form.days.data = days
        show_entry(form, staff_entry(form.resource.data, form.person.data, form.month.data))
    if form.validate_on_submit():
        person = next(p for p in people if p.id == form.person.data)
        resource: StaffResource = next(r for r in resources if r.id == form.resource.data)
        recorded = None
        try:
            recorded = _record(person, resource, form)
        except RuleRefused as refusal:
            show_refusal(form, refusal)
        if recorded is not None:
            month = format_date(recorded.entry.month, month_only=True)
            days = format_days(recorded.entry.days)
            if recorded.previous_days is None:
                message = (
                    f"{days} days recorded for {person.name} as {resource.role_name} in {month}."
                )
            else:
                message = (
                    f"{person.name}'s days as {resource.role_name} in {month} changed from "
                    f"{format_days(recorded.previous_days)} to {days}."
                )
            flash(message, "success")
            return redirect(url_for("budget.staff", slug=slug, _anchor="time"))
    return _render(
        "budget/staff_form.html",
        _form_status(form),
        form=form,
        has_roles=bool(resources),
        title="Record staff days",
    )


def _record(person: Any, resource: StaffResource, form: StaffTimeForm) -> Recorded | None:
    """Record the days, or None when the form is refused as stale. If another request recorded
    the same month a moment earlier (the unique constraint, met at the rule's flush), check
    again: those days are then saved, and replaced only if the person saw them."""
    for attempt in range(2):
        try:
            if refuse_stale_days(form, staff_entry(resource.id, person.id, form.month.data)):
                return None
            return record_staff_time(
                g.project,
                resource=resource,
                person=person,
                month=form.month.data,
                days=form.days_value,
            )
        except IntegrityError:
            roll_back()
            if attempt:
                raise
    raise AssertionError("unreachable")
