"""Planning the staff resources of Project Document 10.1: adding a role and changing it (they
are put in order with `tracker.ordering.move_position`). The planned days (number × days
each) are derived, never stored (tracker.budget.staff)."""

from __future__ import annotations

from tracker.budget.models import StaffResource
from tracker.extensions import db
from tracker.ordering import next_position
from tracker.projects.models import Project


def save_resource(
    project: Project,
    resource: StaffResource | None,
    *,
    role_name: str,
    quantity: int,
    days_each: int,
) -> StaffResource:
    """Add a role after the last (resource None) or change one."""
    if resource is None:
        position = next_position(StaffResource, project.id)
        resource = StaffResource(project_id=project.id, position=position)
        db.session.add(resource)
    resource.role_name = role_name.strip()
    resource.quantity = quantity
    resource.days_each = days_each
    db.session.flush()
    return resource
