"""Views of the plan: the work plan (8.4) and milestones (8.5); the stage reviews (9.2) are in
`tracker.plan.stage_views`, the timeline in `tracker.plan.timeline_views`.

Thin views: the rules are in `tracker.plan.tasks`, `work_plan` and `milestones`; a
`PlanRuleError` becomes a message beside its field. One commit per successful request; nothing
is saved when anything is refused.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth.models import Person
from tracker.extensions import db
from tracker.filters import london_today as _today
from tracker.permissions import requires
from tracker.plan import bp
from tracker.plan.errors import PlanRuleError
from tracker.plan.forms import (
    MilestoneForm,
    TaskForm,
    TaskProgressForm,
    WorkPlanFilterForm,
    task_data,
)
from tracker.plan.milestones import (
    finish_variance,
    latest_task_finishes,
    milestone_warnings,
    project_milestones,
    update_milestone,
)
from tracker.plan.models import Milestone, Progress, Stage, Task
from tracker.plan.stages import current_stage, gate_reason, plan_stages
from tracker.plan.tasks import (
    TaskValues,
    can_update_progress,
    effective_progress,
    get_task,
    led_work_stream_ids,
    resolve_people,
    save_task,
    task_date_problems,
    task_problems,
    update_task_progress,
)
from tracker.plan.work_plan import TaskFilter, project_people, project_work_streams, work_plan_tasks
from tracker.plan.work_plan import work_plan as group_work_plan
from tracker.projects.models import Role
from tracker.versioning import form_status, refuse_stale, show_record


def _me() -> Person:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(
        template,
        project=g.project,
        **context,
    ), status


def _attach(form: FlaskForm, problems: list[PlanRuleError]) -> list[str]:
    """Put each problem beside its field; return the messages that belong to no field."""
    general = []
    for problem in problems:
        field = getattr(form, problem.field, None) if problem.field else None
        if field is None:
            general.append(problem.message)
            continue
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        if problem.message not in field.errors:
            field.errors.append(problem.message)
    return general


def _show_refusal(form: FlaskForm, refused: PlanRuleError) -> None:
    """Undo what the request wrote and show why the plan's rules refused it."""
    db.session.rollback()
    for message in _attach(form, [refused]):
        flash(message)


def _stage_choices(stages: list[Stage]) -> list[tuple[int, str]]:
    return [(s.id, f"Stage {s.number}: {s.name}") for s in stages]


# The work plan ---------------------------------------------------------------------------------


def _int_arg(name: str, allowed: set[int]) -> int | None:
    value = request.args.get(name, type=int)
    return value if value in allowed else None


@bp.route("/projects/<slug>/plan/tasks")
@requires("plan.view")
def work_plan(slug: str) -> tuple[str, int]:
    project = g.project
    today = _today()
    stages = plan_stages(project)
    streams = project_work_streams(project)
    people = project_people(project)
    status_arg = request.args.get("status") or None
    filters = TaskFilter(
        stage_id=_int_arg("stage", {s.id for s in stages}),
        work_stream_id=_int_arg("work_stream", {w.id for w in streams}),
        person_id=_int_arg("person", {p.id for p in people}),
        status=Progress(status_arg) if status_arg in set(Progress) else None,
    )
    filter_form = WorkPlanFilterForm(formdata=None)
    filter_form.stage.choices = [("", "All stages")] + [
        (str(i), text) for i, text in _stage_choices(stages)
    ]
    filter_form.work_stream.choices = [("", "All work streams")] + [
        (str(w.id), f"{w.code}: {w.name}") for w in streams
    ]
    filter_form.person.choices = [("", "Anyone")] + [(str(p.id), p.label) for p in people]
    filter_form.status.choices = [("", "Any progress")] + [(p.value, p.label) for p in Progress]
    filter_form.stage.data = str(filters.stage_id or "")
    filter_form.work_stream.data = str(filters.work_stream_id or "")
    filter_form.person.data = str(filters.person_id or "")
    filter_form.status.data = filters.status.value if filters.status else ""

    tasks = work_plan_tasks(project, filters, today=today)
    led = led_work_stream_ids(current_user.id, project) if Role.WS_LEAD in g.roles else frozenset()
    return _render(
        "plan/work_plan.html",
        groups=group_work_plan(stages, tasks, filters),
        gate={s.id: gate_reason(s, stages) for s in stages},
        progress={t.id: effective_progress(t, today) for t in tasks},
        may_update={t.id: can_update_progress(t, g.roles, led) for t in tasks},
        filter_form=filter_form,
        filters=filters,
        people=people,
        task_count=len(tasks),
        mine=filters.person_id is not None and filters.person_id == current_user.id,
        led_streams=[w for w in streams if w.id in led],
        today=today,
        title="Work plan",
    )


