"""Views of the standard, each element, the rating rounds and readiness."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import NamedTuple

from flask import Response, abort, g, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.charts import figure_json
from tracker.evidence import bp
from tracker.evidence.access import viewer_for
from tracker.evidence.charts import readiness_figure, readiness_summary
from tracker.evidence.gap_actions import element_actions
from tracker.evidence.matrices import cell_text, coverage, project_criteria
from tracker.evidence.models import (
    AssessmentRound,
    Criterion,
    Element,
    ElementRating,
    RatingScope,
    Standard,
    SubCriterion,
)
from tracker.evidence.readiness import (
    FORECAST_RULE,
    SCALE_LABELS,
    Compliance,
    project_readiness,
)
from tracker.evidence.services import library
from tracker.exports import download
from tracker.extensions import db
from tracker.permissions import requires
from tracker.plan.work_plan import project_work_streams
from tracker.projects.models import Service, WorkStream
from tracker.projects.status import status_date


@bp.route("/projects/<slug>/standard")
@requires("standard.view")
def standard(slug: str) -> str:
    criteria = project_criteria(g.project)
    subcriteria = [s for c in criteria for s in c.subcriteria]
    return render_template(
        "evidence/standard.html",
        project=g.project,
        standard=db.session.get(Standard, g.project.standard_id) if g.project.standard_id else None,
        criteria=criteria,
        counts=(len(criteria), len(subcriteria), sum(len(s.elements) for s in subcriteria)),
        title="The standard",
    )


@bp.route("/projects/<slug>/standard/elements/<code>")
@requires("standard.view")
def element(slug: str, code: str) -> str:
    found = db.session.execute(
        select(Element)
        .join(SubCriterion)
        .join(Criterion)
        .where(Criterion.standard_id == g.project.standard_id, Element.code == code)
        .options(selectinload(Element.guidance), selectinload(Element.subcriterion))
    ).scalar_one_or_none()
    if found is None:
        abort(404)
    viewer = viewer_for(current_user.id, g.project, g.roles)
    ratings = list(
        db.session.execute(
            select(ElementRating)
            .join(AssessmentRound)
            .where(AssessmentRound.project_id == g.project.id, ElementRating.element_id == found.id)
            .options(
                selectinload(ElementRating.round),
                selectinload(ElementRating.service),
                selectinload(ElementRating.work_stream),
            )
            .order_by(AssessmentRound.held_from, AssessmentRound.id)
        ).scalars()
    )
    actions = element_actions(g.project, found)
    return render_template(
        "evidence/element.html",
        project=g.project,
        element=found,
        items=library(g.project, viewer, element_id=found.id).items,
        ratings=ratings,
        scale_labels=SCALE_LABELS,
        actions=actions,
        title=f"Element {found.code}",
    )


@bp.route("/projects/<slug>/evidence/coverage")
@requires("evidence.view")
def coverage_page(slug: str) -> str | Response:
    """Which work streams have given evidence for which elements, and how far it has got."""
    all_criteria = project_criteria(g.project)
    all_streams = project_work_streams(g.project)
    chosen = {
        "criterion": request.args.get("criterion", type=int),
        "work_stream": request.args.get("work_stream", type=int),
    }
    criteria = [c for c in all_criteria if chosen["criterion"] in (None, c.number)]
    streams = [w for w in all_streams if chosen["work_stream"] in (None, w.id)]
    counts = coverage(g.project, viewer_for(current_user.id, g.project, g.roles))
    elements = [e for c in criteria for s in c.subcriteria for e in s.elements]
    cells = {
        (e.id, w.id): cell_text(counts.get((e.id, w.id), Counter()))
        for e in elements
        for w in streams
    }
    kind = request.args.get("format")
    if kind in ("csv", "xlsx"):
        columns = ["Element", *[w.name for w in streams]]
        rows = [
            {"Element": e.code} | {w.name: cells[(e.id, w.id)] for w in streams} for e in elements
        ]
        return download(
            columns,
            rows,
            filename=f"{g.project.slug}-evidence-coverage",
            file_format=kind,
            title="Evidence coverage",
        )
    return render_template(
        "evidence/coverage.html",
        project=g.project,
        criteria=criteria,
        streams=streams,
        all_criteria=all_criteria,
        all_streams=all_streams,
        chosen=chosen,
        filters={name: value for name, value in chosen.items() if value is not None},
        cells=cells,
        title="Evidence coverage",
    )


@bp.route("/projects/<slug>/readiness")
@requires("readiness.view")
def readiness(slug: str) -> str:
    viewer = viewer_for(current_user.id, g.project, g.roles)
    found = project_readiness(g.project, status_date(g.project), viewer.visible_clause())
    return render_template(
        "evidence/readiness.html",
        project=g.project,
        readiness=found,
        chart=figure_json(readiness_figure(found)) if found else None,
        chart_summary=readiness_summary(found) if found else None,
        compliance=list(Compliance),
        forecast_rule=FORECAST_RULE,
        title="Readiness for accreditation",
    )


@bp.route("/projects/<slug>/ratings")
@requires("rating.view")
def rounds(slug: str) -> str:
    found = list(
        db.session.execute(
            select(AssessmentRound)
            .where(AssessmentRound.project_id == g.project.id)
            .order_by(AssessmentRound.held_from, AssessmentRound.id)
        ).scalars()
    )
    return render_template(
        "evidence/rounds.html",
        project=g.project,
        rounds=found,
        scale_labels=SCALE_LABELS,
        title="Ratings",
    )


@bp.route("/projects/<slug>/ratings/<int:round_id>")
@requires("rating.view")
def matrix(slug: str, round_id: int) -> str | Response:
    """The appendix 4 view of a round: elements down, services or work streams across."""
    found = db.session.get(AssessmentRound, round_id)
    if found is None or found.project_id != g.project.id:
        abort(404)
    criteria = project_criteria(g.project)
    chosen = request.args.get("criterion", type=int)
    columns = _round_columns(found)
    cells = _round_cells(found)
    labels = SCALE_LABELS[found.scale]
    shown = _shown(found, [c for c in criteria if not chosen or c.number == chosen], columns, cells)
    kind = request.args.get("format")
    if kind in ("csv", "xlsx"):
        return _matrix_download(found, shown, cells, kind)
    return render_template(
        "evidence/matrix.html",
        project=g.project,
        round=found,
        criteria=criteria,
        shown=shown.criteria,
        chosen=chosen,
        all_columns=columns,
        columns=shown.columns,
        chosen_column=shown.chosen_column,
        chosen_rating=shown.chosen_rating,
        visible=shown.visible,
        cells=cells,
        labels=labels,
        totals=shown.totals,
        title=found.name,
    )


Cells = dict[tuple[int, int | None], str]  # (element id, service or work stream id) -> rating


def _round_columns(found: AssessmentRound) -> list[Service] | list[WorkStream]:
    """The services or work streams the round rates, in order (none for the council)."""
    if found.scope is RatingScope.COUNCIL:
        return []
    model = Service if found.scope is RatingScope.SERVICE else WorkStream
    return list(
        db.session.execute(
            select(model).where(model.project_id == g.project.id).order_by(model.position, model.id)
        ).scalars()
    )


def _round_cells(found: AssessmentRound) -> Cells:
    cells: Cells = {}
    for rating in db.session.execute(
        select(ElementRating).where(ElementRating.round_id == found.id)
    ).scalars():
        column = rating.service_id if found.scope is RatingScope.SERVICE else rating.work_stream_id
        cells[(rating.element_id, column)] = rating.rating
    return cells


class Shown(NamedTuple):
    """What the matrix's filters leave: the criteria, columns and elements shown, and the
    totals of each shown column over the shown elements."""

    criteria: list[Criterion]
    columns: list[Service] | list[WorkStream]
    chosen_column: int | None
    keys: list[int | None]  # the shown columns' ids; [None] for a round of the council
    chosen_rating: str
    visible: set[int]
    totals: dict[int | None, Counter[str]]


def _shown(
    found: AssessmentRound,
    criteria: list[Criterion],
    columns: list[Service] | list[WorkStream],
    cells: Cells,
) -> Shown:
    """Filters: one service or work stream; only the elements given a rating in a shown column."""
    chosen_column = request.args.get("for", type=int)
    shown_columns = [c for c in columns if c.id == chosen_column] or columns
    if shown_columns is columns:
        chosen_column = None  # none chosen, or one the round does not have
    keys = [c.id for c in shown_columns] if columns else [None]
    chosen_rating = request.args.get("rating", "")
    chosen_rating = chosen_rating if chosen_rating in SCALE_LABELS[found.scale] else ""
    visible = {
        e.id
        for c in criteria
        for s in c.subcriteria
        for e in s.elements
        if not chosen_rating or any(cells.get((e.id, k)) == chosen_rating for k in keys)
    }
    criteria = [
        c for c in criteria if any(e.id in visible for s in c.subcriteria for e in s.elements)
    ]
    totals: dict[int | None, Counter[str]] = defaultdict(Counter)
    for (element_id, column), value in cells.items():
        if element_id in visible and column in keys:
            totals[column][value] += 1
    return Shown(criteria, shown_columns, chosen_column, keys, chosen_rating, visible, totals)


def _matrix_download(found: AssessmentRound, shown: Shown, cells: Cells, kind: str) -> Response:
    """The matrix as filtered, as a CSV or XLSX file, each rating in words."""
    labels = SCALE_LABELS[found.scale]
    names = [c.name for c in shown.columns] or ["The council"]
    rows = [
        {"Element": e.code}
        | {
            name: labels.get(cells.get((e.id, key), ""), cells.get((e.id, key), ""))
            for name, key in zip(names, shown.keys, strict=True)
        }
        for c in shown.criteria
        for s in c.subcriteria
        for e in s.elements
        if e.id in shown.visible
    ]
    return download(
        ["Element", *names],
        rows,
        filename=f"{g.project.slug}-ratings-{found.id}",
        file_format=kind,
        title=found.name[:31],
    )
