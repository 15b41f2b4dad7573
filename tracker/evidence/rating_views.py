"""Entering a round's ratings on one page per service, work stream or the council."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from tracker.evidence import bp
from tracker.evidence.access import viewer_for
from tracker.evidence.forms import ImportForm, RoundForm
from tracker.evidence.matrices import project_criteria
from tracker.evidence.models import AssessmentRound, RatingScale, RatingScope
from tracker.evidence.rating_grid import RatingGridForm, as_read, column_ratings, refuse_stale_grid
from tracker.evidence.ratings import may_rate, parse_import, save_column, save_round
from tracker.evidence.readiness import SCALE_LABELS
from tracker.evidence.services import project_elements
from tracker.extensions import db
from tracker.filters import london_today
from tracker.permissions import requires
from tracker.plan.table_files import FileProblem, read_table
from tracker.projects.models import Service, WorkStream
from tracker.rules import RuleRefused
from tracker.transactions import roll_back
from tracker.transitions import lock
from tracker.versioning import form_status, record_data, refuse_stale, show_record


def _project_round(round_id: int) -> AssessmentRound:
    """The project's round, or 404."""
    round_ = db.session.get(AssessmentRound, round_id)
    if round_ is None or round_.project_id != g.project.id:
        abort(404)
    return round_


@bp.route("/projects/<slug>/ratings/<int:round_id>/enter", methods=["GET", "POST"])
@requires("rating.enter")
def ratings_entry(slug: str, round_id: int) -> tuple[str, int] | BaseResponse:
    round_ = _project_round(round_id)
    viewer = viewer_for(current_user.id, g.project, g.roles)
    model = {RatingScope.SERVICE: Service, RatingScope.WORK_STREAM: WorkStream}.get(round_.scope)
    columns = (
        list(
            db.session.execute(
                select(model).where(model.project_id == g.project.id).order_by(model.position)
            ).scalars()
        )
        if model
        else []
    )
    choices = [c for c in columns if may_rate(viewer, round_, c.id)] if model else []
    column_id = request.args.get("for", type=int) if model else None
    column = next((c for c in choices if c.id == column_id), None)
    if model and column is None:
        if not choices:
            abort(403)
        return redirect(
            url_for(".ratings_entry", slug=slug, round_id=round_id, **{"for": choices[0].id})
        )
    if not model and not may_rate(viewer, round_, None):
        abort(403)
    criteria = project_criteria(g.project)
    elements = [e for c in criteria for sub in c.subcriteria for e in sub.elements]
    labels = SCALE_LABELS[round_.scale]
    form = RatingGridForm()
    current: Mapping[int, str] = {}
    error, status = None, 200
    if request.method == "GET":
        current = column_ratings(round_, column_id)
        form.read_as.data = as_read(current)
    elif not form.validate_on_submit():
        current, status = column_ratings(round_, column_id), 400
    else:
        current = {e.id: request.form.get(f"element-{e.id}", "").strip() for e in elements}
        lock(round_)  # one grid of the round checked and saved at a time
        if refuse_stale_grid(form, elements, column_ratings(round_, column_id), current, labels):
            status = form_status(form, request.method)
        else:
            try:
                changed = save_column(round_, column_id, current, current_user, london_today())
            except RuleRefused as refusal:
                roll_back()
                error, status = refusal.message, 400
            else:
                flash(f"{changed} rating{'s' if changed != 1 else ''} saved.", "success")
                return redirect(url_for("evidence.matrix", slug=slug, round_id=round_id))
    return render_template(
        "evidence/ratings_entry.html",
        project=g.project,
        round=round_,
        column=column,
        choices=choices,
        criteria=criteria,
        current=current,
        labels=labels,
        form=form,
        error=error,
        title=f"Enter ratings: {round_.name}",
    ), status


def _round_fields(round_: AssessmentRound) -> dict[str, Any]:
    """The fields of the round's form that hold its choices' values, not the enums."""
    return {"scale": round_.scale.value, "scope": round_.scope.value}


