"""Which elements each work stream is expected to evidence, and what a stream owes on them.

The assignment is data the manager edits (one StreamElement per element a stream owns); the
seed prefills it from the 2009 self-assessment. A stream "owes" an element until evidence it
gave for the element has been accepted. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, selectinload

from tracker.evidence.access import Viewer
from tracker.evidence.models import (
    AssessmentRound,
    Criterion,
    Element,
    ElementRating,
    EvidenceItem,
    EvidenceStatus,
    GapAction,
    RatingScale,
    RatingScope,
    StreamElement,
    SubCriterion,
    evidence_element,
)
from tracker.extensions import db
from tracker.projects.models import Project, Service, WorkStream


def assigned_ids(stream: WorkStream) -> list[int]:
    """The ids of the elements the stream is expected to evidence, in id order."""
    return sorted(
        db.session.execute(
            select(StreamElement.element_id).where(StreamElement.work_stream_id == stream.id)
        ).scalars()
    )


def assign_elements(stream: WorkStream, element_ids: Iterable[int]) -> bool:
    """Make the stream's elements exactly `element_ids`: whether anything changed. Each element
    given or taken away is a record of its own in the audit trail, and the stream's version
    moves on, so that an edit page opened before this save is refused as stale."""
    current = {
        row.element_id: row
        for row in db.session.execute(
            select(StreamElement).where(StreamElement.work_stream_id == stream.id)
        ).scalars()
    }
    wanted = set(element_ids)
    for element_id in current.keys() - wanted:
        db.session.delete(current[element_id])
    db.session.add_all(
        StreamElement(work_stream_id=stream.id, element_id=element_id)
        for element_id in sorted(wanted - current.keys())
    )
    changed = wanted != current.keys()
    if changed:
        stream.row_version += 1
    db.session.flush()
    return changed


def assigned_counts(project: Project) -> dict[int, int]:
    """How many elements each of the project's work streams owns (work stream id -> count)."""
    return dict(
        db.session.execute(
            select(StreamElement.work_stream_id, db.func.count())
            .join(WorkStream)
            .where(WorkStream.project_id == project.id)
            .group_by(StreamElement.work_stream_id)
        ).all()
    )


@dataclass
class Owed:
    """One element a stream owes, with what it has given for it so far."""

    element: Element
    items: list[EvidenceItem] = field(default_factory=list)
    # The element's ratings in the latest self-assessment round that rated it for the stream:
    # the stream's own, its services' (one each) or the whole council's.
    ratings: list[ElementRating] = field(default_factory=list)
    actions: list[GapAction] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return any(item.status is EvidenceStatus.ACCEPTED for item in self.items)


def stream_owes(project: Project, stream: WorkStream, viewer: Viewer) -> list[Owed]:
    """The stream's elements in the standard's order, each with the stream's evidence for it
    that this viewer may see (newest first), its latest self-assessment ratings for the stream
    (its own, its services' or the whole council's) and the project's gap actions on it. Six
    queries, whatever the number of elements, items or actions."""
    owned = select(StreamElement.element_id).where(StreamElement.work_stream_id == stream.id)
    owed = {
        element.id: Owed(element)
        for element in db.session.execute(
            select(Element)
            .join(SubCriterion)
            .join(Criterion)
            .where(Element.id.in_(owned))
            .order_by(Criterion.number, SubCriterion.position, Element.position)
        ).scalars()
    }
    for element_id, item in db.session.execute(
        select(evidence_element.c.element_id, EvidenceItem)
        .join(EvidenceItem, EvidenceItem.id == evidence_element.c.evidence_id)
        .where(
            EvidenceItem.project_id == project.id,
            EvidenceItem.work_stream_id == stream.id,
            evidence_element.c.element_id.in_(owned),
            viewer.visible_clause(),
        )
        .order_by(EvidenceItem.created_at.desc(), EvidenceItem.id.desc())
    ):
        owed[element_id].items.append(item)
    for rating in _self_ratings(project, stream, owned):  # oldest round first
        ratings = owed[rating.element_id].ratings
        if ratings and ratings[0].round_id != rating.round_id:
            ratings.clear()  # a later round: it replaces the earlier one
        ratings.append(rating)
    for action in db.session.execute(
        select(GapAction)
        .where(GapAction.project_id == project.id, GapAction.element_id.in_(owned))
        .options(selectinload(GapAction.owner))
        .order_by(GapAction.due_on.is_(None), GapAction.due_on, GapAction.id)
    ).scalars():
        owed[action.element_id].actions.append(action)
    return list(owed.values())


def _self_ratings(project: Project, stream: WorkStream, owned: object) -> list[ElementRating]:
    """The self-assessment ratings of the stream's elements given to the stream, to its services
    or to the whole council, oldest round first."""
    return list(
        db.session.execute(
            select(ElementRating)
            .join(AssessmentRound)
            .where(
                AssessmentRound.project_id == project.id,
                AssessmentRound.scale == RatingScale.SELF,
                ElementRating.element_id.in_(owned),  # type: ignore[arg-type]
                or_(
                    ElementRating.work_stream_id == stream.id,
                    ElementRating.service_id.in_(
                        select(Service.id).where(Service.work_stream_id == stream.id)
                    ),
                    AssessmentRound.scope == RatingScope.COUNCIL,
                ),
            )
            .options(contains_eager(ElementRating.round), selectinload(ElementRating.service))
            .order_by(AssessmentRound.held_from, AssessmentRound.id, ElementRating.id)
        ).scalars()
    )
