"""Who is waited for, and for what: one rule per kind of work, over records already loaded.

Each rule takes the records that might wait (`Sources`) and whom the queue is for (`Whom`: one
person, or everyone for the dashboard) and returns the entries that wait for them. Which roles
do a piece of work comes from the permission table (`can`), never from a list kept here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import url_for

from tracker.evidence.access import Viewer
from tracker.evidence.models import ActionStatus, EvidenceItem, EvidenceStatus, GapAction
from tracker.filters import LONDON
from tracker.issues.classification import ChangeView
from tracker.issues.models import ChangeStatus
from tracker.permissions import can, roles_allowed
from tracker.plan.home import DUE_SOON_DAYS, is_due_soon_or_late
from tracker.plan.models import StageReview, Task
from tracker.plan.tasks import can_update_progress
from tracker.projects.models import Role
from tracker.risks.models import Risk
from tracker.risks.services import is_live


@dataclass(frozen=True)
class Waiting:
    """One piece of work waiting for someone: what it is, since when, for whom, and where it
    is done (`endpoint` and `values`, the project's slug among them)."""

    kind: str
    title: str
    since: dt.date | None
    waits_for: str
    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)
    anchor: str | None = None
    # What `since` is, in words: when the work began waiting, or the day it is due by.
    since_means: str = "since"

    @property
    def link(self) -> str:
        return url_for(self.endpoint, **self.values, _anchor=self.anchor)


@dataclass(frozen=True)
class Whom:
    """Whom a queue is for: one person (`person_id`), or everyone (`person_id` None, the
    dashboard): every role's work, every stream's, every owner's. `roles` and `viewer` are the
    reader's: the evidence listed is what they may see, and each link is to a page they may open
    (where the work is done if they may do it, where it is shown otherwise)."""

    slug: str
    roles: frozenset[Role]
    viewer: Viewer
    person_id: int | None = None
    led_stream_ids: frozenset[int] = frozenset()

    @property
    def everyone(self) -> bool:
        return self.person_id is None

    def holds(self, action: str) -> bool:
        """Whether work needing `action` waits for whom the queue is for."""
        return self.everyone or can(action, self.roles)

    def owns(self, person_ids: Sequence[int | None]) -> bool:
        return any(p is not None for p in person_ids) and (
            self.everyone or self.person_id in person_ids
        )


@dataclass(frozen=True)
class Sources:
    """What the rules read, loaded once for a project (services.load_sources)."""

    today: dt.date
    reviews: Sequence[StageReview] = ()
    changes: Sequence[ChangeView] = ()
    # Submitted or returned evidence, each with the day it reached that status.
    evidence: Sequence[tuple[EvidenceItem, dt.date | None]] = ()
    risks: Sequence[Risk] = ()
    tasks: Sequence[Task] = ()
    gap_actions: Sequence[GapAction] = ()


def holders(action: str) -> str:
    """The roles the permission table gives `action`, in words: "Project sponsor"."""
    return ", ".join(r.label for r in Role if r in roles_allowed(action))


def is_due_within(due: dt.date | None, today: dt.date) -> bool:
    """Due in the next DUE_SOON_DAYS days (the last of them included) or late, at `today`."""
    return due is not None and due <= today + dt.timedelta(days=DUE_SOON_DAYS)


def is_risk_review_due(risk: Risk, today: dt.date) -> bool:
    """A live risk whose review-by date has come (the day itself included) at `today`."""
    return risk.review_by is not None and risk.review_by <= today and is_live(risk.status)


def stage_reviews_to_decide(sources: Sources, whom: Whom) -> list[Waiting]:
    if not whom.holds("stage_review.decide"):
        return []
    return [
        Waiting(
            kind="Stage review to decide",
            title=f"Decide the stage {r.stage.number} review ({r.stage.name})",
            since=london_date_of(r.requested_at),
            waits_for=holders("stage_review.decide"),
            endpoint=(
                "plan.review_decide"
                if can("stage_review.decide", whom.roles)
                else "plan.stage_review"
            ),
            values={"slug": whom.slug, "review_id": r.id},
        )
        for r in sources.reviews
        if r.requested_at is not None and r.decision is None
    ]


def changes_to_assess(sources: Sources, whom: Whom) -> list[Waiting]:
    """Raised change requests: the impact analysis is written by those who assess changes."""
    if not whom.holds("change.assess"):
        return []
    return [
        Waiting(
            kind="Change request to assess",
            title=f"Assess change request {v.change.number}",
            since=v.change.raised_on,
            waits_for=holders("change.assess"),
            endpoint="issues.change",
            values={"slug": whom.slug, "change_id": v.change.id},
        )
        for v in sources.changes
        if v.change.status is ChangeStatus.RAISED
    ]


