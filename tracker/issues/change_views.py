"""Views of a request for change (9.3, appendix 7): raising it, its page, the impact analysis,
the proposed effects and the decision.

On the issues blueprint, as `tracker.issues.views` (the issue log and the list of changes).
Thin views: the rules are in `tracker.issues.changes` and `tracker.issues.classification`; what a
change may move is asked of the plan (tracker.plan.change_targets) and the budget
(tracker.budget.change_targets). The request's transaction commits once a view succeeds, and
nothing is saved when a rule refuses.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from tracker.budget import change_targets as budget_targets
from tracker.database import utcnow
from tracker.extensions import db
from tracker.filters import date as day_text
from tracker.filters import london_today as today
from tracker.forms import show_refusal
from tracker.issues import bp
from tracker.issues.changes import (
    AlreadyDecided,
    NotAllowedToDecide,
    assess_change,
    decide_change,
    get_change,
    project_group_meeting_on,
    raise_change,
    remove_effect,
    set_effect,
)
from tracker.issues.classification import describe_changes
from tracker.issues.decision_basis import change_basis
from tracker.issues.forms import (
    OTHER_MEETING,
    AssessmentForm,
    ChangeRequestForm,
    DecisionForm,
    EffectForm,
)
from tracker.issues.models import ChangeEffect, ChangeRequest, ChangeStatus, EffectTarget
from tracker.issues.views import render_page
from tracker.permissions import can, requires
from tracker.plan import change_targets as plan_targets
from tracker.plan.conflicts import plan_conflicts
from tracker.projects.models import Project, Role
from tracker.projects.services import project_group_meetings
from tracker.rules import RuleRefused
from tracker.versioning import form_status, refuse_changed_decision, refuse_stale, show_record


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
        except RuleRefused as refusal:  # two requests raised at the same moment took one number
            show_refusal(form, refusal)
        else:
            flash(
                f"Change request {change.number} raised, with issue {change.issue_entry.number} "
                "in the issue log. The project manager will write the impact analysis.",
                "success",
            )
            return redirect(url_for("issues.change", slug=slug, change_id=change.id))
    return render_page(
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
    """Everything a change may move, with its current value, as the plan and the budget list
    them: four queries."""
    return plan_targets.change_targets(project) + budget_targets.change_targets(project)


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
        + [(str(m.id), day_text(m.held_on)) for m in reversed(meetings)]
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
    breaks = plan_conflicts(g.project, change.effects) if undecided else []
    return render_page(
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
        flash(f"Impact analysis of change request {change.number} saved.", "success")
        return redirect(url_for("issues.change", slug=slug, change_id=change.id))
    return render_page(
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
    except RuleRefused as refusal:
        show_refusal(form, refusal)
        return _change_page(change_id, form=form, effect_form=form, status=409)
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
        abort(409)
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
        abort(403)
    except RuleRefused as refusal:
        show_refusal(form, refusal)
        return _change_page(
            change_id,
            form=form,
            decision_form=form,
            status=409 if isinstance(refusal, AlreadyDecided) else 400,
        )
    verdict = "approved" if form.decision.data == "approve" else "rejected"
    applied = (
        " Its effects on the plan and budget have been applied."
        if verdict == "approved" and change.effects
        else ""
    )
    flash(f"Change request {change.number} {verdict}.{applied}", "success")
    return redirect(url_for("issues.change", slug=slug, change_id=change_id))
