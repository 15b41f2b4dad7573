"""Views of the issue log (8.7) and the list of requests for change (9.3, appendix 7).

A request for change's own pages (raising, assessing, proposing effects, deciding) are in
`tracker.issues.change_views`, on the same blueprint. Thin views: the rules are in
`tracker.issues.log`, `tracker.issues.changes` and `tracker.issues.classification`; the request's
transaction commits once a view succeeds, and nothing is saved when a rule refuses.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth.models import Person
from tracker.exports import download
from tracker.extensions import db
from tracker.filters import date as day_text
from tracker.filters import london_today as today
from tracker.filters import money
from tracker.forms import show_refusal
from tracker.issues import bp
from tracker.issues.changes import london_date, project_changes
from tracker.issues.classification import ChangeView
from tracker.issues.forms import IssueForm
from tracker.issues.log import add_issue, issue_log, update_issue
from tracker.issues.models import EntryStatus, IssueLogEntry
from tracker.permissions import requires
from tracker.projects.models import Project
from tracker.projects.services import project_members
from tracker.projects.span import new_entry_date
from tracker.rules import RuleRefused
from tracker.versioning import form_status, refuse_stale, show_record


def render_page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(
        template,
        project=g.project,
        **context,
    ), status


def _export_format() -> str:
    kind = request.args.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        abort(404)
    return kind


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


# The issue log -------------------------------------------------------------------------------


@bp.route("/projects/<slug>/issues")
@requires("issue.view")
def log(slug: str) -> tuple[str, int]:
    return render_page("issues/log.html", entries=issue_log(g.project), title="Issue log")


LOG_COLUMNS = [
    "Issue number",
    "Type",
    "Type meaning",
    "Description",
    "Date identified",
    "Month only",
    "Author",
    "Resolution",
    "Last updated",
    "Status",
    "Change request",
]


@bp.route("/projects/<slug>/issues/export")
@requires("issue.view")
def log_export(slug: str) -> Response:
    kind = _export_format()
    rows = [
        {
            "Issue number": entry.number,
            "Type": entry.type.value,
            "Type meaning": entry.type.label,
            "Description": entry.description,
            "Date identified": entry.identified_on,
            "Month only": _yes(entry.identified_month_only),
            "Author": entry.author.label if entry.author else "",
            "Resolution": entry.resolution,
            "Last updated": entry.last_updated_on,
            "Status": entry.status.value.capitalize(),
            "Change request": entry.change_request.number if entry.change_request else None,
        }
        for entry in issue_log(g.project)
    ]
    return download(
        LOG_COLUMNS,
        rows,
        filename=f"{g.project.slug}-issue-log-{today().isoformat()}",
        file_format=kind,
        title="Issue log",
    )


def _people_choices(project: Project, also: Person | None = None) -> list[tuple[int, str]]:
    return [(p.id, p.label) for p in project_members(project, also)]


def _issue_data(entry: IssueLogEntry) -> dict[str, Any]:
    keys = ("description", "identified_on", "resolution")
    return {key: getattr(entry, key) for key in keys} | {
        "author": entry.author_id or 0,
        "status": entry.status.value,
    }


def _issue_form(entry: IssueLogEntry | None) -> IssueForm:
    form = IssueForm(obj=None)
    form.author.choices = [(0, "Select the author")] + _people_choices(
        g.project, entry.author if entry else current_user
    )
    if request.method == "GET" and entry is not None:
        show_record(form, entry, _issue_data(entry))
    elif request.method == "GET":
        form.author.data = current_user.id
        form.identified_on.data = new_entry_date(g.project, today())
    return form


@bp.route("/projects/<slug>/issues/new", methods=["GET", "POST"])
@requires("issue.edit")
def issue_new(slug: str) -> tuple[str, int] | BaseResponse:
    form = _issue_form(None)
    if form.validate_on_submit():
        try:
            entry = add_issue(
                g.project,
                description=form.description.data,
                identified_on=form.identified_on.data,
                author_id=form.author.data or None,
                resolution=form.resolution.data or "",
                status=EntryStatus(form.status.data),
                on=today(),
            )
        except RuleRefused as refusal:  # a date outside the project, or a number just taken
            show_refusal(form, refusal)
        else:
            flash(f"Issue {entry.number} added to the issue log.", "success")
            return redirect(url_for("issues.log", slug=slug, _anchor=f"entry-{entry.number}"))
    return render_page(
        "issues/issue_form.html",
        400 if request.method == "POST" else 200,
        form=form,
        entry=None,
        title="Add an issue or question",
    )


@bp.route("/projects/<slug>/issues/<int:entry_id>/edit", methods=["GET", "POST"])
@requires("issue.edit")
def issue_edit(slug: str, entry_id: int) -> tuple[str, int] | BaseResponse:
    entry = db.session.get(IssueLogEntry, entry_id)
    if entry is None or entry.project_id != g.project.id:
        abort(404)
    form = _issue_form(entry)
    if form.validate_on_submit() and not refuse_stale(form, entry, lambda: _issue_data(entry)):
        try:
            changed = update_issue(
                entry,
                description=form.description.data,
                identified_on=form.identified_on.data,
                author_id=form.author.data or None,
                resolution=form.resolution.data or "",
                status=EntryStatus(form.status.data),
                on=today(),
            )
        except RuleRefused as refusal:
            show_refusal(form, refusal)
        else:
            flash(
                f"Issue {entry.number} saved."
                if changed
                else f"Issue {entry.number}: nothing changed.",
                "success",
            )
            return redirect(url_for("issues.log", slug=slug, _anchor=f"entry-{entry.number}"))
    return render_page(
        "issues/issue_form.html",
        form_status(form, request.method),
        form=form,
        entry=entry,
        title=f"Edit issue {entry.number}",
    )


# Change requests -----------------------------------------------------------------------------


@bp.route("/projects/<slug>/changes")
@requires("issue.view")
def changes(slug: str) -> tuple[str, int]:
    return render_page(
        "issues/changes.html", views=project_changes(g.project), title="Change requests"
    )


CHANGE_COLUMNS = [
    "Change request",
    "Issue number",
    "Person requesting change",
    "Date raised",
    "Description of change",
    "Expected benefits",
    "Days of work",
    "Other products affected",
    "Cost of change (£)",
    "Needs more resources",
    "Changes requirements",
    "Raised to major",
    "Class",
    "Why major",
    "Decided by (role)",
    "Impact analysis by",
    "Impact analysis on",
    "Status",
    "Decision note",
    "Decided by",
    "Decided on",
    "Project group meeting",
    "Effects on plan and budget",
]


def _value_text(value: Any, is_money: bool) -> str:
    if value is None:
        return "not set"
    return money(value) if is_money else day_text(value)


def _export_row(view: ChangeView) -> dict[str, Any]:
    change = view.change
    assessed = view.assessed
    cost = change.impact_cost_pence
    return {
        "Change request": change.number,
        "Issue number": change.issue_entry.number if change.issue_entry else "",
        "Person requesting change": change.requested_by.label if change.requested_by else "",
        "Date raised": change.raised_on,
        "Description of change": change.description,
        "Expected benefits": change.expected_benefits,
        "Days of work": change.impact_days,
        "Other products affected": change.impact_products,
        "Cost of change (£)": Decimal(cost) / 100 if cost is not None else None,
        "Needs more resources": _yes(change.needs_more_resources),
        "Changes requirements": _yes(change.changes_requirements),
        "Raised to major": _yes(change.raised_to_major),
        "Class": view.classification.label if assessed else "Not yet assessed",
        "Why major": "; ".join(view.classification.reasons) if assessed else "",
        "Decided by (role)": view.decider.label if assessed else "",
        "Impact analysis by": view.assessed_by.label if view.assessed_by else "",
        "Impact analysis on": london_date(change.assessed_at),
        "Status": change.status.label,
        "Decision note": change.decision_note,
        "Decided by": change.decided_by.label if change.decided_by else "",
        "Decided on": london_date(change.decided_at),
        "Project group meeting": change.meeting.held_on if change.meeting else None,
        "Effects on plan and budget": "; ".join(
            f"{e.label}: {_value_text(e.old, e.is_money)} → {_value_text(e.new, e.is_money)}"
            for e in view.effects
        ),
    }


@bp.route("/projects/<slug>/changes/export")
@requires("issue.view")
def changes_export(slug: str) -> Response:
    kind = _export_format()
    views = sorted(project_changes(g.project), key=lambda v: v.change.number)
    return download(
        CHANGE_COLUMNS,
        [_export_row(view) for view in views],
        filename=f"{g.project.slug}-change-requests-{today().isoformat()}",
        file_format=kind,
        title="Change requests",
    )
