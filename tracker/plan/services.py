"""Rules of the plan: a stage's status and the stage gate, the milestone variance."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence

from tracker.plan.models import Milestone, ReviewDecision, Stage

APPROVING = frozenset({ReviewDecision.APPROVED, ReviewDecision.APPROVED_WITH_CONDITIONS})


class StageStatus(enum.StrEnum):
    APPROVED = "approved"
    AWAITING_REVIEW = "awaiting_review"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"

    @property
    def label(self) -> str:
        return {
            "approved": "Approved",
            "awaiting_review": "Awaiting stage review",
            "in_progress": "In progress",
            "not_started": "Not started",
        }[self.value]

    @property
    def colour(self) -> str:
        return {
            "approved": "green",
            "awaiting_review": "amber",
            "in_progress": "blue",
            "not_started": "grey",
        }[self.value]


def stage_is_approved(stage: Stage) -> bool:
    return any(review.decision in APPROVING for review in stage.reviews)


def stage_statuses(stages: Sequence[Stage]) -> dict[int, StageStatus]:
    """Each stage's status, by stage number.

    A stage is approved once its sponsor review approves it. The first stage not yet approved is
    the current one: awaiting review if a review has been asked for and not decided, otherwise in
    progress. Every stage after it has not started, because stage N+1 cannot start before stage N
    is approved.
    """
    statuses: dict[int, StageStatus] = {}
    current_found = False
    for stage in sorted(stages, key=lambda s: s.number):
        if not current_found and stage_is_approved(stage):
            statuses[stage.number] = StageStatus.APPROVED
        elif not current_found:
            current_found = True
            waiting = any(r.requested_at is not None and r.decision is None for r in stage.reviews)
            statuses[stage.number] = (
                StageStatus.AWAITING_REVIEW if waiting else StageStatus.IN_PROGRESS
            )
        else:
            statuses[stage.number] = StageStatus.NOT_STARTED
    return statuses


def finish_variance(milestone: Milestone) -> int | None:
    """Days between the baseline finish and the actual finish (or, until then, the scheduled one).

    Positive means later than the baseline. None when there is no baseline to compare with.
    """
    if milestone.baseline_finish is None:
        return None
    finish: dt.date = milestone.actual_finish or milestone.scheduled_finish
    return (finish - milestone.baseline_finish).days
