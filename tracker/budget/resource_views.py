"""Views of the staff resources of section 10.1 (attached to the budget blueprint): adding a
role, changing it and putting the roles in order, for those who plan staff (`staff.plan`).

Thin views: the rules are in `tracker.budget.resources`; the request's one transaction is
committed when a view succeeds; a stale form is refused and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from tracker.budget import bp
from tracker.budget.models import StaffResource
from tracker.budget.resource_forms import StaffResourceForm
from tracker.budget.resources import save_resource
from tracker.budget.staff import project_resources
from tracker.ordering import move_position, posted_move
from tracker.permissions import requires
from tracker.versioning import form_status, refuse_stale, show_record


def _resource_data(resource: StaffResource) -> dict[str, Any]:
    """The resource as its form holds it: numbers as the text typed."""
    return {
        "role_name": resource.role_name,
        "quantity": str(resource.quantity),
        "days_each": str(resource.days_each),
    }


def _resource_page(resource: StaffResource | None) -> tuple[str, int] | BaseResponse:
    project = g.project
    form = StaffResourceForm()
    if request.method == "GET" and resource is not None:
        show_record(form, resource, _resource_data(resource))
    status = 200
    if request.method == "POST":
        stale = resource is not None and refuse_stale(
            form, resource, lambda: _resource_data(resource)
        )
        if form.validate_on_submit() and not stale:
            saved = save_resource(
                project,
                resource,
                role_name=form.role_name.data,
                quantity=int(form.quantity.data.strip()),
                days_each=int(form.days_each.data.strip()),
            )
            flash(f"{saved.role_name} saved", "success")
            return redirect(url_for("budget.staff", slug=project.slug) + "#resources")
        status = form_status(form, request.method)
    title = f"Change staff resource: {resource.role_name}" if resource else "Add a staff resource"
    return render_template(
        "budget/resource_form.html", project=project, form=form, resource=resource, title=title
    ), status


def _project_resource(resource_id: int) -> StaffResource:
    resource = next((r for r in project_resources(g.project) if r.id == resource_id), None)
    if resource is None:
        abort(404)
    return resource


@bp.route("/projects/<slug>/staff/resources/new", methods=["GET", "POST"])
@requires("staff.plan")
def resource_new(slug: str) -> tuple[str, int] | BaseResponse:
    return _resource_page(None)


@bp.route("/projects/<slug>/staff/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@requires("staff.plan")
def resource_edit(slug: str, resource_id: int) -> tuple[str, int] | BaseResponse:
    return _resource_page(_project_resource(resource_id))


@bp.route("/projects/<slug>/staff/resources/<int:resource_id>/move", methods=["POST"])
@requires("staff.plan")
def resource_move(slug: str, resource_id: int) -> BaseResponse:
    resources = project_resources(g.project)
    resource = next((r for r in resources if r.id == resource_id), None)
    if resource is None:
        abort(404)
    refused = posted_move(
        resource, resource.role_name, lambda up: move_position(resources, resource, up)
    )
    flash(
        refused[0] if refused else f"{resource.role_name} moved",
        "message" if refused else "success",
    )
    return redirect(url_for("budget.staff", slug=g.project.slug) + "#resources")
