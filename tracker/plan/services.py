"""Rules of the plan: stage statuses and the stage gate, stage reviews and their conditions, the
work plan (tasks, their lateness, who may update them) and milestones (variance and warnings).

Rules take models and plain values, never `request`; they flush, never commit. A rule that
refuses raises `PlanRuleError`, whose `field` names the form field the message belongs beside.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, func, not_, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement

from tracker.auth.models import Person
from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.plan.forms import PROGRESS_LABELS
from tracker.plan.models import (
    Milestone,
    Progress,
    ReviewCondition,
    ReviewDecision,
    Stage,
    StageReview,
    Task,
    task_responsible,
)
from tracker.projects.models import Meeting, MeetingKind, Membership, Project, Role, WorkStream
from tracker.transitions import claim, lock, locked

APPROVING = frozenset({ReviewDecision.APPROVED, ReviewDecision.APPROVED_WITH_CONDITIONS})


class PlanRuleError(ValueError):
    """A plan rule refused: `message` in GOV.UK words, `field` the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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


DECISION_LABELS = {
    ReviewDecision.APPROVED: "Approved",
    ReviewDecision.APPROVED_WITH_CONDITIONS: "Approved with conditions",
    ReviewDecision.NOT_APPROVED: "Not approved",
}


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


def finish_variance(milestone: Milestone) -> int | None:
    """Days between the baseline finish and the actual finish (or, until then, the scheduled one).

    Positive means later than the baseline. None when there is no baseline to compare with.
    """
    if milestone.baseline_finish is None:
        return None
    finish: dt.date = milestone.actual_finish or milestone.scheduled_finish
    return (finish - milestone.baseline_finish).days


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
        raise PlanRuleError(reason, field="progress")
    if actual_finish is not None:
        raise PlanRuleError(
            f"Stage {stage.number} tasks cannot have an actual finish until the earlier stages "
            "are approved",
            field="actual_finish",
        )


# Lateness --------------------------------------------------------------------------------------


def effective_progress(task: Task, today: dt.date) -> Progress:
    """The progress the work plan shows: a task past its target and not finished is late.

    On the target date itself the task is not late yet; the day after it is. A task that is
    complete, or has an actual finish, is never late.
    """
    if task.progress is Progress.COMPLETE or task.actual_finish is not None:
        return task.progress
    if task.target_finish is not None and today > task.target_finish:
        return Progress.LATE
    return task.progress


def _overdue(today: dt.date) -> ColumnElement[bool]:
    """SQL for the lateness `effective_progress` derives (kept in step with it by a test)."""
    return and_(
        Task.progress != Progress.COMPLETE,
        Task.actual_finish.is_(None),
        Task.target_finish.is_not(None),
        Task.target_finish < today,
    )


def progress_condition(progress: Progress, today: dt.date) -> ColumnElement[bool]:
    """SQL: the task's effective progress on `today` is `progress`."""
    if progress is Progress.LATE:
        return or_(Task.progress == Progress.LATE, _overdue(today))
    return and_(Task.progress == progress, not_(_overdue(today)))


# Dates and people of a task --------------------------------------------------------------------


def task_date_problems(
    start: dt.date | None,
    target_finish: dt.date | None,
    actual_finish: dt.date | None,
    *,
    today: dt.date,
) -> list[PlanRuleError]:
    """Every problem with a task's dates, each with the field it belongs to."""
    problems = []
    if start and target_finish and target_finish < start:
        problems.append(
            PlanRuleError(
                "Target completion must be the same as or after the start date",
                field="target_finish",
            )
        )
    if actual_finish and start and actual_finish < start:
        problems.append(
            PlanRuleError(
                "Actual finish must be the same as or after the start date", field="actual_finish"
            )
        )
    elif actual_finish and actual_finish > today:
        problems.append(
            PlanRuleError("Actual finish must be today or in the past", field="actual_finish")
        )
    return problems


_SEPARATORS = re.compile(r"[/,;+&]|\band\b", re.IGNORECASE)


