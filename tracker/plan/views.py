"""Views of the plan: the work plan (8.4) and milestones (8.5); the stage reviews (9.2) are in
`tracker.plan.stage_views`, the timeline in `tracker.plan.timeline_views`.

Thin views: the rules are in `tracker.plan.tasks`, `work_plan` and `milestones`; a
`RuleRefused` becomes a message beside its field (`tracker.forms.show_refusal`). The request's
one transaction (`tracker.transactions`) is committed when a view succeeds; nothing is saved
when anything is refused.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth.models import Person
from tracker.filters import london_today as _today
from tracker.forms import show_refusal
from tracker.ordering import MoveForm
from tracker.paging import page_of, page_url
from tracker.permissions import requires
from tracker.plan import bp
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
from tracker.plan.structure import plan_is_baselined
from tracker.plan.tasks import (
    OVERRUN_ADVICE,
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
from tracker.plan.work_plan import (
    TaskFilter,
    project_work_streams,
    stage_first_pages,
    stage_task_counts,
    task_people,
    work_plan_tasks,
)
from tracker.plan.work_plan import work_plan as group_work_plan
from tracker.projects.models import Role, WorkStream
from tracker.projects.status import status_date
from tracker.rules import RuleRefused
from tracker.versioning import form_status, record_data, refuse_stale, show_record


def _me() -> Person:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(
        template,
        project=g.project,
        **context,
    ), status


def _stage_choices(stages: list[Stage]) -> list[tuple[int, str]]:
    return [(s.id, f"Stage {s.number}: {s.name}") for s in stages]


# The work plan ---------------------------------------------------------------------------------


def _int_arg(name: str, allowed: set[int]) -> int | None:
    value = request.args.get(name, type=int)
    return value if value in allowed else None


# A page of the work plan: enough to read and print, few enough to render at once.
WORK_PLAN_PAGE_SIZE = 200


@bp.route("/projects/<slug>/plan/tasks")
@requires("plan.view")
def work_plan(slug: str) -> tuple[str, int]:
    project = g.project
    today = status_date(project)
    stages = plan_stages(project)
    streams = project_work_streams(project)
    people = task_people(project)
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

    counts = stage_task_counts(project, filters, today=today)
    page = page_of(sum(counts.values()), WORK_PLAN_PAGE_SIZE)
    tasks = work_plan_tasks(project, filters, today=today, page=page)
    first_pages = stage_first_pages(stages, counts, page)
    led = led_work_stream_ids(current_user.id, project) if Role.WS_LEAD in g.roles else frozenset()
    return _render(
        "plan/work_plan.html",
        groups=group_work_plan(stages, tasks, filters, first_pages, page),
        page=page,
        page_url=page_url(),
        # The stages to jump to: those with tasks, at the page where their tasks begin.
        stage_pages={i: n for i, n in first_pages.items() if counts.get(i)},
        stages_by_id={s.id: s for s in stages},
        gate={s.id: gate_reason(s, stages) for s in stages},
        progress={t.id: effective_progress(t, today) for t in tasks},
        may_update={t.id: can_update_progress(t, g.roles, led) for t in tasks},
        filter_form=filter_form,
        filters=filters,
        people=people,
        task_count=page.total,
        mine=filters.person_id is not None and filters.person_id == current_user.id,
        led_streams=[w for w in streams if w.id in led],
        today=today,
        title="Work plan",
    )


def _task_form(task: Task | None, stages: list[Stage], streams: list[WorkStream]) -> TaskForm:
    """The task form with the project's stages and work streams to choose from; on GET, the
    task as saved (or, for a new task, the current stage)."""
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
    return form


def _task_values(
    form: TaskForm, responsible: list[Person], stages: list[Stage], streams: list[WorkStream]
) -> TaskValues:
    """What the valid form gives, as the plain values the task's rules take."""
    return TaskValues(
        code=form.code.data,
        stage=next(s for s in stages if s.id == form.stage.data),
        activity=form.activity.data,
        detail=form.detail.data or "",
        responsible=responsible,
        responsibility_note=form.responsibility_note.data or "",
        work_stream=next((w for w in streams if w.id == form.work_stream.data), None),
        start_date=form.start_date.data,
        target_finish=form.target_finish.data,
        actual_finish=form.actual_finish.data,
        progress=Progress(form.progress.data),
        comments=form.comments.data or "",
    )


