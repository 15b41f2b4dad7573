"""Views of the risk log (Project Document 8.6): the log with its heat map, each risk, its
reviews, the trend and the downloads.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from tracker.auth.models import Person
from tracker.database import utcnow
from tracker.exports import download
from tracker.filters import london_today as today
from tracker.forms import show_refusal
from tracker.permissions import requires
from tracker.projects.models import Project
from tracker.projects.services import project_members
from tracker.projects.status import status_date
from tracker.risks import bp
from tracker.risks.forms import SORTS, ReviewForm, RiskFilterForm, RiskForm
from tracker.risks.models import Level, Risk, RiskStatus, status_label
from tracker.risks.services import (
    NO_OWNER,
    STATUS_FILTERS,
    RiskFilter,
    add_risk,
    filter_risks,
    get_risk,
    heat_map,
    is_review_overdue,
    london_date,
    project_risks,
    review_risk,
    risk_score,
    risk_trend,
    score_band,
    sort_by_number,
    trend_until,
    update_risk,
)
from tracker.rules import RuleRefused
from tracker.versioning import form_status, record_data, refuse_stale, show_record


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(
        template,
        project=g.project,
        risk_score=risk_score,
        score_band=score_band,
        is_review_overdue=is_review_overdue,
        today=status_date(g.project),
        **context,
    ), status


def _load(risk_id: int) -> Risk:
    risk = get_risk(g.project, risk_id)
    if risk is None:
        abort(404)
    return risk


# The log and its heat map -----------------------------------------------------------------------


def _filter_form(risks: list[Risk]) -> tuple[RiskFilterForm, RiskFilter]:
    """The log's filter form on the query string, and the filter it asks for. Its choices come
    from the risks already loaded: no further query."""
    form = RiskFilterForm(request.args)
    form.status.choices = [SelectChoice("", "Any status")] + [
        SelectChoice(value, words) for value, words in STATUS_FILTERS.items()
    ]
    owners = {risk.owner.id: risk.owner for risk in risks if risk.owner is not None}
    form.owner.choices = [SelectChoice("", "Anyone")] + [
        SelectChoice(str(person.id), person.label)
        for person in sorted(owners.values(), key=lambda p: p.name)
    ]
    if any(risk.owner is None for risk in risks):
        form.owner.choices.append(SelectChoice(NO_OWNER, "No owner"))
    levels = [SelectChoice(level.value, level.label) for level in Level]
    form.probability.choices = [SelectChoice("", "Any probability")] + levels
    form.impact.choices = [SelectChoice("", "Any impact")] + levels
    form.sort.choices = [SelectChoice(value, words) for value, words in SORTS.items()]
    return form, form.risk_filter()


@bp.route("/projects/<slug>/risks")
@requires("risk.view")
def log(slug: str) -> tuple[str, int]:
    risks = project_risks(g.project)
    filter_form, risk_filter = _filter_form(risks)
    sort = filter_form.sort.data
    shown = filter_risks(risks, risk_filter)
    if sort == "number":
        shown = sort_by_number(shown)
    on = status_date(g.project)
    return _render(
        "risks/log.html",
        risks=shown,
        total=len(risks),
        heat=heat_map(risks),
        overdue=[risk for risk in sort_by_number(risks) if is_review_overdue(risk, on)],
        risk_filter=risk_filter,
        sort=sort,
        filter_form=filter_form,
        title="Risk log",
    )


@bp.route("/projects/<slug>/risks/trend")
@requires("risk.view")
def trend(slug: str) -> tuple[str, int]:
    risks = project_risks(g.project, with_reviews=True)
    until = trend_until(risks, g.project.end_date, status_date(g.project))
    return _render(
        "risks/trend.html",
        months=list(reversed(risk_trend(risks, until))),
        until=until,
        title="Risk trend",
    )


EXPORT_COLUMNS = [
    "Risk number",
    "Risk description",
    "Probability (H/M/L)",
    "Impact (H/M/L)",
    "Score",
    "Score band",
    "Owner initials",
    "Owner",
    "Countermeasures",
    "Action date",
    "Action ongoing",
    "Status",
    "Review by",
    "Review overdue",
    "Reviews recorded",
    "Last reviewed",
]


@bp.route("/projects/<slug>/risks/export")
@requires("risk.view")
def export(slug: str) -> Response:
    kind = request.args.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        abort(404)
    on = status_date(g.project)
    rows = []
    for risk in sort_by_number(project_risks(g.project, with_reviews=True)):
        score = risk_score(risk.probability, risk.impact)
        last = risk.reviews[-1].reviewed_at if risk.reviews else None
        rows.append(
            {
                "Risk number": risk.number,
                "Risk description": risk.description,
                "Probability (H/M/L)": risk.probability.value,
                "Impact (H/M/L)": risk.impact.value,
                "Score": score,
                "Score band": score_band(score).label,
                "Owner initials": risk.owner.initials if risk.owner else "",
                "Owner": risk.owner.name if risk.owner else "",
                "Countermeasures": risk.countermeasures,
                "Action date": risk.action_date,
                "Action ongoing": "Yes" if risk.action_ongoing else "No",
                "Status": status_label(risk.status),
                "Review by": risk.review_by,
                "Review overdue": "Yes" if is_review_overdue(risk, on) else "No",
                "Reviews recorded": len(risk.reviews),
                "Last reviewed": london_date(last) if last else None,
            }
        )
    return download(
        EXPORT_COLUMNS,
        rows,
        filename=f"{g.project.slug}-risk-log-{on.isoformat()}",
        file_format=kind,
        title="Risk log",
    )


REVIEW_COLUMNS = [
    "Risk number",
    "Risk description",
    "Reviewed on",
    "Reviewed by",
    "Probability (H/M/L)",
    "Impact (H/M/L)",
    "Score",
    "Score band",
    "Status",
    "Note",
]


@bp.route("/projects/<slug>/risks/reviews/export")
@requires("risk.view")
def reviews_export(slug: str) -> Response:
    """Every review of every risk, oldest first within each risk: the risk log's history as a
    table, for the trend the project group reads at each meeting."""
    kind = request.args.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        abort(404)
    rows = []
    for risk in sort_by_number(project_risks(g.project, with_reviews=True)):
        for review in risk.reviews:
            score = risk_score(review.probability, review.impact)
            rows.append(
                {
                    "Risk number": risk.number,
                    "Risk description": risk.description,
                    "Reviewed on": london_date(review.reviewed_at),
                    "Reviewed by": review.reviewed_by.name if review.reviewed_by else "",
                    "Probability (H/M/L)": review.probability.value,
                    "Impact (H/M/L)": review.impact.value,
                    "Score": score,
                    "Score band": score_band(score).label,
                    "Status": status_label(review.status),
                    "Note": review.note,
                }
            )
    return download(
        REVIEW_COLUMNS,
        rows,
        filename=f"{g.project.slug}-risk-reviews-{today().isoformat()}",
        file_format=kind,
        title="Risk reviews",
    )


# One risk ---------------------------------------------------------------------------------------


@bp.route("/projects/<slug>/risks/<int:risk_id>")
@requires("risk.view")
def risk(slug: str, risk_id: int) -> tuple[str, int]:
    found = _load(risk_id)
    return _render(
        "risks/risk.html",
        risk=found,
        reviews=list(reversed(found.reviews)),
        title=f"Risk {found.number}",
    )


def _owner_choices(project: Project, also: Person | None) -> list[SelectChoice]:
    people = project_members(project, also)
    return [SelectChoice(0, "No owner")] + [SelectChoice(p.id, p.label) for p in people]


def _judgement(found: Risk) -> dict[str, Any]:
    """The part of the risk a review form starts from."""
    return {
        "probability": found.probability.value,
        "impact": found.impact.value,
        "status": found.status.value if found.status else None,
    }


def _risk_data(form: RiskForm, found: Risk) -> dict[str, Any]:
    """The risk as its edit form holds it: each field the attribute of its name, the choices
    as their values."""
    return record_data(form, found, owner=found.owner_id or 0, **_judgement(found))


def _risk_form(found: Risk | None) -> RiskForm:
    form = RiskForm()
    form.owner.choices = _owner_choices(g.project, found.owner if found else None)
    if request.method == "GET":
        if found is None:
            form.status.data = RiskStatus.OPEN.value
        else:
            show_record(form, found, _risk_data(form, found))
    return form


def _risk_values(form: RiskForm) -> dict[str, Any]:
    return {
        "description": form.description.data,
        "probability": form.probability.data,
        "impact": form.impact.data,
        "owner_id": form.owner.data or None,
        "countermeasures": form.countermeasures.data or "",
        "action_date": form.action_date.data,
        "action_ongoing": bool(form.action_ongoing.data),
        "status": RiskStatus(form.status.data),
        "review_by": form.review_by.data,
    }


def _form_page(form: RiskForm, found: Risk | None, title: str) -> tuple[str, int]:
    return _render(
        "risks/risk_form.html",
        form_status(form, request.method),
        form=form,
        risk=found,
        title=title,
    )


@bp.route("/projects/<slug>/risks/new", methods=["GET", "POST"])
@requires("risk.edit")
def risk_new(slug: str) -> tuple[str, int] | BaseResponse:
    form = _risk_form(None)
    if form.validate_on_submit():
        try:
            added = add_risk(g.project, **_risk_values(form), added_by=current_user, now=utcnow())
        except RuleRefused as refused:
            show_refusal(form, refused)
        else:
            flash(f"Risk {added.number} added to the risk log.", "success")
            return redirect(url_for("risks.risk", slug=slug, risk_id=added.id))
    return _form_page(form, None, "Add a risk")


@bp.route("/projects/<slug>/risks/<int:risk_id>/edit", methods=["GET", "POST"])
@requires("risk.edit")
def risk_edit(slug: str, risk_id: int) -> tuple[str, int] | BaseResponse:
    found = _load(risk_id)
    form = _risk_form(found)
    if form.validate_on_submit() and not refuse_stale(form, found, lambda: _risk_data(form, found)):
        try:
            changed = update_risk(found, **_risk_values(form), edited_by=current_user, now=utcnow())
        except RuleRefused as refused:
            show_refusal(form, refused)
        else:
            outcome = "saved" if changed else "nothing changed"
            flash(f"Risk {found.number}: {outcome}.", "success")
            return redirect(url_for("risks.risk", slug=slug, risk_id=found.id))
    return _form_page(form, found, f"Edit risk {found.number}")


@bp.route("/projects/<slug>/risks/<int:risk_id>/review", methods=["GET", "POST"])
@requires("risk.edit")
def risk_review(slug: str, risk_id: int) -> tuple[str, int] | BaseResponse:
    found = _load(risk_id)
    form = ReviewForm()
    if request.method == "GET":
        show_record(form, found, _judgement(found))
    if form.validate_on_submit() and not refuse_stale(form, found, lambda: _judgement(found)):
        try:
            review_risk(
                found,
                probability=form.probability.data,
                impact=form.impact.data,
                status=RiskStatus(form.status.data),
                note=form.note.data or "",
                review_by=form.review_by.data,
                reviewed_by=current_user,
                now=utcnow(),
            )
        except RuleRefused as refused:
            show_refusal(form, refused)
        else:
            flash(f"Review of risk {found.number} recorded.", "success")
            return redirect(url_for("risks.risk", slug=slug, risk_id=found.id, _anchor="reviews"))
    return _render(
        "risks/review_form.html",
        form_status(form, request.method),
        form=form,
        risk=found,
        title=f"Review risk {found.number}",
    )