def resolve_people(text: str, people: Iterable[Person]) -> list[Person]:
    """People named by initials or full names ("PK/EG", "PK, Emma George"), in the order given.

    Only `people` (those of the project) can be named. Raises PlanRuleError (field
    "responsible") for a name no one has, or initials two people share.
    """
    by_key: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        for key in {(person.initials or "").strip().upper(), person.name.strip().upper()}:
            if key and person not in by_key[key]:
                by_key[key].append(person)
    chosen: list[Person] = []
    unknown: list[str] = []
    for token in (t.strip() for t in _SEPARATORS.split(text or "")):
        if not token:
            continue
        matches = by_key.get(token.upper())
        if matches is None and " " in token:
            # "PK EG": initials separated by spaces only
            parts = token.split()
            if all(by_key.get(p.upper()) for p in parts):
                for part in parts:
                    _add_unique(chosen, by_key[part.upper()], part)
                continue
        if not matches:
            unknown.append(token)
            continue
        _add_unique(chosen, matches, token)
    if unknown:
        names = ", ".join(unknown)
        raise PlanRuleError(
            f"No one in this project has the initials or name {names}. "
            "Enter the initials of people in the project, like PK/EG",
            field="responsible",
        )
    return chosen


def _add_unique(chosen: list[Person], matches: list[Person], token: str) -> None:
    if len(matches) > 1:
        names = " and ".join(p.name for p in matches)
        raise PlanRuleError(
            f"{names} both have the initials {token.upper()}: enter the full name instead",
            field="responsible",
        )
    if matches[0] not in chosen:
        chosen.append(matches[0])


# Saving tasks ---------------------------------------------------------------------------------


@dataclass
class TaskValues:
    """What the task form gives, as plain values."""

    code: str
    stage: Stage
    activity: str
    detail: str = ""
    responsible: list[Person] = field(default_factory=list)
    responsibility_note: str = ""
    work_stream: WorkStream | None = None
    start_date: dt.date | None = None
    target_finish: dt.date | None = None
    actual_finish: dt.date | None = None
    progress: Progress = Progress.NOT_STARTED
    comments: str = ""


def task_problems(
    project: Project,
    task: Task | None,
    values: TaskValues,
    stages: Sequence[Stage],
    *,
    today: dt.date,
) -> list[PlanRuleError]:
    """Every reason the task cannot be saved with these values (empty when it can)."""
    problems = task_date_problems(
        values.start_date, values.target_finish, values.actual_finish, today=today
    )
    code = values.code.strip()
    if not code:
        problems.append(PlanRuleError("Enter the task's code", field="code"))
    else:
        taken = db.session.execute(
            select(Task.id).where(
                Task.project_id == project.id,
                func.lower(Task.code) == code.lower(),
                Task.id != (task.id if task is not None else -1),
            )
        ).first()
        if taken:
            problems.append(PlanRuleError(f"A task with the code {code} already exists", "code"))
    if values.stage.project_id != project.id:
        problems.append(PlanRuleError("Select a stage of this project", field="stage"))
    if values.work_stream is not None and values.work_stream.project_id != project.id:
        problems.append(PlanRuleError("Select a work stream of this project", "work_stream"))
    if values.actual_finish is not None and values.progress is not Progress.COMPLETE:
        problems.append(
            PlanRuleError(
                "Select Complete, or remove the actual finish date: a task with an actual "
                "finish is complete",
                field="progress",
            )
        )
    try:
        check_task_progress_allowed(
            values.stage, stages, values.progress, values.actual_finish, task=task
        )
    except PlanRuleError as refused:
        problems.append(refused)
    return problems


def save_task(
    project: Project,
    task: Task | None,
    values: TaskValues,
    stages: Sequence[Stage],
    *,
    today: dt.date,
) -> Task:
    """Create (task None) or change a task of the work plan. Nothing changes if a rule refuses."""
    problems = task_problems(project, task, values, stages, today=today)
    if problems:
        raise problems[0]
    if task is None:
        last = db.session.execute(
            select(func.max(Task.position)).where(Task.project_id == project.id)
        ).scalar()
        task = Task(project_id=project.id, position=(last or 0) + 1)
        db.session.add(task)
    task.code = values.code.strip()
    task.stage = values.stage
    task.activity = values.activity.strip()
    task.detail = values.detail.strip()
    task.responsible = list(values.responsible)
    task.responsibility_note = values.responsibility_note.strip()
    task.work_stream = values.work_stream
    task.start_date = values.start_date
    task.target_finish = values.target_finish
    task.actual_finish = values.actual_finish
    task.progress = values.progress
    task.comments = values.comments.strip()
    db.session.flush()
    return task