def changes_to_decide(sources: Sources, whom: Whom) -> list[Waiting]:
    """Assessed change requests, for their decider (the sponsor a major change, the manager a
    minor one: tracker/issues/classification.py) if that role may decide changes."""
    found = []
    for view in sources.changes:
        decider = view.decider
        if view.change.status is not ChangeStatus.ASSESSED:
            continue
        if not (whom.everyone or (decider in whom.roles and can("change.decide", whom.roles))):
            continue
        size = view.classification.label.lower()
        found.append(
            Waiting(
                kind=f"{size.capitalize()} change to decide",
                title=f"Decide change request {view.change.number}",
                since=london_date_of(view.change.assessed_at) or view.change.raised_on,
                waits_for=decider.label,
                endpoint="issues.change",
                values={"slug": whom.slug, "change_id": view.change.id},
                anchor="decide",
            )
        )
    return found


def evidence_to_review(sources: Sources, whom: Whom) -> list[Waiting]:
    """Submitted evidence, for those who review evidence and may see the item."""
    if not whom.holds("evidence.review"):
        return []
    return [
        Waiting(
            kind="Evidence to review",
            title=f"Review “{item.title}”",
            since=since,
            waits_for=holders("evidence.review"),
            endpoint="evidence.item",
            values={"slug": whom.slug, "item_id": item.id},
        )
        for item, since in sources.evidence
        if item.status is EvidenceStatus.SUBMITTED and whom.viewer.may_see(item)
    ]


def evidence_returned(sources: Sources, whom: Whom) -> list[Waiting]:
    """Returned evidence, for the lead of the stream it belongs to."""
    return [
        Waiting(
            kind="Evidence returned",
            title=f"Rework “{item.title}”",
            since=since,
            waits_for=f"{Role.WS_LEAD.label}, {item.work_stream.name}",
            endpoint="evidence.item",
            values={"slug": whom.slug, "item_id": item.id},
        )
        for item, since in sources.evidence
        if item.status is EvidenceStatus.RETURNED
        and (whom.everyone or item.work_stream_id in whom.led_stream_ids)
        and whom.viewer.may_see(item)
    ]


def risk_reviews_due(sources: Sources, whom: Whom) -> list[Waiting]:
    """Risks whose review has come due, for those who keep the risk log."""
    if not whom.holds("risk.edit"):
        return []
    return [
        Waiting(
            kind="Risk review due",
            title=f"Review risk {risk.number}: {risk.description}",
            since=risk.review_by,
            since_means="review by",
            waits_for=holders("risk.edit"),
            endpoint="risks.risk_review" if can("risk.edit", whom.roles) else "risks.risk",
            values={"slug": whom.slug, "risk_id": risk.id},
        )
        for risk in sources.risks
        if is_risk_review_due(risk, sources.today)
    ]


def tasks_due(sources: Sources, whom: Whom) -> list[Waiting]:
    """Unfinished tasks due soon or late, for the people responsible for them. The link is the
    task's progress page where they may update it, the work plan otherwise."""
    found = []
    for task in sources.tasks:
        owners = [p.id for p in task.responsible]
        if not (whom.owns(owners) and is_due_soon_or_late(task, sources.today)):
            continue
        if can_update_progress(task, whom.roles, whom.led_stream_ids):
            endpoint, values = "plan.task_progress", {"task_id": task.id}
        else:
            endpoint, values = "plan.work_plan", {"person": whom.person_id}
        found.append(
            Waiting(
                kind="Task due" if task.target_finish >= sources.today else "Task late",
                title=f"{task.code} {task.activity}",
                since=task.target_finish,
                since_means="due",
                waits_for=", ".join(p.name for p in task.responsible),
                endpoint=endpoint,
                values={"slug": whom.slug, **values},
            )
        )
    return found


def gap_actions_due(sources: Sources, whom: Whom) -> list[Waiting]:
    """Unfinished gap actions due soon or late, for their owners: on the action's edit page
    where they may edit it, on its element's page otherwise."""
    found = []
    for action in sources.gap_actions:
        if action.status is ActionStatus.DONE or not is_due_within(action.due_on, sources.today):
            continue
        if not whom.owns([action.owner_id]):
            continue
        if can("gap_action.edit", whom.roles):
            endpoint, values = "evidence.gap_action_edit", {"action_id": action.id}
        else:
            endpoint, values = "evidence.element", {"code": action.element.code}
        found.append(
            Waiting(
                kind="Gap action due" if action.due_on >= sources.today else "Gap action late",
                title=f"Element {action.element.code}: {action.description}",
                since=action.due_on,
                since_means="due",
                waits_for=action.owner.name if action.owner else "",
                endpoint=endpoint,
                values={"slug": whom.slug, **values},
            )
        )
    return found


RULES: tuple[Callable[[Sources, Whom], list[Waiting]], ...] = (
    stage_reviews_to_decide,
    changes_to_assess,
    changes_to_decide,
    evidence_to_review,
    evidence_returned,
    risk_reviews_due,
    tasks_due,
    gap_actions_due,
)


def queue(sources: Sources, whom: Whom) -> list[Waiting]:
    """Everything waiting for `whom`, oldest first (undated last), by kind within a day."""
    found = [entry for rule in RULES for entry in rule(sources, whom)]
    return sorted(found, key=lambda w: (w.since is None, w.since or dt.date.min, w.kind, w.title))


def london_date_of(moment: dt.datetime | None) -> dt.date | None:
    """The London date of a moment recorded in UTC."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(LONDON).date()
