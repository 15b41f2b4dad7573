"""Who may see an evidence item: the one rule, as a check on a loaded item and as SQL.

Evidence marked as holding personal data (complaint letters, survey comments) is seen only by
the people of its work stream, the project's managers and the assessor. The assessor reads the
evidence put forward (submitted or accepted), never work in progress (draft or returned) nor
the reviewers' comments. Everything else is seen by anyone with `evidence.view`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from tracker.evidence.models import EvidenceItem, EvidenceStatus
from tracker.extensions import db
from tracker.projects.models import Membership, Project, Role

# Roles that see every item, personal data included.
SEES_ALL_PERSONAL_DATA = frozenset({Role.SPONSOR, Role.MANAGER, Role.SUPPORT, Role.ASSESSOR})
# Roles that see evidence still being worked on, and the review steps with their comments:
# everyone who works on or oversees the project, not the external assessor.
SEES_WORK_IN_PROGRESS = frozenset(Role) - {Role.ASSESSOR}
# What the others see: the evidence the council has put forward.
PUT_FORWARD = frozenset({EvidenceStatus.SUBMITTED, EvidenceStatus.ACCEPTED})


@dataclass(frozen=True)
class Viewer:
    """A signed-in person as far as evidence is concerned: roles and work streams in a project."""

    person_id: int
    roles: frozenset[Role]
    stream_ids: frozenset[int]

    @property
    def sees_all_personal_data(self) -> bool:
        return bool(self.roles & SEES_ALL_PERSONAL_DATA)

    @property
    def sees_work_in_progress(self) -> bool:
        """Whether drafts, returned items and the reviewers' comments are for this viewer."""
        return bool(self.roles & SEES_WORK_IN_PROGRESS)

    @property
    def statuses(self) -> list[EvidenceStatus]:
        """The statuses of the items this viewer may see, in the order they are listed."""
        return [s for s in EvidenceStatus if self.sees_work_in_progress or s in PUT_FORWARD]

    def may_see(self, item: EvidenceItem) -> bool:
        return self.may_see_values(item.personal_data, item.work_stream_id, item.status)

    def may_see_values(
        self, personal_data: bool, work_stream_id: int | None, status: EvidenceStatus | None
    ) -> bool:
        """`may_see` on an item's values, for an item known only from the audit trail."""
        return (
            not personal_data or self.sees_all_personal_data or work_stream_id in self.stream_ids
        ) and (self.sees_work_in_progress or status in PUT_FORWARD)

    def visible_clause(self) -> ColumnElement[bool]:
        """A WHERE clause on EvidenceItem that keeps only the items this viewer may see."""
        status = true() if self.sees_work_in_progress else EvidenceItem.status.in_(PUT_FORWARD)
        if self.sees_all_personal_data:
            return status
        in_streams = (
            EvidenceItem.work_stream_id.in_(self.stream_ids) if self.stream_ids else false()
        )
        return and_(or_(EvidenceItem.personal_data.is_(False), in_streams), status)


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
