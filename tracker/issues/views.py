"""Views of the issue log (8.7) and of requests for change (9.3, appendix 7)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth.models import Person
from tracker.budget.models import BudgetLine
from tracker.database import utcnow
from tracker.exports import download
from tracker.extensions import db
from tracker.filters import money
from tracker.issues import bp
from tracker.issues.decision_basis import change_basis
from tracker.issues.forms import (
    OTHER_MEETING,
    AssessmentForm,
    ChangeRequestForm,
    DecisionForm,
    EffectForm,
    IssueForm,
)
from tracker.issues.models import (
    ChangeEffect,
    ChangeRequest,
    ChangeStatus,
    EffectTarget,
    EntryStatus,
    IssueLogEntry,
)
from tracker.issues.services import (
    EFFECT_FIELDS,
    AlreadyDecided,
    ChangeError,
    ChangeView,
    NotAllowedToDecide,
    add_issue,
    assess_change,
    decide_change,
    describe_changes,
    get_change,
    issue_log,
    london_date,
    plan_conflicts,
    project_changes,
    project_group_meeting_on,
    project_group_meetings,
    raise_change,
    remove_effect,
    set_effect,
    today,
    update_issue,
)
from tracker.permissions import can, requires
from tracker.plan.models import Milestone, Stage, Task
from tracker.projects.models import Project, Role
from tracker.projects.services import project_members
from tracker.versioning import form_status, refuse_changed_decision, refuse_stale, show_record


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
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
    return _render("issues/log.html", entries=issue_log(g.project), title="Issue log")


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
        form.identified_on.data = today()
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
            db.session.commit()
        except IntegrityError:  # someone took the same number a moment earlier
            db.session.rollback()
            form.description.errors.append("The issue log changed while you wrote: save again")
        else:
            flash(f"Issue {entry.number} added to the issue log.", "success")
            return redirect(url_for("issues.log", slug=slug, _anchor=f"entry-{entry.number}"))
    return _render(
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
        changed = update_issue(
            entry,
            description=form.description.data,
            identified_on=form.identified_on.data,
            author_id=form.author.data or None,
            resolution=form.resolution.data or "",
            status=EntryStatus(form.status.data),
            on=today(),
        )
        db.session.commit()
        flash(
            f"Issue {entry.number} saved."
            if changed
            else f"Issue {entry.number}: nothing changed.",
            "success",
        )
        return redirect(url_for("issues.log", slug=slug, _anchor=f"entry-{entry.number}"))
    return _render(
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
    return _render("issues/changes.html", views=project_changes(g.project), title="Change requests")


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
    if is_money:
        return money(value)
    return f"{value.day} {value:%b %Y}"


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


@bp.route("/projects/<slug>/changes/new", methods=["GET", "POST"])
@requires("change.raise")
def change_new(slug: str) -> tuple[str, int] | BaseResponse:
    form = ChangeRequestForm()
    if form.validate_on_submit():
        try:
            change = raise_change(
                g.project,
                description=form.description.data,
                expected_benefits=form.expected_benefits.data,
                requested_by=current_user,
                on=today(),
            )
            db.session.commit()
        except IntegrityError:  # two requests raised at the same moment took the same number
            db.session.rollback()
            form.description.errors.append("The issue log changed while you wrote: send again")
        else:
            flash(
                f"Change request {change.number} raised, with issue {change.issue_entry.number} "
                "in the issue log. The project manager will write the impact analysis.",
                "success",
            )
            return redirect(url_for("issues.change", slug=slug, change_id=change.id))
    return _render(
        "issues/change_new.html",
        400 if request.method == "POST" else 200,
        form=form,
        title="Raise a request for change",
    )


def _load_change(change_id: int, *, for_update: bool = False) -> ChangeRequest:
    change = get_change(g.project, change_id, for_update=for_update)
    if change is None:
        abort(404)
    return change


def _target_choices(project: Project) -> list[tuple[str, str]]:
    """Everything a change may move, with its current value: four queries."""
    choices: list[tuple[str, str]] = []
    stages = db.session.execute(
        select(Stage).where(Stage.project_id == project.id).order_by(Stage.number)
    ).scalars()
    for stage in stages:
        for field_name, words in EFFECT_FIELDS[EffectTarget.STAGE].items():
            choices.append(
                (
                    f"stage:{stage.id}:{field_name}",
                    f"Stage {stage.number} {stage.name}: {words} "
                    f"(now {_value_text(getattr(stage, field_name), False)})",
                )
            )
    milestones = db.session.execute(
        select(Milestone)
        .where(Milestone.project_id == project.id)
        .order_by(Milestone.position, Milestone.scheduled_finish, Milestone.id)
    ).scalars()
    for milestone in milestones:
        choices.append(
            (
                f"milestone:{milestone.id}:scheduled_finish",
                f"Milestone {milestone.name}: scheduled finish "
                f"(now {_value_text(milestone.scheduled_finish, False)})",
            )
        )
    choices.append(
        (
            f"project:{project.id}:end_date",
            f"Project end (now {_value_text(project.end_date, False)})",
        )
    )
    tasks = db.session.execute(
        select(Task).where(Task.project_id == project.id).order_by(Task.position, Task.id)
    ).scalars()
    for task in tasks:
        for field_name, words in EFFECT_FIELDS[EffectTarget.TASK].items():
            choices.append(
                (
                    f"task:{task.id}:{field_name}",
                    f"Task {task.code} {task.activity}: {words} "
                    f"(now {_value_text(getattr(task, field_name), False)})",
                )
            )
    lines = db.session.execute(
        select(BudgetLine).where(BudgetLine.project_id == project.id).order_by(BudgetLine.position)
    ).scalars()
    for line in lines:
        choices.append(
            (
                f"budget_line:{line.id}:provision_pence",
                f"Budget line {line.product}: provision (now {money(line.provision_pence)})",
            )
        )
    return choices


def _effect_form(formdata: Any = ...) -> EffectForm:
    form = EffectForm() if formdata is ... else EffectForm(formdata=formdata)
    form.target.choices = [("", "Select what the change moves")] + _target_choices(g.project)
    return form


def _decision_form(change: ChangeRequest, formdata: Any = ...) -> DecisionForm:
    """Project group meetings from the day the change was raised to today, and "another date"."""
    form = DecisionForm() if formdata is ... else DecisionForm(formdata=formdata)
    meetings = [
        m for m in project_group_meetings(g.project) if change.raised_on <= m.held_on <= today()
    ]
    form.meeting.choices = (
        [("", "Select the meeting")]
        + [(str(m.id), _value_text(m.held_on, False)) for m in reversed(meetings)]
        + [(OTHER_MEETING, "Another date (enter it below)")]
    )
    if formdata is None:  # the page as read: what the decision will be based on
        form.seen.data = change_basis(describe_changes(g.project, [change])[0])
    return form


def _change_page(
    change_id: int,
    *,
    form: Any = None,
    effect_form: EffectForm | None = None,
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    change = _load_change(change_id)
    view = describe_changes(g.project, [change])[0]
    roles = g.roles
    undecided = not view.decided
    can_assess = undecided and can("change.assess", roles)
    can_decide = undecided and view.assessed and view.decider in roles
    breaks = plan_conflicts(g.project, change) if undecided else []
    return _render(
        "issues/change.html",
        status,
        view=view,
        change=change,
        breaks=breaks,
        can_assess=can_assess,
        can_decide=can_decide,
        form=form,
        effect_form=effect_form or (_effect_form(None) if can_assess else None),
        decision_form=decision_form or (_decision_form(change, None) if can_decide else None),
        title=f"Change request {change.number}",
    )


@bp.route("/projects/<slug>/changes/<int:change_id>")
@requires("issue.view")
def change(slug: str, change_id: int) -> tuple[str, int]:
    return _change_page(change_id)


@bp.route("/projects/<slug>/changes/<int:change_id>/assess", methods=["GET", "POST"])
@requires("change.assess")
def change_assess(slug: str, change_id: int) -> tuple[str, int] | BaseResponse:
    change = _load_change(change_id)
    if change.status in (ChangeStatus.APPROVED, ChangeStatus.REJECTED):
        flash(f"Change request {change.number} has been decided: its analysis cannot change.")
        return redirect(url_for("issues.change", slug=slug, change_id=change.id))
    form = AssessmentForm()
    keys = ("impact_products", "needs_more_resources", "changes_requirements")
    saved = {key: getattr(change, key) for key in keys} | {
        "impact_days": str(change.impact_days or 0),
        "impact_cost": change.impact_cost_pence,
    }
    if request.method == "GET":
        show_record(form, change, saved if change.status is ChangeStatus.ASSESSED else {})
    if form.validate_on_submit() and not refuse_stale(form, change, lambda: saved):
        assess_change(
            change,
            impact_days=form.days,
            impact_products=form.impact_products.data or "",
            impact_cost_pence=form.impact_cost.data,
            needs_more_resources=form.needs_more_resources.data,
            changes_requirements=form.changes_requirements.data,
            # Only the project manager raises a change to major (9.3).
            raise_to_major=form.raise_to_major.data and Role.MANAGER in g.roles,
            assessed_by=current_user,
            now=utcnow(),
        )
        db.session.commit()
        flash(f"Impact analysis of change request {change.number} saved.", "success")
        return redirect(url_for("issues.change", slug=slug, change_id=change.id))
    return _render(
        "issues/assess.html",
        form_status(form, request.method),
        form=form,
        change=change,
        can_raise=Role.MANAGER in g.roles,
        title=f"Impact analysis of change request {change.number}",
    )


@bp.route("/projects/<slug>/changes/<int:change_id>/effects", methods=["POST"])
@requires("change.assess")
def effect_add(slug: str, change_id: int) -> tuple[str, int] | BaseResponse:
    change = _load_change(change_id)
    form = _effect_form()
    if not form.validate_on_submit():
        return _change_page(change_id, form=form, effect_form=form, status=400)
    kind, target_id, field_name = form.target.data.split(":")
    try:
        set_effect(
            change,
            target=EffectTarget(kind),
            target_id=int(target_id),
            field_name=field_name,
            new_date=form.new_date.data,
            new_amount_pence=form.new_amount.data,
            on=today(),
        )
    except ChangeError as error:
        db.session.rollback()
        form.target.errors.append(str(error))
        return _change_page(change_id, form=form, effect_form=form, status=409)
    db.session.commit()
    flash("Proposed effect saved.", "success")
    return redirect(url_for("issues.change", slug=slug, change_id=change_id, _anchor="effects"))


@bp.route(
    "/projects/<slug>/changes/<int:change_id>/effects/<int:effect_id>/remove", methods=["POST"]
)
@requires("change.assess")
def effect_remove(slug: str, change_id: int, effect_id: int) -> BaseResponse:
    change = _load_change(change_id)
    effect = db.session.get(ChangeEffect, effect_id)
    if effect is None or effect.change_request_id != change.id:
        abort(404)
    try:
        remove_effect(change, effect, on=today())
    except AlreadyDecided:
        db.session.rollback()
        abort(409)
    db.session.commit()
    flash("Proposed effect removed.", "success")
    return redirect(url_for("issues.change", slug=slug, change_id=change_id, _anchor="effects"))


@bp.route("/projects/<slug>/changes/<int:change_id>/decide", methods=["POST"])
@requires("change.decide")
def change_decide(slug: str, change_id: int) -> tuple[str, int] | BaseResponse:
    # Lock the request so that two people cannot decide it at the same moment.
    change = _load_change(change_id, for_update=True)
    view = describe_changes(g.project, [change])[0]
    # The route lets the manager and the sponsor in; the routing rule says which one decides.
    if view.decider not in g.roles:
        abort(403)
    form = _decision_form(change)
    if view.decided:
        # Not validated, so the field's errors are still an empty tuple.
        form.decision.errors = [
            f"Change request {change.number} has been {change.status.value} already: "
            "a decision cannot be changed"
        ]
        return _change_page(change_id, form=form, decision_form=form, status=409)
    if not form.validate_on_submit() or refuse_changed_decision(form, change_basis(view)):
        status = form_status(form, request.method)  # 409 names what changed since it was read
        return _change_page(change_id, form=form, decision_form=form, status=status)
    meeting = None
    if view.classification.major and form.meeting.data == OTHER_MEETING:
        if form.meeting_date.data is None:
            form.meeting_date.errors.append("Enter the date of the project group meeting")
            return _change_page(change_id, form=form, decision_form=form, status=400)
        meeting = project_group_meeting_on(g.project, form.meeting_date.data)
    elif view.classification.major and form.meeting.data:
        meeting = next(
            (m for m in project_group_meetings(g.project) if str(m.id) == form.meeting.data), None
        )
    try:
        decide_change(
            g.project,
            change,
            approve=form.decision.data == "approve",
            note=form.note.data or "",
            decided_by=current_user,
            roles=g.roles,
            meeting=meeting,
            now=utcnow(),
        )
    except NotAllowedToDecide:
        db.session.rollback()
        abort(403)
    except ChangeError as error:
        db.session.rollback()
        getattr(form, error.field, form.decision).errors.append(str(error))
        return _change_page(
            change_id,
            form=form,
            decision_form=form,
            status=409 if isinstance(error, AlreadyDecided) else 400,
        )
    db.session.commit()
    verdict = "approved" if form.decision.data == "approve" else "rejected"
    applied = (
        " Its effects on the plan and budget have been applied."
        if verdict == "approved" and change.effects
        else ""
    )
    flash(f"Change request {change.number} {verdict}.{applied}", "success")
    return redirect(url_for("issues.change", slug=slug, change_id=change_id))
