"""Views of the timeline: dependencies, forecasts, baselines, the Gantt, import and export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from tracker.charts import data_json
from tracker.exports import download
from tracker.extensions import db
from tracker.filters import london_today as _today
from tracker.forms import show_refusal
from tracker.paging import page_of, page_url
from tracker.permissions import can, requires
from tracker.plan import bp
from tracker.plan.baselines import (
    PlanData,
    baseline_finishes,
    baselines_with_people,
    compare,
    dependency_link,
    get_baseline,
    load_plan,
    milestone_key,
    new_dependency,
    project_baselines,
    save_baseline,
    snapshot,
    task_key,
)
from tracker.plan.gantt import chart_summary, gantt_data
from tracker.plan.import_apply import import_table
from tracker.plan.import_result import iter_error_rows
from tracker.plan.models import TaskDependency
from tracker.plan.plan_export import EXPORT_COLUMNS, export_rows
from tracker.plan.plan_reading import read_plan
from tracker.plan.progress_styles import PROGRESS_STYLES
from tracker.plan.schedule import CycleError, Forecast, Link, cycle_if_added, slip_chain
from tracker.plan.table_files import MAX_IMPORT_BYTES, FileProblem, read_table
from tracker.plan.timeline_forms import (
    BaselineForm,
    DependencyForm,
    ImportForm,
    TimelineFilterForm,
)
from tracker.plan.timeline_rows import row_keys, timeline_rows
from tracker.projects.status import status_date
from tracker.rules import RuleRefused
from tracker.transactions import roll_back


def _forecast(plan: PlanData, as_of: dt.date | None = None) -> tuple[dict[Hashable, Forecast], str]:
    """The forecast, or no forecast and a message if stored dependencies go round in a circle."""
    try:
        return plan.forecast(as_of=as_of), ""
    except CycleError as cycle:
        return {}, (
            "The dependencies go round in a circle, so no forecast can be made: "
            + _cycle_words(plan, cycle.cycle)
            + ". Remove one of these dependencies."
        )


def _labels(plan: PlanData) -> dict[str, str]:
    labels = {task_key(t.id): f"{t.code} {t.activity}" for t in plan.tasks}
    labels |= {milestone_key(m.id): m.name for m in plan.milestones}
    return labels


def _cycle_words(plan: PlanData, keys: list) -> str:
    codes = {task_key(t.id): t.code for t in plan.tasks}
    codes |= {milestone_key(m.id): m.name for m in plan.milestones}
    return " → ".join(codes.get(k, str(k)) for k in keys)


def _arg_id(name: str, allowed: set[int]) -> int | None:
    value = request.args.get(name, type=int)
    return value if value in allowed else None


# The Gantt chart ------------------------------------------------------------------------

TABLE_PAGE_ROWS = 200  # rows of the Gantt's table on each of its pages


@bp.route("/projects/<slug>/plan/timeline")
@requires("plan.view")
def timeline(slug: str) -> str:
    project = g.project
    plan = read_plan(project)
    baselines = project_baselines(project)
    stage_id = _arg_id("stage", {s.id for s in plan.stages})
    work_stream_id = _arg_id("work_stream", {w.id for w in plan.work_streams})
    baseline_arg = request.args.get("baseline", "")
    if baseline_arg == "none":
        baseline = None
    else:
        chosen = _arg_id("baseline", {b.id for b in baselines})
        baseline = next(
            (b for b in baselines if b.id == chosen), baselines[0] if baselines else None
        )

    form = TimelineFilterForm(formdata=None)
    form.stage.choices = [("", "All stages")] + [
        (str(s.id), f"Stage {s.number}: {s.name}") for s in plan.stages
    ]
    form.stage.data = str(stage_id or "")
    form.work_stream.choices = [("", "All work streams")] + [
        (str(w.id), f"{w.code}: {w.name}") for w in plan.work_streams
    ]
    form.work_stream.data = str(work_stream_id or "")
    form.baseline.choices = [("none", "No baseline")] + [
        (str(b.id), f"{b.name} (taken {b.taken_on.day} {b.taken_on:%b %Y})") for b in baselines
    ]
    form.baseline.data = str(baseline.id) if baseline else "none"

    today = status_date(project)
    forecasts, cycle_message = _forecast(plan)
    rows = timeline_rows(
        plan,
        forecasts,
        baseline_finishes(baseline),
        today=today,
        stage_id=stage_id,
        work_stream_id=work_stream_id,
    )
    table_page = page_of(len(rows.rows), TABLE_PAGE_ROWS)
    return render_template(
        "plan/timeline.html",
        project=project,
        timeline=rows,
        gantt_json=data_json(gantt_data(rows, today=today)),
        table_rows=table_page.of(rows.rows),
        table_page=table_page,
        table_url=page_url(anchor="timeline-table"),
        summary=chart_summary(rows, today),
        filter_form=form,
        baseline=baseline,
        filtered=bool(stage_id or work_stream_id),
        cycle_message=cycle_message,
        styles=PROGRESS_STYLES.values(),
        today=today,
        title="Timeline",
    )


FORECAST_PAGE_SIZE = 100


def forecast_lists(
    plan: PlanData, forecasts: dict[Hashable, Forecast]
) -> tuple[list[str], list[str], list[str]]:
    """The keys of the late tasks, of the critical path (by forecast start, tasks before
    milestones of the same day) and of the pushed milestones, each in the timeline's order."""
    dated = [(key, result) for key in row_keys(plan) if (result := forecasts.get(key))]
    late = [key for key, result in dated if key[0] == "t" and result.slip > 0]
    pushed = [key for key, result in dated if key[0] == "m" and result.slip > 0]
    critical = [
        key
        for key, _ in sorted(
            ((key, result) for key, result in dated if result.critical),
            key=lambda pair: (pair[1].start, pair[0][0] != "t"),
        )
    ]
    return late, critical, pushed


