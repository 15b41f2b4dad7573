"""The kinds of record a user can withdraw: the word in the address, the model, the permission
that edits it (and so withdraws it) and the rule that may refuse."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import g, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, select

from tracker.budget.models import BudgetLine, SpendEntry
from tracker.database import WithdrawableMixin
from tracker.evidence.access import viewer_for
from tracker.evidence.models import EvidenceItem, GapAction
from tracker.evidence.services import may_add_to
from tracker.filters import date as format_date
from tracker.filters import money
from tracker.issues.models import ChangeRequest, IssueLogEntry
from tracker.plan.models import Milestone, Task
from tracker.projects.models import Meeting
from tracker.risks.models import Risk
from tracker.withdrawal import rules

Refusal = Callable[[Any], "str | None"]


def _never(record: Any) -> None:
    """Nothing depends on records of this kind."""
    return None


def _own_stream(item: EvidenceItem) -> bool:
    """Leads and members edit, and so withdraw, their own work stream's evidence only."""
    viewer = viewer_for(current_user.id, g.project, g.roles)
    return may_add_to(viewer, item.work_stream_id)


def _in_project(model: Any) -> Callable[[int], ColumnElement[bool]]:
    return lambda project_id: model.project_id == project_id


def _spend_in_project(project_id: int) -> ColumnElement[bool]:
    lines = select(BudgetLine.id).where(BudgetLine.project_id == project_id)
    return SpendEntry.line_id.in_(lines)


@dataclass(frozen=True)
class Kind:
    word: str  # in the address: /projects/<slug>/withdraw/<word>/<id>
    model: Any
    name: str  # "task", "budget line"
    plural: str
    action: str  # the permission that edits the record, and so withdraws it
    describe: Callable[[Any], str]  # the record in a few words
    page: Callable[[Any, str], str]  # the address of its page (or list) in the project `slug`
    listing: str  # the endpoint of the list it leaves when withdrawn
    refusal: Refusal = _never  # why it may not be withdrawn, or None
    restore_refusal: Refusal = _never  # why it may not come back, or None
    scope: Callable[[int], ColumnElement[bool]] | None = None  # records of a project
    # Whether the signed-in person may edit this record, beyond holding `action`.
    may_edit: Callable[[Any], bool] = lambda record: True

    def in_project(self, project_id: int) -> ColumnElement[bool]:
        return (self.scope or _in_project(self.model))(project_id)


KINDS: dict[str, Kind] = {
    kind.word: kind
    for kind in (
        Kind(
            "task",
            Task,
            "task",
            "tasks",
            "plan.edit",
            lambda t: f"{t.code} {t.activity}",
            lambda t, slug: url_for("plan.task_edit", slug=slug, task_id=t.id),
            "plan.work_plan",
            rules.task_refusal,
        ),
        Kind(
            "milestone",
            Milestone,
            "milestone",
            "milestones",
            "plan.edit",
            lambda m: f"{m.name} ({format_date(m.scheduled_finish)})",
            lambda m, slug: url_for("plan.milestone_edit", slug=slug, milestone_id=m.id),
            "plan.milestones",
            rules.milestone_refusal,
        ),
        Kind(
            "risk",
            Risk,
            "risk",
            "risks",
            "risk.edit",
            lambda r: f"Risk {r.number}: {r.description}",
            lambda r, slug: url_for("risks.risk", slug=slug, risk_id=r.id),
            "risks.log",
        ),
        Kind(
            "issue",
            IssueLogEntry,
            "issue log entry",
            "issue log entries",
            "issue.edit",
            lambda e: f"{e.type.value}{e.number}: {e.description}",
            lambda e, slug: url_for("issues.issue_edit", slug=slug, entry_id=e.id),
            "issues.log",
            rules.issue_refusal,
            rules.issue_restore_refusal,
        ),
        Kind(
            "change",
            ChangeRequest,
            "change request",
            "change requests",
            "change.assess",
            lambda c: f"Change request {c.number}: {c.description}",
            lambda c, slug: url_for("issues.change", slug=slug, change_id=c.id),
            "issues.changes",
            rules.change_refusal,
        ),
        Kind(
            "budget-line",
            BudgetLine,
            "budget line",
            "budget lines",
            "budget.edit",
            lambda b: f"{b.product} ({money(b.provision_pence)})",
            lambda b, slug: url_for("budget.line_edit", slug=slug, line_id=b.id),
            "budget.overview",
            rules.budget_line_refusal,
        ),
        Kind(
            "spend",
            SpendEntry,
            "spend entry",
            "spend entries",
            "budget.edit",
            lambda s: (
                f"{money(s.amount_pence)} spent on {format_date(s.spent_on)}"
                + (f" ({s.supplier})" if s.supplier else "")
            ),
            lambda s, slug: url_for("budget.overview", slug=slug, _anchor="spend"),
            "budget.overview",
            restore_refusal=rules.spend_restore_refusal,
            scope=_spend_in_project,
        ),
        Kind(
            "evidence",
            EvidenceItem,
            "evidence item",
            "evidence items",
            "evidence.add",
            lambda i: i.title,
            lambda i, slug: url_for("evidence.item", slug=slug, item_id=i.id),
            "evidence.library_page",
            may_edit=_own_stream,
        ),
        Kind(
            "gap-action",
            GapAction,
            "gap action",
            "gap actions",
            "gap_action.edit",
            lambda a: a.description,
            lambda a, slug: url_for("evidence.gap_action_edit", slug=slug, action_id=a.id),
            "evidence.gap_actions",
        ),
        Kind(
            "meeting",
            Meeting,
            "meeting",
            "meetings",
            "meeting.edit",
            lambda m: f"{m.kind.label}, {format_date(m.held_on, m.month_only)}",
            lambda m, slug: url_for("projects.home", slug=slug),
            "projects.home",
            rules.meeting_refusal,
        ),
    )
}


def kind_of(record: WithdrawableMixin) -> Kind:
    return next(kind for kind in KINDS.values() if isinstance(record, kind.model))
