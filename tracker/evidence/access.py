"""Who may see an evidence item: the one rule, as a check on a loaded item and as SQL.

Evidence marked as holding personal data (complaint letters, survey comments) is seen only by
the people of its work stream, the project's managers and the assessor. Everything else is seen
by anyone with `evidence.view`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true

from tracker.evidence.models import EvidenceItem
from tracker.extensions import db
from tracker.projects.models import Membership, Project, Role

# Roles that see every item, personal data included.
SEES_ALL_PERSONAL_DATA = frozenset({Role.SPONSOR, Role.MANAGER, Role.SUPPORT, Role.ASSESSOR})


@dataclass(frozen=True)
class Viewer:
    """A signed-in person as far as evidence is concerned: roles and work streams in a project."""

    person_id: int
    roles: frozenset[Role]
    stream_ids: frozenset[int]

    @property
    def sees_all_personal_data(self) -> bool:
        return bool(self.roles & SEES_ALL_PERSONAL_DATA)

    def may_see(self, item: EvidenceItem) -> bool:
        return (
            not item.personal_data
            or self.sees_all_personal_data
            or item.work_stream_id in self.stream_ids
        )

    def visible_clause(self) -> ColumnElement[bool]:
        """A WHERE clause on EvidenceItem that keeps only the items this viewer may see."""
        if self.sees_all_personal_data:
            return true()
        in_streams = (
            EvidenceItem.work_stream_id.in_(self.stream_ids) if self.stream_ids else false()
        )
        return or_(EvidenceItem.personal_data.is_(False), in_streams)


def viewer_for(person_id: int, project: Project, roles: frozenset[Role]) -> Viewer:
    """The viewer, with the work streams their memberships name (one query)."""
    stream_ids = frozenset(
        db.session.execute(
            select(Membership.work_stream_id).where(
                Membership.project_id == project.id,
                Membership.person_id == person_id,
                Membership.work_stream_id.is_not(None),
            )
        ).scalars()
    )
    return Viewer(person_id=person_id, roles=roles, stream_ids=stream_ids)