@bp.route("/projects/<slug>/plan/forecast")
@requires("plan.view")
def forecast(slug: str) -> str:
    """Pushed milestones, late tasks and the critical path; the two long lists a page at a time,
    each row with the chain of slips that causes it (worked out only for the rows shown)."""
    project = g.project
    plan = read_plan(project)
    today = status_date(project)
    as_of = today if request.args.get("as_of") == "today" else None
    forecasts, cycle_message = _forecast(plan, as_of)
    late, critical, pushed = forecast_lists(plan, forecasts)
    late_page = page_of(len(late), FORECAST_PAGE_SIZE, "late_page")
    critical_page = page_of(len(critical), FORECAST_PAGE_SIZE, "critical_page")
    late, critical = late_page.of(late), critical_page.of(critical)
    # Rows only for what the page shows: at 20,000 tasks, building them all took a fifth of it.
    shown = timeline_rows(plan, forecasts, today=today, only={*late, *critical, *pushed})
    row_of = {row.key: row for row in shown.rows}
    labels = _labels(plan)
    causes = {
        key: [labels.get(k, str(k)) for k in slip_chain(forecasts, key)[:-1]]
        for key in [*pushed, *late]
    }
    return render_template(
        "plan/forecast.html",
        project=project,
        pushed=[row_of[key] for key in pushed],
        slipped=[row_of[key] for key in late],
        critical=[row_of[key] for key in critical],
        late_page=late_page,
        critical_page=critical_page,
        late_url=page_url("late_page"),
        critical_url=page_url("critical_page"),
        causes=causes,
        as_of=as_of,
        today=today,
        cycle_message=cycle_message,
        title="Forecast",
    )


# Dependencies ---------------------------------------------------------------------------


def _dependency_form(plan: PlanData, formdata: object = ...) -> DependencyForm:
    """The form, with every task and milestone as a choice on both sides ("t12", "m3")."""
    form = DependencyForm() if formdata is ... else DependencyForm(formdata=formdata)
    items = [(task_key(t.id), f"Task {t.code} {t.activity}") for t in plan.tasks] + [
        (milestone_key(m.id), f"Milestone: {m.name}") for m in plan.milestones
    ]
    form.predecessor.choices = [("", "Select a task or milestone")] + items
    form.successor.choices = [("", "Select a task or milestone")] + items
    return form


def _dependencies_page(plan: PlanData, form: DependencyForm, status: int = 200) -> tuple[str, int]:
    forecasts, cycle_message = _forecast(plan)
    rows = timeline_rows(plan, forecasts, today=status_date(g.project))
    labels = _labels(plan)
    listed = []
    for dep in plan.dependencies:
        link = dependency_link(dep)
        listed.append(
            {
                "id": dep.id,
                "predecessor": labels.get(link.predecessor, ""),
                "predecessor_is_milestone": dep.predecessor_milestone_id is not None,
                "successor": labels.get(link.successor, ""),
                "successor_is_milestone": dep.successor_milestone_id is not None,
                "lag": link.lag,
            }
        )
    return render_template(
        "plan/dependencies.html",
        project=plan.project,
        dependencies=listed,
        pushed=rows.pushed_milestones,
        form=form,
        can_edit=can("plan.edit", g.roles),
        cycle_message=cycle_message,
        title="Dependencies",
    ), status


@bp.route("/projects/<slug>/plan/dependencies")
@requires("plan.view")
def dependencies(slug: str) -> tuple[str, int]:
    plan = read_plan(g.project)
    return _dependencies_page(plan, _dependency_form(plan, formdata=None))


@bp.route("/projects/<slug>/plan/dependencies/add", methods=["POST"])
@requires("plan.edit")
def dependency_add(slug: str) -> tuple[str, int] | BaseResponse:
    plan = read_plan(g.project)
    form = _dependency_form(plan)
    if not form.validate_on_submit():
        return _dependencies_page(plan, form, 400)
    # The choices already refuse anything that is not a task or milestone of this project.
    link = Link(form.predecessor.data, form.successor.data, form.lag)
    existing = plan.links()
    if any(e.predecessor == link.predecessor and e.successor == link.successor for e in existing):
        form.successor.errors.append("This dependency is already in the plan")
        return _dependencies_page(plan, form, 400)
    if link.predecessor == link.successor:
        form.successor.errors.append(
            "A task or milestone cannot wait for itself: select a different one"
        )
        return _dependencies_page(plan, form, 400)
    cycle = cycle_if_added(existing, link)
    if cycle is not None:
        form.successor.errors.append(
            "This would make a circular dependency ("
            + _cycle_words(plan, cycle)
            + "): nothing in it could ever start. Select a different task or milestone"
        )
        return _dependencies_page(plan, form, 400)

    db.session.add(new_dependency(g.project.id, link))
    labels = _labels(plan)
    flash(f"{labels[link.successor]} now waits for {labels[link.predecessor]}.", "success")
    return redirect(url_for("plan.dependencies", slug=slug))


