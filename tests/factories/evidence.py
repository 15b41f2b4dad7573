"""Evidence items, assessment rounds with their ratings, and gap actions.

Elements come from the standard a project is linked to (the `seeded` fixture loads it), so the
rating and gap action factories take an `element` rather than making one."""

from __future__ import annotations

import datetime as dt

import factory

from tests.factories.base import Base
from tests.factories.people import ProjectPart
from tracker.evidence.models import (
    ActionStatus,
    AssessmentRound,
    ElementRating,
    EvidenceItem,
    EvidenceStatus,
    GapAction,
    RatingScale,
    RatingScope,
)


class EvidenceItemFactory(ProjectPart):
    """A draft item in the project's first work stream (name `work_stream` for another)."""

    class Meta:
        model = EvidenceItem

    work_stream = factory.LazyAttribute(lambda o: o.project.work_streams[0])
    title = factory.Sequence(lambda n: f"Evidence {n + 1}")
    status = EvidenceStatus.DRAFT


class AssessmentRoundFactory(ProjectPart):
    """An assessor's round for the whole council."""

    class Meta:
        model = AssessmentRound

    name = factory.Sequence(lambda n: f"Assessment round {n + 1}")
    scale = RatingScale.ASSESSOR
    scope = RatingScope.COUNCIL


class ElementRatingFactory(Base):
    """One element's rating in a round: give the `element` (and the `round`, or one is made)."""

    class Meta:
        model = ElementRating

    round = factory.SubFactory(AssessmentRoundFactory)
    rating = "full"


class GapActionFactory(ProjectPart):
    """An open action on an element: give the `element`."""

    class Meta:
        model = GapAction

    description = factory.Sequence(lambda n: f"Close gap {n + 1}")
    status = ActionStatus.OPEN
    due_on = dt.date(2010, 6, 30)
