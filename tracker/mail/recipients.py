"""Whom each event concerns: one function per rule, over the project's memberships.

They name everyone the event concerns; `notify.tell` then leaves out the person who did it,
anyone without an e-mail address and anyone who does not want messages as they happen.

- Stage review requested: the sponsor(s), who decide it.
- Stage review decided: the manager(s), and whoever asked for the review.
- Change raised or assessed: whoever decides it as it stands (tracker.issues.classification):
  the manager for a minor change, the sponsor for a major one.
- Change decided: whoever raised it, and the manager(s).
- Evidence submitted: everyone the permission table lets review evidence who may see the item
  (an item holding personal data only reaches its stream's people and the managers).
- Evidence returned or accepted: its author and its work stream's lead(s).
- Gap action assigned: its owner.
- Highlight report issued: its audience. The quarterly report goes to the EMT and the lead
  member; the monthly project report to the project group (the sponsor, the work stream leads
  and project assurance); a work stream's report to the manager and support officer, who
  write the project's report from it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.auth.models import Person
from tracker.evidence.access import Viewer
from tracker.evidence.models import EvidenceItem, GapAction
from tracker.extensions import db
from tracker.issues.classification import who_decides
from tracker.issues.models import ChangeRequest
from tracker.permissions import roles_allowed
from tracker.plan.models import StageReview
from tracker.projects.models import Membership, Role
from tracker.reports.models import HighlightReport, ReportKind

PROJECT_GROUP = frozenset({Role.SPONSOR, Role.WS_LEAD, Role.ASSURANCE})
QUARTERLY_AUDIENCE = frozenset({Role.EMT, Role.LEAD_MEMBER})
REPORT_WRITERS = frozenset({Role.MANAGER, Role.SUPPORT})


def _memberships(
    project_id: int, roles: Collection[Role], work_stream_id: int | None = None
) -> list[Membership]:
    query = (
        select(Membership)
        .where(Membership.project_id == project_id, Membership.role.in_(list(roles)))
        .options(joinedload(Membership.person))
        .order_by(Membership.person_id)
    )
    if work_stream_id is not None:
        query = query.where(Membership.work_stream_id == work_stream_id)
    return list(db.session.execute(query).scalars())


def holders(
    project_id: int, roles: Collection[Role], work_stream_id: int | None = None
) -> list[Person]:
    """The people holding any of `roles` in the project (in one work stream, if given)."""
    return unique(m.person for m in _memberships(project_id, roles, work_stream_id))


def unique(people: Iterable[Person | None]) -> list[Person]:
    """Each person once, in the order first met; None (no one) left out."""
    seen: dict[int, Person] = {}
    for person in people:
        if person is not None:
            seen.setdefault(person.id, person)
    return list(seen.values())


def stage_review_requested(review: StageReview) -> list[Person]:
    return holders(review.stage.project_id, {Role.SPONSOR})


def stage_review_decided(review: StageReview) -> list[Person]:
    return unique([*holders(review.stage.project_id, {Role.MANAGER}), review.requested_by])


def change_to_decide(change: ChangeRequest) -> list[Person]:
    """Raised or assessed: whoever decides the change as it now stands."""
    return holders(change.project_id, {who_decides(change)})


def change_decided(change: ChangeRequest) -> list[Person]:
    return unique([change.requested_by, *holders(change.project_id, {Role.MANAGER})])


def evidence_submitted(item: EvidenceItem) -> list[Person]:
    memberships = _memberships(item.project_id, list(Role))  # whole roles: what each may see
    roles: dict[int, set[Role]] = {}
    streams: dict[int, set[int]] = {}
    for m in memberships:
        roles.setdefault(m.person_id, set()).add(m.role)
        if m.work_stream_id is not None:
            streams.setdefault(m.person_id, set()).add(m.work_stream_id)
    reviewers = roles_allowed("evidence.review")
    return unique(
        m.person
        for m in memberships
        if roles[m.person_id] & reviewers
        and Viewer(
            m.person_id, frozenset(roles[m.person_id]), frozenset(streams.get(m.person_id, ()))
        ).may_see(item)
    )


def evidence_reviewed(item: EvidenceItem) -> list[Person]:
    """Returned or accepted."""
    leads = holders(item.project_id, {Role.WS_LEAD}, item.work_stream_id)
    return unique([item.created_by, *leads])


def gap_action_assigned(action: GapAction) -> list[Person]:
    return unique([action.owner])


def report_issued(report: HighlightReport) -> list[Person]:
    audience = {
        ReportKind.QUARTERLY: QUARTERLY_AUDIENCE,
        ReportKind.PROJECT: PROJECT_GROUP,
        ReportKind.WORK_STREAM: REPORT_WRITERS,
    }[report.kind]
    return holders(report.project_id, audience)