def _task_page(task: Task | None) -> tuple[str, int] | BaseResponse:
    project = g.project
    today = _today()
    stages = plan_stages(project)
    streams = project_work_streams(project)
    people = project_people(project)
    stage_by_id = {s.id: s for s in stages}
    stream_by_id = {w.id: w for w in streams}

    form = TaskForm()
    form.stage.choices = [(0, "Select the stage")] + _stage_choices(stages)
    form.work_stream.choices = [(0, "No work stream")] + [
        (w.id, f"{w.code}: {w.name}") for w in streams
    ]
    if request.method == "GET":
        if task is None:
            current = current_stage(stages)
            form.stage.data = current.id if current else 0
        else:
            show_record(form, task, task_data(task))

    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit() and not (
            task and refuse_stale(form, task, lambda: task_data(task))
        )
        problems: list[PlanRuleError] = []
        responsible: list[Person] = []
        if not form.responsible.errors:
            try:
                responsible = resolve_people(form.responsible.data or "", people)
            except PlanRuleError as refused:
                problems.append(refused)
        if valid and not problems:
            values = TaskValues(
                code=form.code.data,
                stage=stage_by_id[form.stage.data],
                activity=form.activity.data,
                detail=form.detail.data or "",
                responsible=responsible,
                responsibility_note=form.responsibility_note.data or "",
                work_stream=stream_by_id.get(form.work_stream.data),
                start_date=form.start_date.data,
                target_finish=form.target_finish.data,
                actual_finish=form.actual_finish.data,
                progress=Progress(form.progress.data),
                comments=form.comments.data or "",
            )
            problems = task_problems(project, task, values, stages, today=today)
            if not problems:
                try:
                    saved = save_task(project, task, values, stages, today=today)
                    db.session.commit()
                except IntegrityError:  # someone took the code a moment earlier
                    db.session.rollback()
                    problems = [
                        PlanRuleError(f"A task with the code {values.code} already exists", "code")
                    ]
                else:
                    flash(f"Task {saved.code} saved", "success")
                    return redirect(
                        url_for("plan.work_plan", slug=project.slug) + f"#task-{saved.id}"
                    )
        elif not any(f.errors for f in (form.start_date, form.target_finish, form.actual_finish)):
            problems += task_date_problems(
                form.start_date.data,
                form.target_finish.data,
                form.actual_finish.data,
                today=today,
            )
        db.session.rollback()
        for message in _attach(form, problems):
            flash(message)
        status = form_status(form, request.method)

    chosen = stage_by_id.get(form.stage.data or 0) or (task.stage if task else None)
    if chosen is not None and not form.progress.errors:
        reason = gate_reason(chosen, stages)
        if reason:
            form.progress.description = reason
    return _render(
        "plan/task_form.html",
        status,
        form=form,
        task=task,
        people=people,
        title=f"Change task {task.code}" if task else "Add a task",
    )


@bp.route("/projects/<slug>/plan/tasks/new", methods=["GET", "POST"])
@requires("plan.edit")
def task_new(slug: str) -> tuple[str, int] | BaseResponse:
    return _task_page(None)


