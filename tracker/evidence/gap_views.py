"""Views of gap actions: the project's list, and adding or changing one for an element."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from tracker.auth.models import Person
from tracker.database import utcnow
from tracker.evidence import bp
from tracker.evidence.forms import GapActionForm
from tracker.evidence.gap_actions import is_overdue, project_actions, save_action
from tracker.evidence.models import ActionStatus, Criterion, Element, GapAction, SubCriterion
from tracker.extensions import db
from tracker.permissions import requires
from tracker.projects.services import project_members
from tracker.projects.status import status_date
from tracker.versioning import form_status, record_data, refuse_stale, show_record


def _element(code: str) -> Element:
    found = db.session.execute(
        select(Element)
        .join(SubCriterion)
        .join(Criterion)
        .where(Criterion.standard_id == g.project.standard_id, Element.code == code)
    ).scalar_one_or_none()
    if found is None:
        abort(404)
    return found


@bp.route("/projects/<slug>/gap-actions")
@requires("rating.view")
def gap_actions(slug: str) -> str:
    today = status_date(g.project)
    actions = project_actions(g.project)
    return render_template(
        "evidence/gap_actions.html",
        project=g.project,
        actions=actions,
        overdue={a.id for a in actions if is_overdue(a, today)},
        title="Gap actions",
    )


def _fields(action: GapAction) -> dict[str, Any]:
    """The fields of the form that do not hold the action's attribute of the same name."""
    return {"owner": action.owner_id or 0, "status": action.status.value}


def _form_page(
    form: GapActionForm, element: Element, action: GapAction | None
) -> tuple[str, int] | BaseResponse:
    owner = db.session.get(Person, action.owner_id) if action and action.owner_id else None
    form.owner.choices = [SelectChoice(0, "No owner yet")] + [
        SelectChoice(p.id, p.label) for p in project_members(g.project, owner)
    ]
    if form.validate_on_submit() and not (
        action and refuse_stale(form, action, lambda: record_data(form, action, **_fields(action)))
    ):
        save_action(
            action or GapAction(project_id=g.project.id, element_id=element.id),
            description=form.description.data,
            owner_id=form.owner.data,
            due_on=form.due_on.data,
            status=ActionStatus(form.status.data),
            now=utcnow(),
            by=current_user,
        )
        flash("Gap action saved.", "success")
        return redirect(url_for("evidence.element", slug=g.project.slug, code=element.code))
    title = f"{'Change the' if action else 'Add a'} gap action for element {element.code}"
    return render_template(
        "evidence/gap_action_form.html",
        project=g.project,
        form=form,
        element=element,
        action=action,
        title=title,
    ), form_status(form, request.method)


@bp.route("/projects/<slug>/standard/elements/<code>/gap-actions/new", methods=["GET", "POST"])
@requires("gap_action.edit")
def gap_action_new(slug: str, code: str) -> tuple[str, int] | BaseResponse:
    return _form_page(GapActionForm(), _element(code), None)


@bp.route("/projects/<slug>/gap-actions/<int:action_id>/edit", methods=["GET", "POST"])
@requires("gap_action.edit")
def gap_action_edit(slug: str, action_id: int) -> tuple[str, int] | BaseResponse:
    action = db.session.get(GapAction, action_id)
    if action is None or action.project_id != g.project.id:
        abort(404)
    form = GapActionForm(obj=None if request.method == "POST" else action)
    if request.method == "GET":
        show_record(form, action, _fields(action))
    return _form_page(form, action.element, action)
