"""Views of the plan's structure: the stages page (8.1) with adding, changing and moving a
stage, and adding and moving milestones (8.5), until the plan is baselined.

Thin views: the rules are in `tracker.plan.structure`; a `RuleRefused` becomes a message beside
its field; the request's one transaction is committed when a view succeeds, and nothing is
saved when anything is refused.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from tracker.forms import show_refusal
from tracker.ordering import MoveForm, posted_move
from tracker.permissions import requires
from tracker.plan import bp
from tracker.plan.milestones import project_milestones
from tracker.plan.models import Stage
from tracker.plan.stages import plan_stages, stage_statuses
from tracker.plan.structure import (
    BASELINED,
    MilestoneValues,
    StageValues,
    move_milestone,
    move_stage,
    plan_is_baselined,
    save_new_milestone,
    save_stage,
    stages_out_of_order,
    uncovered_project_days,
)
from tracker.plan.structure_forms import NewMilestoneForm, StageForm
from tracker.plan.views import _render, _stage_choices
from tracker.rules import RuleRefused
from tracker.versioning import form_status, record_data, refuse_stale, show_record


def _stages_page(status: int = 200) -> tuple[str, int]:
    project = g.project
    stages = plan_stages(project)
    return _render(
        "plan/stages.html",
        status,
        stages=stages,
        statuses=stage_statuses(stages),
        baselined=plan_is_baselined(project),
        gaps=uncovered_project_days(project, stages),
        out_of_order=stages_out_of_order(stages),
        move_form=MoveForm(formdata=None),
        title="Stages",
    )


@bp.route("/projects/<slug>/plan/stages")
@requires("plan.view")
def stages(slug: str) -> tuple[str, int]:
    return _stages_page()


def _stage_page(stage: Stage | None) -> tuple[str, int] | BaseResponse:
    project = g.project
    stages = plan_stages(project)
    baselined = plan_is_baselined(project)
    form = StageForm()
    saved = record_data(form, stage) if stage is not None else {}
    if request.method == "GET" and stage is not None:
        show_record(form, stage, saved)
    status = 200
    if request.method == "POST":
        if baselined and stage is None:
            flash(BASELINED)
            return _stages_page(409)
        if form.validate_on_submit() and not (stage and refuse_stale(form, stage, lambda: saved)):
            values = StageValues(
                name=form.name.data,
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                products=form.products.data or "",
            )
            try:
                done = save_stage(project, stage, values, stages)
            except RuleRefused as refused:
                show_refusal(form, refused)
            else:
                flash(f"Stage {done.number}: {done.name} saved", "success")
                return redirect(url_for("plan.stages", slug=project.slug) + f"#stage-{done.id}")
        status = form_status(form, request.method)
    if baselined:
        for field in (form.start_date, form.end_date):
            if not field.errors:
                field.description = (
                    "The plan has been baselined: this date moves only through a change request"
                )
    return _render(
        "plan/stage_form.html",
        status,
        form=form,
        stage=stage,
        baselined=baselined,
        title=f"Change stage {stage.number}" if stage else "Add a stage",
    )


@bp.route("/projects/<slug>/plan/stages/new", methods=["GET", "POST"])
@requires("plan.edit")
def stage_new(slug: str) -> tuple[str, int] | BaseResponse:
    return _stage_page(None)


def _project_stage(stage_id: int) -> Stage:
    stage = next((s for s in g.project.stages if s.id == stage_id), None)
    if stage is None:
        abort(404)
    return stage


@bp.route("/projects/<slug>/plan/stages/<int:stage_id>/edit", methods=["GET", "POST"])
@requires("plan.edit")
def stage_edit(slug: str, stage_id: int) -> tuple[str, int] | BaseResponse:
    return _stage_page(_project_stage(stage_id))


@bp.route("/projects/<slug>/plan/stages/<int:stage_id>/move", methods=["POST"])
@requires("plan.edit")
def stage_move(slug: str, stage_id: int) -> tuple[str, int] | BaseResponse:
    project = g.project
    stages = plan_stages(project)
    stage = next((s for s in stages if s.id == stage_id), None)
    if stage is None:
        abort(404)
    refused = posted_move(
        stage, f"Stage {stage.number}", lambda up: move_stage(project, stage, up, stages)
    )
    if refused is not None:
        flash(refused[0])
        return _stages_page(refused[1])
    flash(f"{stage.name} is now stage {stage.number}", "success")
    return redirect(url_for("plan.stages", slug=project.slug) + f"#stage-{stage.id}")


# Milestones ------------------------------------------------------------------------------------


@bp.route("/projects/<slug>/plan/milestones/new", methods=["GET", "POST"])
@requires("plan.edit")
def milestone_new(slug: str) -> tuple[str, int] | BaseResponse:
    project = g.project
    stages = plan_stages(project)
    baselined = plan_is_baselined(project)
    form = NewMilestoneForm()
    form.stage.choices = [(0, "No stage")] + _stage_choices(stages)
    status = 200
    if request.method == "POST":
        status = 400
        if baselined:
            flash(BASELINED)
            status = 409
        elif form.validate_on_submit():
            values = MilestoneValues(
                name=form.name.data,
                stage=next((s for s in stages if s.id == form.stage.data), None),
                scheduled_finish=form.scheduled_finish.data,
                notes=form.notes.data or "",
            )
            try:
                milestone = save_new_milestone(project, values)
            except RuleRefused as refused:
                show_refusal(form, refused)
            else:
                flash(f"{milestone.name} added", "success")
                return redirect(url_for("plan.milestones", slug=project.slug))
    return _render(
        "plan/milestone_new.html", status, form=form, baselined=baselined, title="Add a milestone"
    )


@bp.route("/projects/<slug>/plan/milestones/<int:milestone_id>/move", methods=["POST"])
@requires("plan.edit")
def milestone_move(slug: str, milestone_id: int) -> BaseResponse:
    project = g.project
    milestones = project_milestones(project)
    milestone = next((m for m in milestones if m.id == milestone_id), None)
    if milestone is None:
        abort(404)
    refused = posted_move(
        milestone, milestone.name, lambda up: move_milestone(project, milestone, up, milestones)
    )
    flash(refused[0] if refused else f"{milestone.name} moved", "message" if refused else "success")
    return redirect(url_for("plan.milestones", slug=project.slug) + f"#milestone-{milestone.id}")