@bp.route("/projects/<slug>/plan/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@requires("plan.edit")
def task_edit(slug: str, task_id: int) -> tuple[str, int] | BaseResponse:
    task = get_task(g.project, task_id)
    if task is None:
        abort(404)
    return _task_page(task)


@bp.route("/projects/<slug>/plan/tasks/<int:task_id>/progress", methods=["GET", "POST"])
@requires("task.update_progress")
def task_progress(slug: str, task_id: int) -> tuple[str, int] | BaseResponse:
    project = g.project
    task = get_task(project, task_id)
    if task is None:
        abort(404)
    led = led_work_stream_ids(current_user.id, project)
    if not can_update_progress(task, g.roles, led):
        abort(403)
    stages = plan_stages(project)
    stage = next(s for s in stages if s.id == task.stage_id)
    form = TaskProgressForm()
    progress = {"progress": task.progress.value, "comments": task.comments}
    if request.method == "GET":
        show_record(form, task, progress)
    status = 200
    if form.validate_on_submit() and not refuse_stale(form, task, lambda: progress):
        try:
            update_task_progress(
                task,
                stages,
                progress=Progress(form.progress.data),
                comments=form.comments.data or "",
            )
            db.session.commit()
        except PlanRuleError as refused:
            _show_refusal(form, refused)
            status = 400
        else:
            flash(f"Progress of task {task.code} saved", "success")
            return redirect(url_for("plan.work_plan", slug=project.slug) + f"#task-{task.id}")
    elif request.method == "POST":
        status = form_status(form, request.method)
    reason = gate_reason(stage, stages)
    if reason and not form.progress.errors:
        form.progress.description = reason
    return _render(
        "plan/task_progress.html",
        status,
        form=form,
        task=task,
        stage=stage,
        progress_now=effective_progress(task, _today()),
        title=f"Update progress of task {task.code}",
    )


# Milestones ------------------------------------------------------------------------------------


def _milestone_context(stages: list[Stage], milestones: list[Milestone]) -> dict[str, Any]:
    project = g.project
    return {
        "milestones": milestones,
        "variances": {m.id: finish_variance(m) for m in milestones},
        "warnings": milestone_warnings(project, milestones, stages, latest_task_finishes(project)),
    }


@bp.route("/projects/<slug>/plan/milestones")
@requires("plan.view")
def milestones(slug: str) -> tuple[str, int]:
    stages = plan_stages(g.project)
    context = _milestone_context(stages, project_milestones(g.project))
    return _render("plan/milestones.html", title="Milestones", **context)


@bp.route("/projects/<slug>/plan/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@requires("plan.edit")
def milestone_edit(slug: str, milestone_id: int) -> tuple[str, int] | BaseResponse:
    project = g.project
    all_milestones = project_milestones(project)
    milestone = next((m for m in all_milestones if m.id == milestone_id), None)
    if milestone is None:
        abort(404)
    form = MilestoneForm()
    saved = {
        "scheduled_finish": milestone.scheduled_finish,
        "actual_finish": milestone.actual_finish,
        "notes": milestone.notes,
    }
    if request.method == "GET":
        show_record(form, milestone, saved)
    status = 200
    if form.validate_on_submit() and not refuse_stale(form, milestone, lambda: saved):
        try:
            update_milestone(
                milestone,
                scheduled_finish=form.scheduled_finish.data,
                actual_finish=form.actual_finish.data,
                notes=form.notes.data or "",
                today=_today(),
            )
            db.session.commit()
        except PlanRuleError as refused:
            _show_refusal(form, refused)
            status = 400
        else:
            flash(f"{milestone.name} saved", "success")
            return redirect(url_for("plan.milestones", slug=project.slug))
    elif request.method == "POST":
        status = form_status(form, request.method)
    stages = plan_stages(project)
    context = _milestone_context(stages, all_milestones)
    return _render(
        "plan/milestone_form.html",
        status,
        form=form,
        milestone=milestone,
        variance=context["variances"][milestone.id],
        milestone_warnings=context["warnings"][milestone.id],
        title=f"Change milestone: {milestone.name}",
    )
