"""Planning the staff resources of Project Document 10.1: adding a role and changing it (they
are put in order with `tracker.ordering.move_position`). The planned days (number × days
each) are derived, never stored (tracker.budget.staff)."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.budget.models import StaffResource
from tracker.extensions import db
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
        last = db.session.execute(
            select(func.max(StaffResource.position)).where(StaffResource.project_id == project.id)
        ).scalar()
        resource = StaffResource(project_id=project.id, position=(last or 0) + 1)
        db.session.add(resource)
    resource.role_name = role_name.strip()
    resource.quantity = quantity
    resource.days_each = days_each
    db.session.flush()
    return resource