@bp.route("/projects/<slug>/plan/dependencies/<int:dependency_id>/remove", methods=["POST"])
@requires("plan.edit")
def dependency_remove(slug: str, dependency_id: int) -> BaseResponse:
    dependency = db.session.get(TaskDependency, dependency_id)
    if dependency is None or dependency.project_id != g.project.id:
        abort(404)
    db.session.delete(dependency)
    flash("Dependency removed.", "success")
    return redirect(url_for("plan.dependencies", slug=slug))


# Baselines ------------------------------------------------------------------------------


def _baselines_page(form: BaselineForm, status: int = 200) -> tuple[str, int]:
    baselines, people = baselines_with_people(g.project)
    return render_template(
        "plan/baselines.html",
        project=g.project,
        baselines=baselines,
        people=people,
        form=form,
        can_save=can("baseline.save", g.roles),
        title="Baselines",
    ), status


@bp.route("/projects/<slug>/plan/baselines")
@requires("plan.view")
def baselines(slug: str) -> tuple[str, int]:
    return _baselines_page(BaselineForm(formdata=None))


@bp.route("/projects/<slug>/plan/baselines/new", methods=["POST"])
@requires("baseline.save")
def baseline_save(slug: str) -> tuple[str, int] | BaseResponse:
    form = BaselineForm()
    if not form.validate_on_submit():
        return _baselines_page(form, 400)
    plan = read_plan(g.project)
    try:
        baseline = save_baseline(
            plan,
            form.name.data,
            _today(),
            current_user,
            milestone_baselines=form.milestone_baselines.data,
        )
    except RuleRefused as refused:
        show_refusal(form, refused)
        return _baselines_page(form, 400)
    flash(
        f"The plan is saved as baseline {baseline.name}"
        + (
            ", and the milestones' baseline finishes are now their scheduled finishes."
            if form.milestone_baselines.data
            else "."
        ),
        "success",
    )
    return redirect(url_for("plan.baselines", slug=slug))


@bp.route("/projects/<slug>/plan/baselines/<int:baseline_id>")
@requires("plan.view")
def baseline_compare(slug: str, baseline_id: int) -> str:
    baseline = get_baseline(g.project, baseline_id)
    if baseline is None:
        abort(404)
    plan = read_plan(g.project)
    comparison = compare(baseline.items or [], snapshot(plan))
    return render_template(
        "plan/baselines_compare.html",
        project=g.project,
        baseline=baseline,
        comparison=comparison,
        title=f"Plan compared with baseline {baseline.name}",
    )


# Export and import ----------------------------------------------------------------------


@bp.route("/projects/<slug>/plan/export")
@requires("plan.view")
def export(slug: str) -> Response:
    kind = request.args.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        abort(404)
    plan = read_plan(g.project)
    forecasts, _ = _forecast(plan)
    return download(
        EXPORT_COLUMNS,
        export_rows(plan, forecasts),
        filename=f"{g.project.slug}-plan-{_today().isoformat()}",
        file_format=kind,
        title="Plan",
    )


@bp.route("/projects/<slug>/plan/import", methods=["GET", "POST"])
@requires("plan.import")
def import_plan(slug: str) -> tuple[str, int] | BaseResponse:
    form = ImportForm()
    result = None
    status = 200
    if request.method == "POST":
        status = 400
    if form.validate_on_submit():
        data = form.file.data.stream.read(MAX_IMPORT_BYTES + 1)
        try:
            table = read_table(data)
        except FileProblem as problem:
            form.file.errors.append(str(problem))
        else:
            plan = load_plan(g.project)
            result = import_table(plan, table)
            if result.ok:
                flash(
                    f"Plan imported: {result.created} tasks added, {result.updated} updated, "
                    f"{result.milestones_created + result.milestones_updated} milestones, "
                    f"{result.dependencies} dependencies.",
                    "success",
                )
                return redirect(url_for("plan.timeline", slug=slug))
            roll_back()  # the rows that were fine are not imported either
            if result.problem:
                form.file.errors.append(result.problem)
            else:
                count = len({e.row for e in result.errors})
                form.file.errors.append(
                    f"{count} row{'s' if count != 1 else ''} of the file "
                    f"{'have' if count != 1 else 'has'} problems, so nothing was imported: "
                    "correct the file and try again"
                )
    return render_template(
        "plan/import.html",
        project=g.project,
        form=form,
        result=result,
        error_rows=list(iter_error_rows(result)) if result else [],
        max_mb=MAX_IMPORT_BYTES // (1024 * 1024),
        title="Import a plan",
    ), status
