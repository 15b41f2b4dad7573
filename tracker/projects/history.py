"""Who may read a record's history, and which of its values: the same as the record's own page.

A history shows what the record held, so it is read under the rule of the page that shows the
record: every audited table is mapped, here and only here, to that page's action and, where the
page checks each record (personal-data evidence, evidence still in progress, draft reports),
to the same check. Values the reader does not see on that page (money for a reader without the
budget, the name of a file that held personal data for a reader outside its work stream, the
status of evidence for the assessor, who sees only what was put forward) are left out of the
history too. A record deleted since is judged by the values the trail last recorded for it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select

from tracker.audit import AuditEvent
from tracker.database import INCLUDE_WITHDRAWN
from tracker.extensions import db
from tracker.permissions import can
from tracker.projects.models import Project, Role


@dataclass(frozen=True)
class Reader:
    """The person reading a history and their roles in the project. An area's rule may keep
    what it works out about the reader (evidence: the work streams they see) in `known`, so
    that it is worked out once per page."""

    project: Project
    person_id: int
    roles: frozenset[Role]
    known: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)


# Fields that hold money, or figures with money in them (a report's snapshot of the budget).
_MONEY_SUFFIX = "_pence"
_MONEY_FIELDS = frozenset({"snapshot"})


@dataclass(frozen=True)
class HiddenFields:
    """The fields of a record whose values a reader is not shown: `field in hidden`."""

    names: frozenset[str] = frozenset()
    money: bool = False

    def __contains__(self, field: object) -> bool:
        if field in self.names:
            return True
        return (
            self.money
            and isinstance(field, str)
            and (field.endswith(_MONEY_SUFFIX) or field in _MONEY_FIELDS)
        )


# A per-record check: whether the reader may read this record's history at all.
Check = Callable[[Reader, str, int], bool]
# The fields of this record the reader does not see, by the rule of its page.
Hidden = Callable[[Reader, str, int], frozenset[str]]


@dataclass(frozen=True)
class HistoryRule:
    action: str
    check: Check | None = None
    hidden: Hidden | None = None


def _model(table: str) -> Any:
    for mapper in db.Model.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            return mapper.class_
    return None


def record_events(project: Project, table: str, record_id: int) -> list[AuditEvent]:
    return list(
        db.session.execute(
            select(AuditEvent)
            .where(
                AuditEvent.project_id == project.id,
                AuditEvent.table_name == table,
                AuditEvent.record_id == record_id,
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        ).scalars()
    )


def known_values(project: Project, table: str, record_id: int) -> dict[str, Any]:
    """The record's column values: from the record itself while it exists, else as the trail
    last recorded them (a deleted record's delete event holds its last values). Enumerations
    are string enums, so either source compares equal to the same words."""
    model = _model(table)
    record = (
        db.session.get(model, record_id, execution_options=INCLUDE_WITHDRAWN)
        if model is not None
        else None
    )
    if record is not None:
        return {attr.key: getattr(record, attr.key) for attr in inspect(model).column_attrs}
    values: dict[str, Any] = {}
    for event in record_events(project, table, record_id):
        for field, change in event.changes.items():
            if isinstance(change, list) and len(change) == 2:
                values[field] = change[0] if event.action == "delete" else change[1]
    return values


# Every audited table of a project, and the rule of the page that shows its records. The
# tables whose page checks each record are added by their area (add_history_rules) when its
# blueprint is registered: evidence (tracker/evidence/record_history.py) and highlight reports
# (tracker/reports/record_history.py).
HISTORY_RULES: dict[str, HistoryRule] = {
    "project": HistoryRule("project.view"),
    "person": HistoryRule("project.people"),
    "membership": HistoryRule("project.people"),
    "contact": HistoryRule("project.people"),
    "work_stream": HistoryRule("project.people"),
    "service": HistoryRule("rating.view"),
    "meeting": HistoryRule("report.view_drafts"),
    "stage": HistoryRule("plan.view"),
    "stage_review": HistoryRule("plan.view"),
    "review_condition": HistoryRule("plan.view"),
    "task": HistoryRule("plan.view"),
    "task_dependency": HistoryRule("plan.view"),
    "milestone": HistoryRule("plan.view"),
    "plan_baseline": HistoryRule("plan.view"),
    "risk": HistoryRule("risk.view"),
    "risk_review": HistoryRule("risk.view"),
    "issue_log_entry": HistoryRule("issue.view"),
    "change_request": HistoryRule("issue.view"),
    "change_effect": HistoryRule("issue.view"),
    "funding_source": HistoryRule("budget.view"),
    "budget_line": HistoryRule("budget.view"),
    "spend_entry": HistoryRule("budget.view"),
    "staff_resource": HistoryRule("staff.view"),
    "staff_time": HistoryRule("staff.view"),
    "standard": HistoryRule("standard.view"),
    "criterion": HistoryRule("standard.view"),
    "subcriterion": HistoryRule("standard.view"),
    "element": HistoryRule("standard.view"),
    "guidance_item": HistoryRule("standard.view"),
    "assessment_round": HistoryRule("rating.view"),
    "element_rating": HistoryRule("rating.view"),
    "gap_action": HistoryRule("rating.view"),
}


def add_history_rules(rules: dict[str, HistoryRule]) -> None:
    HISTORY_RULES.update(rules)


def may_read_history(reader: Reader, table: str, record_id: int) -> bool:
    """Whether the reader may read this record's history: as they may read the record."""
    rule = HISTORY_RULES.get(table)
    if rule is None or not can(rule.action, reader.roles):
        return False
    return rule.check is None or rule.check(reader, table, record_id)


def hidden_fields(reader: Reader, table: str, record_id: int) -> HiddenFields:
    """The fields of the record whose values this reader is not shown: those its page hides
    from them, and money, whichever table holds it, for a reader who does not see the budget."""
    rule = HISTORY_RULES[table]
    return HiddenFields(
        names=rule.hidden(reader, table, record_id) if rule.hidden else frozenset(),
        money=not can("budget.view", reader.roles),
    )


@dataclass(frozen=True)
class ShownEvent:
    """An audit event as this reader is shown it: its hidden values left out."""

    at: Any
    actor_label: str
    action: str
    table_name: str
    record_id: int | None
    record_label: str
    cause: str
    changes: dict[str, Any]


def shown(event: AuditEvent, hidden: HiddenFields) -> ShownEvent:
    return ShownEvent(
        at=event.at,
        actor_label=event.actor_label,
        action=event.action,
        table_name=event.table_name,
        record_id=event.record_id,
        record_label=event.record_label,
        cause=event.cause,
        changes={k: v for k, v in event.changes.items() if k not in hidden},
    )