def _round_page(form: RoundForm, round_: AssessmentRound) -> tuple[str, int] | BaseResponse:
    """The form of a new or existing round; saved only when every field can be."""
    adding = round_.id is None
    if form.validate_on_submit() and not refuse_stale(
        form, round_, lambda: record_data(form, round_, **_round_fields(round_))
    ):
        problems = save_round(
            round_,
            name=form.name.data,
            scale=RatingScale(form.scale.data),
            scope=RatingScope(form.scope.data),
            held_from=form.held_from.data,
            held_to=form.held_to.data,
        )
        for field, message in problems.items():
            form[field].errors.append(message)
        if not problems:
            if adding:
                flash(f"Round “{round_.name}” added: enter its ratings.", "success")
                return redirect(
                    url_for("evidence.ratings_entry", slug=g.project.slug, round_id=round_.id)
                )
            flash(f"Round “{round_.name}” saved.", "success")
            return redirect(url_for("evidence.matrix", slug=g.project.slug, round_id=round_.id))
    status = form_status(form, request.method)
    return render_template(
        "evidence/round_form.html",
        project=g.project,
        form=form,
        round=None if adding else round_,
        title="Add a rating round" if adding else f"Change the round {round_.name}",
    ), status


@bp.route("/projects/<slug>/ratings/new", methods=["GET", "POST"])
@requires("round.manage")
def round_new(slug: str) -> tuple[str, int] | BaseResponse:
    return _round_page(RoundForm(), AssessmentRound(project_id=g.project.id))


@bp.route("/projects/<slug>/ratings/<int:round_id>/edit", methods=["GET", "POST"])
@requires("round.manage")
def round_edit(slug: str, round_id: int) -> tuple[str, int] | BaseResponse:
    round_ = _project_round(round_id)
    form = RoundForm(obj=None if request.method == "POST" else round_)
    if request.method == "GET":
        show_record(form, round_, _round_fields(round_))
    form.submit.label.text = "Save the round"
    return _round_page(form, round_)


@bp.route("/projects/<slug>/ratings/<int:round_id>/import", methods=["GET", "POST"])
@requires("round.manage")
def ratings_import(slug: str, round_id: int) -> tuple[str, int] | BaseResponse:
    """A round's ratings from a CSV or XLSX file: every row is checked first, and nothing is
    saved unless every row can be read."""
    round_ = _project_round(round_id)
    form = ImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            table = read_table(upload.read() if upload else b"")
        except FileProblem as problem:
            form.file.errors.append(str(problem))
        else:
            model = {RatingScope.SERVICE: Service, RatingScope.WORK_STREAM: WorkStream}.get(
                round_.scope
            )
            columns = (
                db.session.execute(select(model).where(model.project_id == g.project.id))
                .scalars()
                .all()
                if model
                else []
            )
            found, errors = parse_import(
                table,
                round_,
                {e.code: e.id for e in project_elements(g.project)},
                {c.name.lower(): c.id for c in columns},
            )
            if not errors:
                today = london_today()
                changed = sum(
                    save_column(
                        round_,
                        column,
                        {element: value for element, (value, _) in rows.items()},
                        current_user,
                        today,
                        notes={element: note for element, (_, note) in rows.items()},
                    )
                    for column, rows in found.items()
                )
                flash(f"{changed} rating{'s' if changed != 1 else ''} imported.", "success")
                return redirect(url_for("evidence.matrix", slug=slug, round_id=round_id))
            form.file.errors.append(
                f"{len(errors)} row{'s' if len(errors) != 1 else ''} could not be read, so "
                "nothing was imported: correct the file and choose it again"
            )
    status = 400 if request.method == "POST" else 200
    return render_template(
        "evidence/ratings_import.html",
        project=g.project,
        round=round_,
        form=form,
        errors=errors,
        title=f"Import ratings: {round_.name}",
    ), status