def _save_task_form(
    form: TaskForm,
    task: Task | None,
    stages: list[Stage],
    streams: list[WorkStream],
    people: list[Person],
) -> Task | None:
    """Save the task the posted form describes; or show every reason it cannot be saved, each
    beside its field, and give None."""
    project = g.project
    today = _today()
    valid = form.validate_on_submit() and not (
        task and refuse_stale(form, task, lambda: task_data(task))
    )
    problems: list[RuleRefused] = []
    responsible: list[Person] = []
    if not form.responsible.errors:
        try:
            responsible = resolve_people(form.responsible.data or "", people)
        except RuleRefused as refused:
            problems.append(refused)
    if valid and not problems:
        values = _task_values(form, responsible, stages, streams)
        problems = task_problems(project, task, values, stages, today=today)
        if not problems:
            try:
                return save_task(project, task, values, stages, today=today)
            except RuleRefused as refused:  # someone took the code a moment earlier
                problems = [refused]
    elif not any(f.errors for f in (form.start_date, form.target_finish, form.actual_finish)):
        problems += task_date_problems(
            form.start_date.data, form.target_finish.data, form.actual_finish.data, today=today
        )
    for problem in problems:
        show_refusal(form, problem)
    return None


def _describe_gate(form: TaskForm, task: Task | None, stages: list[Stage]) -> None:
    """Say beside the progress why the chosen stage's tasks cannot start yet, if they cannot."""
    chosen = next((s for s in stages if s.id == form.stage.data), None)
    chosen = chosen or (task.stage if task else None)
    if chosen is not None and not form.progress.errors:
        reason = gate_reason(chosen, stages)
        if reason:
            form.progress.description = reason


def _task_page(task: Task | None) -> tuple[str, int] | BaseResponse:
    project = g.project
    stages = plan_stages(project)
    streams = project_work_streams(project)
    people = task_people(project)
    form = _task_form(task, stages, streams)
    status = 200
    if request.method == "POST":
        saved = _save_task_form(form, task, stages, streams, people)
        if saved is not None:
            flash(f"Task {saved.code} saved", "success")
            return redirect(url_for("plan.work_plan", slug=project.slug) + f"#task-{saved.id}")
        status = form_status(form, request.method)
    _describe_gate(form, task, stages)
    return _render(
        "plan/task_form.html",
        status,
        form=form,
        task=task,
        people=people,
        overrun=any(OVERRUN_ADVICE in error for error in form.target_finish.errors),
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
    progress = record_data(form, task, progress=task.progress.value)
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
        except RuleRefused as refused:
            show_refusal(form, refused)
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
        progress_now=effective_progress(task, status_date(g.project)),
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
    return _render(
        "plan/milestones.html",
        title="Milestones",
        baselined=plan_is_baselined(g.project),
        move_form=MoveForm(formdata=None),
        **context,
    )


@bp.route("/projects/<slug>/plan/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@requires("plan.edit")
def milestone_edit(slug: str, milestone_id: int) -> tuple[str, int] | BaseResponse:
    project = g.project
    all_milestones = project_milestones(project)
    milestone = next((m for m in all_milestones if m.id == milestone_id), None)
    if milestone is None:
        abort(404)
    form = MilestoneForm()
    saved = record_data(form, milestone)
    if request.method == "GET":
        show_record(form, milestone, saved)
    status = 200
    if form.validate_on_submit() and not refuse_stale(form, milestone, lambda: saved):
        try:
            update_milestone(
                project,
                milestone,
                scheduled_finish=form.scheduled_finish.data,
                actual_finish=form.actual_finish.data,
                notes=form.notes.data or "",
                today=_today(),
            )
        except RuleRefused as refused:
            show_refusal(form, refused)
            status = 400
        else:
            flash(f"{milestone.name} saved", "success")
            return redirect(url_for("plan.milestones", slug=project.slug))
    elif request.method == "POST":
        status = form_status(form, request.method)
    stages = plan_stages(project)
    context = _milestone_context(stages, all_milestones)
    if plan_is_baselined(project) and not form.scheduled_finish.errors:
        form.scheduled_finish.description = (
            "The plan has been baselined: this date moves only through a change request"
        )
    return _render(
        "plan/milestone_form.html",
        status,
        form=form,
        milestone=milestone,
        variance=context["variances"][milestone.id],
        milestone_warnings=context["warnings"][milestone.id],
        title=f"Change milestone: {milestone.name}",
    )
