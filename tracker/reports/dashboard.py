"""The dashboard: the project's status on one page, for everyone from the manager to the EMT.

`gather_dashboard` loads everything the page shows with the areas' own services, each in a
fixed number of queries, so the page runs the same number of queries for 20 tasks or 2,000.
A section the reader's roles may not see (the budget, for an assessor) is not loaded at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.budget.figures import BudgetSummary, load_sources
from tracker.budget.figures import summarise_budget as summarise_sources
from tracker.budget.months import MonthSpend, monthly_spend
from tracker.evidence.access import Viewer, viewer_for
from tracker.issues.log import issue_log
from tracker.issues.models import EntryStatus, IssueLogEntry
from tracker.permissions import can
from tracker.plan.milestones import (
    finish_variance,
    latest_task_finishes,
    milestone_warnings,
    project_milestones,
)
from tracker.plan.models import Milestone, Stage, StageReview
from tracker.plan.stages import StageStatus, plan_stages, stage_statuses
from tracker.projects.models import Project, Role
from tracker.queue.rules import Waiting
from tracker.queue.services import waiting_in
from tracker.reports import sources
from tracker.risks.models import Risk
from tracker.risks.services import HeatMap, heat_map, is_live, project_risks

NEXT_MILESTONES = 5
TOP_RISKS = 5

RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green"}
RAG_HEADINGS = {"schedule": "Schedule", "budget": "Budget", "resource": "Resources"}


@dataclass(frozen=True)
class MilestoneRow:
    milestone: Milestone
    variance: int | None  # days later than the baseline; None without one
    overdue: bool  # the scheduled finish has passed and there is no actual finish
    # The milestone table's "dates to check" (tracker.plan.milestones.milestone_warnings).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RagStatus:
    """One status heading of the highlight report: its colour, why, and the rule in words."""

    key: str
    rag: str | None
    reason: str
    rule: str

    @property
    def heading(self) -> str:
        return RAG_HEADINGS.get(self.key, self.key.title())

    @property
    def words(self) -> str:
        return RAG_WORDS.get(self.rag or "", "Not set")


@dataclass
class Dashboard:
    project: Project
    today: dt.date
    stages: list[Stage]
    statuses: dict[int, StageStatus]
    milestones: list[MilestoneRow] = field(default_factory=list)
    rag: list[RagStatus] = field(default_factory=list)
    risks: list[Risk] | None = None
    heat: HeatMap | None = None
    open_issues: list[IssueLogEntry] | None = None
    # What waits for anyone (tracker/queue), oldest first; None for roles that may not see it.
    waiting: list[Waiting] | None = None
    budget: BudgetSummary | None = None
    months: list[MonthSpend] = field(default_factory=list)
    readiness: Any | None = None

    @property
    def current_stage(self) -> Stage | None:
        for stage in self.stages:
            if self.statuses[stage.number] is not StageStatus.APPROVED:
                return stage
        return None

    @property
    def current_review(self) -> StageReview | None:
        """The current stage's latest review, if one has been asked for."""
        stage = self.current_stage
        if stage is None or not stage.reviews:
            return None
        return max(stage.reviews, key=lambda r: (r.requested_at is not None, r.requested_at, r.id))

    @property
    def top_risks(self) -> list[Risk]:
        return [r for r in self.risks or [] if is_live(r.status)][:TOP_RISKS]


def next_milestones(
    milestones: Sequence[Milestone],
    today: dt.date,
    warnings: Mapping[int, Sequence[str]] | None = None,
    count: int = NEXT_MILESTONES,
) -> list[MilestoneRow]:
    """The milestones not yet reached, soonest first (overdue ones first of all), each with
    its dates to check from `warnings` (by milestone id)."""
    open_ones = sorted(
        (m for m in milestones if m.actual_finish is None),
        key=lambda m: (m.scheduled_finish, m.position, m.id),
    )
    warnings = warnings or {}
    return [
        MilestoneRow(
            m, finish_variance(m), m.scheduled_finish < today, tuple(warnings.get(m.id, ()))
        )
        for m in open_ones[:count]
    ]


def open_entries(entries: Sequence[IssueLogEntry]) -> list[IssueLogEntry]:
    return [e for e in entries if e.status is EntryStatus.OPEN]


def rag_statuses(project: Project, today: dt.date) -> list[RagStatus]:
    """Schedule, budget and resource status by the highlight report's rules."""
    found = []
    for key, (result, rule) in sources.statuses(project, today).items():
        rag = getattr(result, "rag", None)
        found.append(
            RagStatus(
                key=key,
                rag=getattr(rag, "value", rag),
                reason=str(getattr(result, "reason", "")),
                rule=rule,
            )
        )
    return found


def gather_dashboard(
    project: Project, roles: frozenset[Role], today: dt.date, reader_id: int | None = None
) -> Dashboard:
    """Everything the dashboard shows that these roles may see, in a fixed number of queries.
    The waiting list's evidence is what the reader (`reader_id`, with these roles) may see."""
    stages = plan_stages(project)
    board = Dashboard(project=project, today=today, stages=stages, statuses=stage_statuses(stages))
    if can("plan.view", roles):
        milestones = project_milestones(project)
        warnings = milestone_warnings(project, milestones, stages, latest_task_finishes(project))
        board.milestones = next_milestones(milestones, today, warnings)
    board.rag = [
        status
        for status in rag_statuses(project, today)
        if status.key != "budget" or can("budget.view", roles)
        if status.key != "resource" or can("staff.view", roles)
    ]
    if can("risk.view", roles):
        board.risks = project_risks(project)
        board.heat = heat_map(board.risks)
    if can("issue.view", roles):
        board.open_issues = open_entries(issue_log(project))
    if can("plan.view", roles) and can("issue.view", roles):
        viewer = (
            viewer_for(reader_id, project, roles)
            if reader_id is not None
            else Viewer(person_id=0, roles=roles, stream_ids=frozenset())
        )
        board.waiting = waiting_in(project, viewer, today)
    if can("budget.view", roles):
        loaded = load_sources(project)
        board.budget = summarise_sources(loaded)
        # Against the project budget's plan, as the headline above it.
        in_budget = [source for source in loaded if source.in_project_budget]
        board.months = monthly_spend(project, in_budget, today)
    if can("readiness.view", roles):
        board.readiness = sources.readiness(project, today)
    return board
