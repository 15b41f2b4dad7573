"""Stage statuses and the stage gate: a stage is approved by its sponsor review, and the tasks of
a stage cannot start before every earlier stage is approved.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.plan.models import (
    Progress,
    ReviewDecision,
    Stage,
    StageReview,
    Task,
)
from tracker.projects.models import Project
from tracker.rules import RuleRefused

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


def current_stage(stages: Sequence[Stage]) -> Stage | None:
    """The first stage not yet approved; None once every stage is approved."""
    statuses = stage_statuses(stages)
    for stage in sorted(stages, key=lambda s: s.number):
        if statuses[stage.number] is not StageStatus.APPROVED:
            return stage
    return None


# The stage gate ------------------------------------------------------------------------------


def _unapproved_earlier_stage(stage: Stage, stages: Sequence[Stage]) -> Stage | None:
    """The last earlier stage that is not approved yet, or None when all earlier ones are."""
    earlier = [s for s in stages if s.number < stage.number and not stage_is_approved(s)]
    return max(earlier, key=lambda s: s.number) if earlier else None


def can_start_tasks_of(stage: Stage, stages: Sequence[Stage]) -> bool:
    """Work of stage N+1 does not start before stage N is approved (every earlier stage, in fact).

    The first stage can always start.
    """
    return _unapproved_earlier_stage(stage, stages) is None


def gate_reason(stage: Stage, stages: Sequence[Stage]) -> str | None:
    """Why tasks of `stage` cannot be started yet, in words; None when they can."""
    blocking = _unapproved_earlier_stage(stage, stages)
    if blocking is None:
        return None
    return (
        f"Stage {stage.number} tasks cannot be started or completed until the sponsor approves "
        f"the stage {blocking.number} review. Until then their progress stays Not started."
    )


def check_task_progress_allowed(
    stage: Stage,
    stages: Sequence[Stage],
    progress: Progress,
    actual_finish: dt.date | None = None,
    *,
    task: Task | None = None,
) -> None:
    """Refuse to mark a task of a stage that may not start yet as started or complete.

    `task` is the task as it is before the change (None for a new one). A task already recorded
    as started (imported, say) may keep that progress while other details are edited; the rule
    refuses moving it, or a task newly marked started, into a stage that may not start.
    """
    reason = gate_reason(stage, stages)
    if reason is None:
        return
    unchanged = (
        task is not None
        and task.stage_id == stage.id
        and task.progress == progress
        and task.actual_finish == actual_finish
    )
    if unchanged:
        return
    if progress is not Progress.NOT_STARTED:
        raise RuleRefused(reason, field="progress")
    if actual_finish is not None:
        raise RuleRefused(
            f"Stage {stage.number} tasks cannot have an actual finish until the earlier stages "
            "are approved",
            field="actual_finish",
        )


def worsens_stage_overrun(
    new_finish: dt.date,
    new_stage_end: dt.date,
    old_finish: dt.date | None,
    old_stage_end: dt.date,
) -> bool:
    """The one rule of a task finishing after its stage ends, for a change request's new dates
    and for an edit of the task alike: a task may not finish after its stage ends, since the
    stage review would come before the stage's work is done.

    An overrun already in the plan (the old finish after the old stage end) counts only if the
    new dates make it worse, so an old slip does not block an unrelated change. `old_finish` is
    None for a new task, or one moved from another stage.
    """
    already = (old_finish - old_stage_end).days if old_finish else 0
    return new_finish > new_stage_end and (new_finish - new_stage_end).days > already


def plan_stages(project: Project) -> list[Stage]:
    """The project's stages with their reviews and the reviews' conditions: three queries."""
    return list(
        db.session.execute(
            select(Stage)
            .where(Stage.project_id == project.id)
            .options(selectinload(Stage.reviews).selectinload(StageReview.conditions))
            .order_by(Stage.number)
        ).scalars()
    )
