"""Stage reviews: the manager asks for one, the sponsor decides it (with conditions, which are
closed later), and the reviews waiting for a decision.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth.models import Person
from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.happenings import announce
from tracker.plan.models import (
    Progress,
    ReviewCondition,
    ReviewDecision,
    Stage,
    StageReview,
    Task,
)
from tracker.plan.stages import StageStatus, stage_statuses
from tracker.plan.tasks import effective_progress
from tracker.projects.models import Meeting, MeetingKind, Project
from tracker.rules import RuleRefused
from tracker.transitions import claim, lock, locked

# Stage reviews ---------------------------------------------------------------------------------


def request_review(
    stage: Stage,
    stages: Sequence[Stage],
    *,
    person: Person,
    summary: str,
    meeting: Meeting | None,
    now: dt.datetime,
) -> StageReview:
    """The manager (or support officer) asks the sponsor to review the current stage.

    A review scheduled for the stage and not yet asked for is used; otherwise (after a refusal)
    a new one is added. The review takes the meeting's date. The stage is locked and its reviews
    read again first, so that two people asking at once add one review between them.
    """
    lock(stage)
    for review in stage.reviews:
        db.session.expire(review)
    db.session.expire(stage, ["reviews"])
    status = stage_statuses(stages)[stage.number]
    if status is StageStatus.APPROVED:
        raise RuleRefused(f"Stage {stage.number} has already been approved")
    if status is StageStatus.AWAITING_REVIEW:
        raise RuleRefused(
            f"A review of stage {stage.number} is already waiting for the sponsor's decision"
        )
    if status is StageStatus.NOT_STARTED:
        raise RuleRefused(
            f"Stage {stage.number} cannot be reviewed until the stage before it is approved"
        )
    problems = []
    if not (summary or "").strip():
        problems.append(
            RuleRefused(
                "Enter a summary of the stage: the products completed and what is outstanding",
                field="summary",
            )
        )
    if (
        meeting is None
        or meeting.kind is not MeetingKind.PROJECT_GROUP
        or meeting.project_id != stage.project_id
    ):
        problems.append(
            RuleRefused("Select the project group meeting the review is for", field="meeting")
        )
    if problems:
        raise problems[0]
    assert meeting is not None
    review = next((r for r in stage.reviews if r.requested_at is None and r.decision is None), None)
    if review is None:
        review = StageReview()
        stage.reviews.append(review)
    review.meeting = meeting
    review.scheduled_on = meeting.held_on
    review.summary = summary.strip()
    review.requested_by = person
    review.requested_at = now
    db.session.flush()
    announce("stage_review.requested", review, by=person)
    return review


def draft_review_summary(tasks: Sequence[Task], today: dt.date) -> str:
    """A first draft of a review's summary from the stage's tasks, for the manager to edit:
    the products completed, then what is outstanding with its progress as the work plan shows it.
    """
    done = [t for t in tasks if effective_progress(t, today) is Progress.COMPLETE]
    open_ = [t for t in tasks if t not in done]
    lines = ["Products completed:"]
    lines += [f"- {t.code} {t.activity}" for t in done] or ["- none yet"]
    lines.append("Outstanding:")
    lines += [
        f"- {t.code} {t.activity} ({effective_progress(t, today).label.lower()})" for t in open_
    ] or ["- nothing"]
    return "\n".join(lines)


def parse_conditions(text: str) -> list[str]:
    """Conditions as the sponsor types them: one per line, blank lines and bullets dropped."""
    bullet = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s*")
    lines = (bullet.sub("", line).strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


def decide_review(
    review: StageReview,
    stages: Sequence[Stage],
    *,
    person: Person,
    decision: ReviewDecision,
    conditions: Sequence[str] = (),
    reasons: str = "",
    now: dt.datetime,
) -> None:
    """The sponsor's decision. It is recorded with who and when, and never changes afterwards.

    Approval (with or without conditions) closes the stage and opens the next: the statuses are
    derived from the decisions. A refusal leaves the stage current; the manager can ask again.
    """
    if review.decision is not None:
        who = f" by {review.decided_by.name}" if review.decided_by else ""
        raise RuleRefused(
            f"This review was already decided{who} on {format_date(review.decided_at)} "
            f"({review.decision.label.lower()}). A decision cannot be changed."
        )
    if review.requested_at is None:
        raise RuleRefused("No one has asked for this review yet, so it cannot be decided")
    if stage_statuses(stages)[review.stage.number] is not StageStatus.AWAITING_REVIEW:
        raise RuleRefused(
            f"Stage {review.stage.number} is not the stage waiting for a review decision"
        )
    conditions = [c.strip() for c in conditions if c and c.strip()]
    reasons = (reasons or "").strip()
    if decision is ReviewDecision.APPROVED_WITH_CONDITIONS and not conditions:
        raise RuleRefused("Enter the conditions of the approval, one per line", "conditions")
    if decision is ReviewDecision.NOT_APPROVED and not reasons:
        raise RuleRefused("Enter the reasons the stage is not approved", field="reasons")
    if not claim(review, "decided_at", now):
        raise RuleRefused("This review was decided a moment ago. A decision cannot be changed.")
    review.decision = decision
    review.decided_by = person
    review.reasons = reasons if decision is ReviewDecision.NOT_APPROVED else ""
    if decision is ReviewDecision.APPROVED_WITH_CONDITIONS:
        for text in conditions:
            review.conditions.append(ReviewCondition(text=text))
    db.session.flush()
    announce("stage_review.decided", review, by=person)


def close_condition(
    condition: ReviewCondition, *, person: Person, note: str, now: dt.datetime
) -> None:
    """Close a condition of an approval, saying how it was met."""
    if condition.closed_at is not None:
        raise RuleRefused(
            f"This condition was already closed on {format_date(condition.closed_at)}"
        )
    if not (note or "").strip():
        raise RuleRefused("Enter a note saying how the condition was met", field="note")
    if not claim(condition, "closed_at", now):
        raise RuleRefused("This condition was closed a moment ago")
    condition.closed_by_id = person.id
    condition.closing_note = note.strip()
    db.session.flush()


def _review_options() -> list:
    return [
        joinedload(StageReview.stage),
        joinedload(StageReview.meeting),
        joinedload(StageReview.requested_by),
        joinedload(StageReview.decided_by),
        selectinload(StageReview.conditions),
    ]


def reviews_awaiting_decision(project: Project) -> list[StageReview]:
    """Reviews asked for and not yet decided, for the sponsor: two queries."""
    return list(
        db.session.execute(
            select(StageReview)
            .join(Stage, Stage.id == StageReview.stage_id)
            .where(
                Stage.project_id == project.id,
                StageReview.requested_at.is_not(None),
                StageReview.decision.is_(None),
            )
            .options(*_review_options())
            .order_by(Stage.number, StageReview.requested_at)
        )
        .unique()
        .scalars()
    )


def get_review(project: Project, review_id: int, *, for_update: bool = False) -> StageReview | None:
    """One review of the project; `for_update` locks it (PostgreSQL) while it is decided."""
    query = (
        select(StageReview)
        .join(Stage, Stage.id == StageReview.stage_id)
        .where(StageReview.id == review_id, Stage.project_id == project.id)
    )
    query = locked(query, StageReview) if for_update else query.options(*_review_options())
    return db.session.execute(query).unique().scalar_one_or_none()


def get_condition(
    project: Project, condition_id: int, *, for_update: bool = False
) -> ReviewCondition | None:
    query = (
        select(ReviewCondition)
        .join(StageReview, StageReview.id == ReviewCondition.review_id)
        .join(Stage, Stage.id == StageReview.stage_id)
        .where(ReviewCondition.id == condition_id, Stage.project_id == project.id)
    )
    if for_update:
        query = locked(query, ReviewCondition)
    return db.session.execute(query).scalar_one_or_none()


def people_by_id(ids: Iterable[int | None]) -> dict[int, Person]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        p.id: p for p in db.session.execute(select(Person).where(Person.id.in_(wanted))).scalars()
    }
