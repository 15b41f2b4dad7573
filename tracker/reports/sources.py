"""Figures other areas work out, for the dashboard and the API: evidence readiness
(tracker/evidence/readiness.py) and the status rules of the highlight report
(tracker/reports/statuses.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement

from tracker.evidence.readiness import Readiness, project_readiness, readiness_dict
from tracker.projects.models import Project
from tracker.reports.statuses import Status, budget_status, resource_status, schedule_status


def readiness(project: Project, today: dt.date) -> Readiness | None:
    """Evidence readiness against the standard's rule (None for a project without a standard)."""
    return project_readiness(project, today)


def statuses(project: Project, today: dt.date) -> dict[str, tuple[Status, str]]:
    """Schedule, budget and resource status, each with its rule in words."""
    found = {}
    for key, rule in (
        ("schedule", schedule_status),
        ("budget", budget_status),
        ("resource", resource_status),
    ):
        result = rule(project, today)
        found[key] = (result, result.rule)
    return found


def readiness_json(
    project: Project, today: dt.date, visible: ColumnElement[bool] | None = None
) -> dict[str, Any] | None:
    figures = project_readiness(project, today, visible)
    return readiness_dict(figures) if figures is not None else None
