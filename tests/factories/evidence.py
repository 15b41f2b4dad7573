"""Evidence items, assessment rounds with their ratings, and gap actions.

Elements come from the standard a project is linked to (the `seeded` fixture loads it), so the
rating and gap action factories take an `element` rather than making one."""

from __future__ import annotations

import factory

from tests.factories.base import Base
from tests.factories.people import ProjectPart
from tracker.evidence.models import (
    ActionStatus,
    AssessmentRound,
    Criterion,
    Element,
    ElementRating,
    EvidenceFile,
    EvidenceItem,
    EvidenceStatus,
    GapAction,
    RatingScale,
    RatingScope,
    Standard,
    SubCriterion,
)
from tracker.extensions import db


class EvidenceItemFactory(ProjectPart):
    """A draft item in the project's first work stream (name `work_stream` for another)."""

    class Meta:
        model = EvidenceItem

    work_stream = factory.LazyAttribute(lambda o: o.project.work_streams[0])
    title = factory.Sequence(lambda n: f"Evidence {n + 1}")
    status = EvidenceStatus.DRAFT


class EvidenceFileFactory(Base):
    """Version 1 of a stored PDF of `item` (the bytes themselves are not written anywhere)."""

    class Meta:
        model = EvidenceFile

    item = factory.SubFactory(EvidenceItemFactory)
    version = 1
    original_name = factory.Sequence(lambda n: f"evidence-{n + 1}.pdf")
    storage_key = factory.Sequence(lambda n: f"{n:032x}")
    size_bytes = 1
    content_type = "application/pdf"
    sha256 = "0" * 64


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


def make_element() -> Element:
    """The one element of a one-element standard, for a gap action to be about."""
    standard = Standard(name="CSE", version="test")
    criterion = Criterion(standard=standard, number=1, title="Customer insight")
    sub = SubCriterion(criterion=criterion, code="1.1", title="Customers", position=1)
    element = Element(subcriterion=sub, code="1.1.1", text="We know our customers", position=1)
    db.session.add(element)
    db.session.flush()
    return element