def update_task_progress(
    task: Task, stages: Sequence[Stage], *, progress: Progress, comments: str
) -> None:
    """A work stream lead's update: progress and comments only, within the stage gate."""
    check_task_progress_allowed(task.stage, stages, progress, task.actual_finish, task=task)
    if task.actual_finish is not None and progress is not Progress.COMPLETE:
        raise PlanRuleError(
            f"This task finished on {format_date(task.actual_finish)}, so its progress is "
            "Complete. Ask the project manager to change the actual finish.",
            field="progress",
        )
    task.progress = progress
    task.comments = comments.strip()
    db.session.flush()


def led_work_stream_ids(person_id: int, project: Project) -> frozenset[int]:
    """The work streams this person leads in the project."""
    return frozenset(
        db.session.execute(
            select(Membership.work_stream_id).where(
                Membership.project_id == project.id,
                Membership.person_id == person_id,
                Membership.role == Role.WS_LEAD,
                Membership.work_stream_id.is_not(None),
            )
        ).scalars()
    )


def can_update_progress(task: Task, roles: frozenset[Role], led_stream_ids: frozenset[int]) -> bool:
    """The manager and support officer update any task; a work stream lead only their streams'."""
    if roles & {Role.MANAGER, Role.SUPPORT}:
        return True
    return Role.WS_LEAD in roles and task.work_stream_id in led_stream_ids


def can_edit_task(roles: frozenset[Role]) -> bool:
    return bool(roles & {Role.MANAGER, Role.SUPPORT})


# Loading the plan -------------------------------------------------------------------------------


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


def project_work_streams(project: Project) -> list[WorkStream]:
    return list(
        db.session.execute(
            select(WorkStream)
            .where(WorkStream.project_id == project.id)
            .order_by(WorkStream.position, WorkStream.code)
        ).scalars()
    )


def project_people(project: Project) -> list[Person]:
    """Everyone who can be named on a task: the project's members and anyone already named."""
    members = select(Membership.person_id).where(Membership.project_id == project.id)
    named = (
        select(task_responsible.c.person_id)
        .join(Task, Task.id == task_responsible.c.task_id)
        .where(Task.project_id == project.id)
    )
    return list(
        db.session.execute(
            select(Person)
            .where(or_(Person.id.in_(members), Person.id.in_(named)))
            .order_by(Person.name)
        ).scalars()
    )


def project_meetings(project: Project) -> list[Meeting]:
    """The project group meetings, where stage reviews take place."""
    return list(
        db.session.execute(
            select(Meeting)
            .where(Meeting.project_id == project.id, Meeting.kind == MeetingKind.PROJECT_GROUP)
            .order_by(Meeting.held_on)
        ).scalars()
    )


def get_task(project: Project, task_id: int) -> Task | None:
    return db.session.execute(
        select(Task)
        .where(Task.id == task_id, Task.project_id == project.id)
        .options(selectinload(Task.responsible), joinedload(Task.work_stream))
    ).scalar_one_or_none()


@dataclass(frozen=True)
class TaskFilter:
    stage_id: int | None = None
    work_stream_id: int | None = None
    person_id: int | None = None
    status: Progress | None = None

    @property
    def active(self) -> bool:
        values = (self.stage_id, self.work_stream_id, self.person_id, self.status)
        return any(v is not None for v in values)


@dataclass
class StageTasks:
    stage: Stage
    status: StageStatus
    tasks: list[Task]


def attach_responsible(tasks: Sequence[Task], task_ids: Select[tuple[int]]) -> None:
    """Load the people responsible for `tasks`, whose ids `task_ids` selects, in one query.

    selectinload would send one query per 500 tasks, so a page's queries would grow with the plan.
    """
    responsible: dict[int, list[Person]] = {task.id: [] for task in tasks}
    rows = db.session.execute(
        select(task_responsible.c.task_id, Person)
        .join(Person, Person.id == task_responsible.c.person_id)
        .where(task_responsible.c.task_id.in_(task_ids))
        .order_by(task_responsible.c.task_id, Person.id)
    )
    for task_id, person in rows:
        if task_id in responsible:
            responsible[task_id].append(person)
    for task in tasks:
        set_committed_value(task, "responsible", responsible[task.id])


