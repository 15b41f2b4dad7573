"""The kernel's own lines of the home page's "What the project holds": its people and work
streams. The areas add theirs (tracker/projects/areas.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tracker.projects.areas import Asker, CountedArea, add_counts, counting
from tracker.projects.models import Membership, WorkStream


def _people(asker: Asker) -> Any:
    return (
        select(func.count(func.distinct(Membership.person_id)))
        .where(Membership.project_id == asker.project.id)
        .scalar_subquery()
    )


def register() -> None:
    add_counts(
        CountedArea(10, "People", "projects.people", "project.people", _people),
        CountedArea(20, "Work streams", "projects.people", "project.people", counting(WorkStream)),
    )
