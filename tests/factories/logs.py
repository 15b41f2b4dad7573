"""The risk log and the issue log with its change requests."""

from __future__ import annotations

import datetime as dt

import factory

from tests.factories.base import Base, next_number
from tests.factories.people import ProjectPart
from tracker.issues.models import (
    ChangeEffect,
    ChangeRequest,
    ChangeStatus,
    EffectTarget,
    EntryStatus,
    EntryType,
    IssueLogEntry,
)
from tracker.risks.models import Level, Risk, RiskReview, RiskStatus


class RiskFactory(ProjectPart):
    """A live risk numbered after those already in its project's log ("01", "02", ...)."""

    class Meta:
        model = Risk

    number = factory.LazyAttribute(lambda o: next_number(Risk, o.project_id))
    description = factory.LazyAttribute(lambda o: f"Risk {o.number}")
    probability = Level.M
    impact = Level.M
    status = RiskStatus.OPEN


class RiskReviewFactory(Base):
    class Meta:
        model = RiskReview

    risk = factory.SubFactory(RiskFactory)
    reviewed_at = dt.datetime(2010, 1, 1, tzinfo=dt.UTC)
    probability = factory.SelfAttribute("risk.probability")
    impact = factory.SelfAttribute("risk.impact")
    status = RiskStatus.OPEN


class IssueLogEntryFactory(ProjectPart):
    """An open issue numbered after those already in its project's log ("01", "02", ...)."""

    class Meta:
        model = IssueLogEntry

    number = factory.LazyAttribute(lambda o: next_number(IssueLogEntry, o.project_id))
    type = EntryType.ISSUE
    description = factory.LazyAttribute(lambda o: f"Issue {o.number}")
    identified_on = dt.date(2010, 3, 1)
    last_updated_on = factory.SelfAttribute("identified_on")
    status = EntryStatus.OPEN


class ChangeRequestFactory(ProjectPart):
    """A change request raised (part 1 written), numbered after those of its project (1, 2, ...)."""

    class Meta:
        model = ChangeRequest

    number = factory.LazyAttribute(lambda o: int(next_number(ChangeRequest, o.project_id)))
    raised_on = dt.date(2010, 3, 1)
    description = factory.Sequence(lambda n: f"Change {n + 1}")
    status = ChangeStatus.RAISED


class ChangeEffectFactory(Base):
    """What a change request moves; name the target (`target`, `target_id`) and the new value."""

    class Meta:
        model = ChangeEffect

    change_request = factory.SubFactory(ChangeRequestFactory)
    target = EffectTarget.TASK
    field = "target_finish"
