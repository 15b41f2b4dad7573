"""What the API returns: plain JSON for the models, with the figures the pages derive (finish
variance, a task's effective progress, a risk's score, a budget line's actual and remaining)
worked out by the areas' own services, never stored or recomputed here."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from tracker.auth.models import Person
from tracker.budget.figures import BudgetSummary, LineFigures
from tracker.issues.classification import ChangeView
from tracker.issues.models import IssueLogEntry
from tracker.plan.milestones import finish_variance
from tracker.plan.models import Milestone, Stage, Task
from tracker.plan.stages import StageStatus
from tracker.plan.tasks import effective_progress
from tracker.projects.models import Project
from tracker.risks.models import Risk
from tracker.risks.services import is_live, is_review_overdue, risk_score, score_band


def plain(value: Any) -> Any:
    """A value as JSON: ISO dates and times (UTC), enum values, decimals as numbers."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _name(person: Person | None) -> str | None:
    return person.name if person is not None else None


def project(
    project: Project,
    stages: Iterable[Stage],
    statuses: Mapping[int, StageStatus],
    on: dt.date,
) -> dict:
    stage_list = list(stages)
    current = next((s for s in stage_list if statuses[s.number] is not StageStatus.APPROVED), None)
    return {
        "slug": project.slug,
        "name": project.name,
        "council": project.council,
        "objective": project.objective,
        "scope": project.scope,
        "start_date": plain(project.start_date),
        "end_date": plain(project.end_date),
        "status_date": plain(on),
        "status_date_set": project.status_date is not None,
        "current_stage": current.number if current is not None else None,
        "stages": [stage(s, statuses[s.number]) for s in stage_list],
    }


def stage(stage: Stage, status: StageStatus) -> dict:
    return {
        "number": stage.number,
        "name": stage.name,
        "start_date": plain(stage.start_date),
        "end_date": plain(stage.end_date),
        "status": status.value,
        "status_label": status.label,
        "reviews": [
            {
                "scheduled_on": plain(review.scheduled_on),
                "requested_at": plain(review.requested_at),
                "decision": plain(review.decision),
                "decided_at": plain(review.decided_at),
                "conditions": [
                    {"text": c.text, "closed_at": plain(c.closed_at)} for c in review.conditions
                ],
            }
            for review in stage.reviews
        ],
    }


def milestone(milestone: Milestone, warnings: list[str]) -> dict:
    return {
        "id": milestone.id,
        "name": milestone.name,
        "stage": milestone.stage.number if milestone.stage is not None else None,
        "baseline_finish": plain(milestone.baseline_finish),
        "scheduled_finish": plain(milestone.scheduled_finish),
        "actual_finish": plain(milestone.actual_finish),
        "finish_variance_days": finish_variance(milestone),
        "warnings": warnings,
    }


def task(task: Task, stage_numbers: Mapping[int, int], today: dt.date) -> dict:
    return {
        "id": task.id,
        "code": task.code,
        "activity": task.activity,
        "stage": stage_numbers.get(task.stage_id),
        "work_stream": task.work_stream.code if task.work_stream is not None else None,
        "responsible": [p.initials or p.name for p in task.responsible],
        "start_date": plain(task.start_date),
        "target_finish": plain(task.target_finish),
        "actual_finish": plain(task.actual_finish),
        "progress": plain(task.progress),
        "effective_progress": plain(effective_progress(task, today)),
        "comments": task.comments,
    }


def risk(risk: Risk, today: dt.date) -> dict:
    score = risk_score(risk.probability, risk.impact)
    return {
        "id": risk.id,
        "number": risk.number,
        "description": risk.description,
        "probability": plain(risk.probability),
        "impact": plain(risk.impact),
        "score": score,
        "band": score_band(score).label.lower(),
        "status": plain(risk.status),
        "live": is_live(risk.status),
        "owner": _name(risk.owner),
        "countermeasures": risk.countermeasures,
        "action_date": plain(risk.action_date),
        "review_by": plain(risk.review_by),
        "review_overdue": is_review_overdue(risk, today),
    }


def issue(entry: IssueLogEntry) -> dict:
    change = entry.change_request
    return {
        "id": entry.id,
        "number": entry.number,
        "type": plain(entry.type),
        "description": entry.description,
        "identified_on": plain(entry.identified_on),
        "author": _name(entry.author),
        "resolution": entry.resolution,
        "last_updated_on": plain(entry.last_updated_on),
        "status": plain(entry.status),
        "change_request": change.number if change is not None else None,
    }


def change(view: ChangeView) -> dict:
    change = view.change
    return {
        "id": change.id,
        "number": change.number,
        "issue_log_number": change.issue_entry.number if change.issue_entry else None,
        "raised_on": plain(change.raised_on),
        "requested_by": _name(change.requested_by),
        "description": change.description,
        "impact_days": change.impact_days,
        "impact_cost_pence": change.impact_cost_pence,
        "classification": view.classification.label.lower(),
        "classification_reasons": list(view.classification.reasons),
        "decider": plain(view.decider),
        "status": plain(change.status),
        "decided_by": _name(change.decided_by),
        "decided_at": plain(change.decided_at),
        "effects": [
            {"what": e.label, "old": plain(e.old), "new": plain(e.new), "money": e.is_money}
            for e in view.effects
        ],
    }


def _figures(item: Any) -> dict:
    return {
        "provision_pence": item.provision_pence,
        "actual_pence": item.actual_pence,
        "remaining_pence": item.remaining_pence,
    }


def budget_line(figures: LineFigures) -> dict:
    line = figures.line
    return {
        "id": line.id,
        "product": line.product,
        "quantity": line.quantity,
        "unit_cost_pence": line.unit_cost_pence,
        **_figures(figures),
        "status": figures.status[0],
    }


def budget(summary: BudgetSummary) -> dict:
    return {
        "currency": "GBP",
        "sources": [
            {
                "code": s.source.code,
                "name": s.source.name,
                "in_project_budget": s.source.in_project_budget,
                "allocation_pence": s.allocation_pence,
                **_figures(s),
                "lines": [budget_line(f) for f in s.lines],
            }
            for s in summary.sources
        ],
        "project_budget": {
            "allocation_pence": summary.project_budget.allocation_pence,
            **_figures(summary.project_budget),
        },
        "total": {"allocation_pence": summary.allocation_pence, **_figures(summary)},
        "problems": summary.problems,
    }
