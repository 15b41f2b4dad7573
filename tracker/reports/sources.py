"""Figures other areas work out, for the dashboard and the API: evidence readiness
(tracker/evidence/readiness.py) and the status rules of the highlight report
(tracker/reports/drafting.py, looked up by name: the monthly report is not written yet, and the
dashboard says so rather than inventing a status)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import importlib
import inspect
from collections.abc import Callable
from typing import Any

from tracker.evidence.readiness import Readiness, project_readiness, readiness_dict
from tracker.extensions import db
from tracker.projects.models import Project


def _function(module: str, name: str) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def readiness(project: Project, today: dt.date) -> Readiness | None:
    """Evidence readiness against the standard's rule (None for a project without a standard)."""
    return project_readiness(project, today)


def rule_in_words(function: Callable[..., Any], result: Any) -> str:
    """The rule behind a status: the result's own `rule` if it has one, otherwise the first
    paragraph of the rule function's docstring (where its author wrote the rule down)."""
    rule = getattr(result, "rule", None)
    if rule:
        return str(rule)
    doc = inspect.getdoc(function) or ""
    return " ".join(doc.split("\n\n", 1)[0].split())


def statuses(project: Project, today: dt.date) -> dict[str, tuple[Any, str]]:
    """Schedule, budget and resource status (each with `.rag` and `.reason`) and its rule in
    words, as far as the highlight report's rules exist."""
    found: dict[str, tuple[Any, str]] = {}
    for key in ("schedule", "budget", "resource"):
        function = _function("tracker.reports.drafting", f"{key}_status")
        if function is not None:
            result = function(project, today)
            found[key] = (result, rule_in_words(function, result))
    return found


def as_json(value: Any) -> Any:
    """A result of these rules as plain JSON: dataclasses as objects, records as their label."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, db.Model):
        for attr in ("code", "number", "name", "title"):
            if getattr(value, attr, None) is not None:
                return getattr(value, attr)
        return None
    if isinstance(value, dict):
        return {str(as_json(k)): as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [as_json(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def readiness_json(project: Project, today: dt.date) -> dict[str, Any] | None:
    figures = readiness(project, today)
    return readiness_dict(figures) if figures is not None else None