def work_plan_tasks(project: Project, filters: TaskFilter, *, today: dt.date) -> list[Task]:
    """The tasks matching the filters, with their people and work stream: two queries."""
    conditions: list[ColumnElement[bool]] = [Task.project_id == project.id]
    if filters.stage_id is not None:
        conditions.append(Task.stage_id == filters.stage_id)
    if filters.work_stream_id is not None:
        conditions.append(Task.work_stream_id == filters.work_stream_id)
    if filters.person_id is not None:
        conditions.append(Task.responsible.any(Person.id == filters.person_id))
    if filters.status is not None:
        conditions.append(progress_condition(filters.status, today))
    tasks = list(
        db.session.execute(
            select(Task)
            .join(Stage, Stage.id == Task.stage_id)
            .where(*conditions)
            .options(joinedload(Task.work_stream))
            .order_by(Stage.number, Task.position, Task.code)
        ).scalars()
    )
    attach_responsible(tasks, select(Task.id).where(*conditions))
    return tasks


def work_plan(
    stages: Sequence[Stage], tasks: Sequence[Task], filters: TaskFilter
) -> list[StageTasks]:
    """Tasks grouped by stage as in section 8.4. A filtered view leaves out empty stages."""
    statuses = stage_statuses(stages)
    by_stage: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        by_stage[task.stage_id].append(task)
    groups = []
    for stage in sorted(stages, key=lambda s: s.number):
        if filters.stage_id is not None and stage.id != filters.stage_id:
            continue
        if filters.active and not by_stage.get(stage.id):
            continue
        groups.append(StageTasks(stage, statuses[stage.number], by_stage.get(stage.id, [])))
    return groups


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
        raise PlanRuleError(f"Stage {stage.number} has already been approved")
    if status is StageStatus.AWAITING_REVIEW:
        raise PlanRuleError(
            f"A review of stage {stage.number} is already waiting for the sponsor's decision"
        )
    if status is StageStatus.NOT_STARTED:
        raise PlanRuleError(
            f"Stage {stage.number} cannot be reviewed until the stage before it is approved"
        )
    problems = []
    if not (summary or "").strip():
        problems.append(
            PlanRuleError(
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
            PlanRuleError("Select the project group meeting the review is for", field="meeting")
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
        f"- {t.code} {t.activity} ({PROGRESS_LABELS[effective_progress(t, today)].lower()})"
        for t in open_
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
        raise PlanRuleError(
            f"This review was already decided{who} on {format_date(review.decided_at)} "
            f"({DECISION_LABELS[review.decision].lower()}). A decision cannot be changed."
        )
    if review.requested_at is None:
        raise PlanRuleError("No one has asked for this review yet, so it cannot be decided")
    if stage_statuses(stages)[review.stage.number] is not StageStatus.AWAITING_REVIEW:
        raise PlanRuleError(
            f"Stage {review.stage.number} is not the stage waiting for a review decision"
        )
    conditions = [c.strip() for c in conditions if c and c.strip()]
    reasons = (reasons or "").strip()
    if decision is ReviewDecision.APPROVED_WITH_CONDITIONS and not conditions:
        raise PlanRuleError("Enter the conditions of the approval, one per line", "conditions")
    if decision is ReviewDecision.NOT_APPROVED and not reasons:
        raise PlanRuleError("Enter the reasons the stage is not approved", field="reasons")
    if not claim(review, "decided_at", now):
        raise PlanRuleError("This review was decided a moment ago. A decision cannot be changed.")
    review.decision = decision
    review.decided_by = person
    review.reasons = reasons if decision is ReviewDecision.NOT_APPROVED else ""
    if decision is ReviewDecision.APPROVED_WITH_CONDITIONS:
        for text in conditions:
            review.conditions.append(ReviewCondition(text=text))
    db.session.flush()


def close_condition(
    condition: ReviewCondition, *, person: Person, note: str, now: dt.datetime
) -> None:
    """Close a condition of an approval, saying how it was met."""
    if condition.closed_at is not None:
        raise PlanRuleError(
            f"This condition was already closed on {format_date(condition.closed_at)}"
        )
    if not (note or "").strip():
        raise PlanRuleError("Enter a note saying how the condition was met", field="note")
    if not claim(condition, "closed_at", now):
        raise PlanRuleError("This condition was closed a moment ago")
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


# Milestones ------------------------------------------------------------------------------------


def project_milestones(project: Project) -> list[Milestone]:
    return list(
        db.session.execute(
            select(Milestone)
            .where(Milestone.project_id == project.id)
            .options(joinedload(Milestone.stage))
            .order_by(Milestone.position, Milestone.scheduled_finish, Milestone.id)
        ).scalars()
    )


def latest_task_finishes(project: Project) -> dict[int, dt.date]:
    """Each stage's latest task target finish, by stage id: one query."""
    rows = db.session.execute(
        select(Task.stage_id, func.max(Task.target_finish))
        .where(Task.project_id == project.id)
        .group_by(Task.stage_id)
    )
    return {stage_id: finish for stage_id, finish in rows if finish is not None}


def _finish(milestone: Milestone) -> dt.date:
    return milestone.actual_finish or milestone.scheduled_finish


def milestone_warnings(
    project: Project,
    milestones: Sequence[Milestone],
    stages: Sequence[Stage],
    latest_task_finish: Mapping[int, dt.date],
) -> dict[int, list[str]]:
    """Obvious inconsistencies of the milestone table, by milestone id (every milestone listed).

    The data is shown as written and flagged, never corrected:
    - a stage milestone earlier than the milestone of an earlier stage;
    - a stage milestone before its stage starts;
    - a stage review scheduled before the stage's work ends (its latest task target finish, or
      its milestone), for reviews not yet decided;
    - a scheduled, baseline or actual finish outside the project's start and end.
    `stages` need their reviews loaded; `latest_task_finish` is by stage id.
    """
    warnings: dict[int, list[str]] = {m.id: [] for m in milestones}
    stage_by_id = {s.id: s for s in stages}
    staged = sorted(
        (m for m in milestones if m.stage_id in stage_by_id),
        key=lambda m: (stage_by_id[m.stage_id].number, _finish(m)),
    )
    by_stage: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in staged:
        by_stage[milestone.stage_id].append(milestone)

    for milestone in staged:
        stage = stage_by_id[milestone.stage_id]
        finish = _finish(milestone)
        which = "actual finish" if milestone.actual_finish else "scheduled finish"
        earlier = [
            m
            for m in staged
            if stage_by_id[m.stage_id].number < stage.number and _finish(m) > finish
        ]
        if earlier:
            latest = max(earlier, key=_finish)
            warnings[milestone.id].append(
                f"The {which} ({format_date(finish)}) is earlier than the stage "
                f"{stage_by_id[latest.stage_id].number} milestone ({format_date(_finish(latest))})"
            )
        if finish < stage.start_date:
            warnings[milestone.id].append(
                f"The {which} ({format_date(finish)}) is before stage {stage.number} starts "
                f"({format_date(stage.start_date)})"
            )

    for stage in stages:
        own = by_stage.get(stage.id)
        if not own:
            continue
        ends = [(_finish(m), "its milestone") for m in own]
        if stage.id in latest_task_finish:
            ends.append((latest_task_finish[stage.id], "its latest task target"))
        work_ends, what = max(ends, key=lambda e: e[0])
        for review in stage.reviews:
            if review.decision is not None or review.scheduled_on is None:
                continue
            if review.scheduled_on < work_ends:
                warnings[own[-1].id].append(
                    f"The stage {stage.number} review is scheduled for "
                    f"{format_date(review.scheduled_on)}, before the stage's work ends "
                    f"({format_date(work_ends)}, {what})"
                )

    for milestone in milestones:
        for label, day in (
            ("scheduled finish", milestone.scheduled_finish),
            ("baseline finish", milestone.baseline_finish),
            ("actual finish", milestone.actual_finish),
        ):
            if day is not None and not project.start_date <= day <= project.end_date:
                warnings[milestone.id].append(
                    f"The {label} ({format_date(day)}) is outside the project's dates "
                    f"({format_date(project.start_date)} to {format_date(project.end_date)})"
                )
    return warnings


def update_milestone(
    milestone: Milestone,
    *,
    scheduled_finish: dt.date,
    actual_finish: dt.date | None,
    notes: str,
    today: dt.date,
) -> None:
    """Change a milestone's scheduled and actual finish and notes; the baseline stays as saved."""
    if actual_finish is not None and actual_finish > today:
        raise PlanRuleError("Actual finish must be today or in the past", field="actual_finish")
    milestone.scheduled_finish = scheduled_finish
    milestone.actual_finish = actual_finish
    milestone.notes = (notes or "").strip()
    db.session.flush()
