"""The OpenAPI 3.1 document of the API, built from the routes themselves.

Each API view carries `@document(summary, schema)`; the paths, their parameters and the action
(and so the roles) each needs come from the app's URL map and the permission table, so the
document cannot list a route that does not exist or miss one that does (a test checks).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask

from tracker.evidence.readiness import Compliance
from tracker.permissions import PERMISSIONS, PUBLIC, SIGNED_IN

F = TypeVar("F", bound=Callable[..., Any])

API_VERSION = "1.0.0"
# Relative (RFC 3986 reference): clients resolve it against the address they fetched this from.
API_BASE = "/api/v1"


def document(summary: str, schema: str) -> Callable[[F], F]:
    """Describe an API view for the OpenAPI document: what it returns, and its schema's name."""

    def decorator(view: F) -> F:
        view.api_summary = summary  # type: ignore[attr-defined]
        view.api_schema = schema  # type: ignore[attr-defined]
        return view

    return decorator


# Schemas -------------------------------------------------------------------------------------


def _s(kind: str, nullable: bool = False, **extra: Any) -> dict:
    return {"type": [kind, "null"] if nullable else kind} | extra


STRING, INTEGER, BOOLEAN = _s("string"), _s("integer"), _s("boolean")
DATE = _s("string", format="date")
DATE_OR_NULL = _s("string", nullable=True, format="date")
TIME_OR_NULL = _s("string", nullable=True, format="date-time")
TEXT_OR_NULL = _s("string", nullable=True)
INT_OR_NULL = _s("integer", nullable=True)


def _object(**properties: Any) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties)}


def _list_of(ref: str) -> dict:
    return _object(project=STRING, count=INTEGER, items={"type": "array", "items": {"$ref": ref}})


def _ref(name: str) -> str:
    return f"#/components/schemas/{name}"


FIGURES = {"provision_pence": INTEGER, "actual_pence": INTEGER, "remaining_pence": INTEGER}

SCHEMAS: dict[str, dict] = {
    "Error": _object(error=_object(status=INTEGER, message=STRING)),
    "ProjectList": _object(items={"type": "array", "items": _object(slug=STRING, name=STRING)}),
    "Review": _object(
        scheduled_on=DATE_OR_NULL,
        requested_at=TIME_OR_NULL,
        decision={
            "enum": ["approved", "approved_with_conditions", "not_approved", None],
        },
        decided_at=TIME_OR_NULL,
        conditions={
            "type": "array",
            "items": _object(text=STRING, closed_at=TIME_OR_NULL),
        },
    ),
    "Stage": _object(
        number=INTEGER,
        name=STRING,
        start_date=DATE,
        end_date=DATE,
        status={"enum": ["approved", "awaiting_review", "in_progress", "not_started"]},
        status_label=STRING,
        reviews={"type": "array", "items": {"$ref": _ref("Review")}},
    ),
    "Project": _object(
        slug=STRING,
        name=STRING,
        council=STRING,
        objective=STRING,
        scope=STRING,
        start_date=DATE,
        end_date=DATE,
        status_date=DATE
        | {"description": "The date every figure is judged at: the status date, or today"},
        status_date_set=BOOLEAN
        | {"description": "Whether the manager set the status date (false: it is today)"},
        current_stage=INT_OR_NULL | {"description": "The first stage not yet approved"},
        stages={"type": "array", "items": {"$ref": _ref("Stage")}},
    ),
    "StageList": _list_of(_ref("Stage")),
    "Milestone": _object(
        id=INTEGER,
        name=STRING,
        stage=INT_OR_NULL,
        baseline_finish=DATE_OR_NULL,
        scheduled_finish=DATE,
        actual_finish=DATE_OR_NULL,
        finish_variance_days=INT_OR_NULL
        | {
            "description": "Actual (or else scheduled) finish less baseline finish, in days; "
            "positive is late; null without a baseline"
        },
        warnings={"type": "array", "items": STRING},
    ),
    "MilestoneList": _list_of(_ref("Milestone")),
    "Task": _object(
        id=INTEGER,
        code=STRING,
        activity=STRING,
        stage=INT_OR_NULL,
        work_stream=TEXT_OR_NULL,
        responsible={"type": "array", "items": STRING},
        start_date=DATE_OR_NULL,
        target_finish=DATE_OR_NULL,
        actual_finish=DATE_OR_NULL,
        progress=STRING,
        effective_progress=STRING
        | {"description": "As recorded, or late once the target finish has passed"},
        comments=STRING,
    ),
    "TaskList": _list_of(_ref("Task")),
    "Risk": _object(
        id=INTEGER,
        number=STRING,
        description=STRING,
        probability={"enum": ["H", "M", "L"]},
        impact={"enum": ["H", "M", "L"]},
        score=INTEGER | {"description": "Probability x impact, H=3 M=2 L=1: 1 to 9"},
        band={"enum": ["high", "medium", "low"]},
        status=TEXT_OR_NULL,
        live=BOOLEAN,
        owner=TEXT_OR_NULL,
        countermeasures=STRING,
        action_date=DATE_OR_NULL,
        review_by=DATE_OR_NULL,
        review_overdue=BOOLEAN,
    ),
    "RiskList": _list_of(_ref("Risk")),
    "Issue": _object(
        id=INTEGER,
        number=STRING,
        type=STRING,
        description=STRING,
        identified_on=DATE,
        author=TEXT_OR_NULL,
        resolution=STRING,
        last_updated_on=DATE,
        status=STRING,
        change_request=INT_OR_NULL,
    ),
    "IssueList": _list_of(_ref("Issue")),
    "Change": _object(
        id=INTEGER,
        number=INTEGER,
        issue_log_number=TEXT_OR_NULL,
        raised_on=DATE,
        requested_by=TEXT_OR_NULL,
        description=STRING,
        impact_days=INT_OR_NULL,
        impact_cost_pence=INT_OR_NULL,
        classification={"enum": ["major", "minor"]},
        classification_reasons={"type": "array", "items": STRING},
        decider={"enum": ["sponsor", "manager"]},
        status=STRING,
        decided_by=TEXT_OR_NULL,
        decided_at=TIME_OR_NULL,
        effects={
            "type": "array",
            "items": _object(
                what=STRING,
                old={"type": ["string", "integer", "null"]},
                new={"type": ["string", "integer", "null"]},
                money=BOOLEAN,
            ),
        },
    ),
    "ChangeList": _list_of(_ref("Change")),
    "BudgetLine": _object(
        id=INTEGER,
        product=STRING,
        quantity=INTEGER,
        unit_cost_pence=INTEGER,
        **FIGURES,
        status=STRING,
    ),
    "Budget": _object(
        project=STRING,
        currency={"const": "GBP"},
        sources={
            "type": "array",
            "items": _object(
                code=STRING,
                name=STRING,
                in_project_budget=BOOLEAN
                | {"description": "Part of the project budget, or money shown beside it"},
                allocation_pence=INTEGER,
                **FIGURES,
                lines={"type": "array", "items": {"$ref": _ref("BudgetLine")}},
            ),
        },
        project_budget=_object(allocation_pence=INTEGER, **FIGURES)
        | {"description": "The project budget: the sources in it, without money beside it"},
        total=_object(allocation_pence=INTEGER, **FIGURES)
        | {"description": "Every source, the project budget and money beside it"},
        problems={"type": "array", "items": STRING},
    ),
    "Readiness": _object(
        project=STRING,
        basis=_s("string", description="The assessor round that decides, or 'forecast'"),
        forecast=_s("boolean", description="True when no assessor round has rated yet"),
        ready=BOOLEAN,
        verdict=STRING,
        fully_compliant=INTEGER,
        partially_compliant=INTEGER,
        not_compliant=INTEGER,
        rule=_object(min_full=INTEGER, max_partial=INTEGER, max_non_compliant=INTEGER),
        by_criterion={
            "type": "object",
            "description": "Counts by compliance for each criterion number",
            "additionalProperties": _object(
                **{c.value: INTEGER for c in Compliance},
            ),
        },
        elements={
            "type": "array",
            "items": _object(element=STRING, compliance={"enum": [c.value for c in Compliance]}),
        },
        blocking={
            "type": "array",
            "description": "Elements that break a part of the rule",
            "items": STRING,
        },
        quality_checks={
            "type": "array",
            "items": _object(question=STRING, found={"type": "array", "items": STRING}),
        },
    )
    | {
        "description": "Elements by compliance against the standard's rule (by default at least "
        "46 fully compliant, at most 11 partially, none non-compliant), overall and by criterion"
    },
}


# The document --------------------------------------------------------------------------------


def _who(action: str) -> str:
    if action == SIGNED_IN:
        return "Any valid token."
    roles = sorted(r.label for r in PERMISSIONS[action])
    return f"Needs `{action}`, held by: {', '.join(roles)}."


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _ref("Error")}}},
    }


def openapi_document(app: Flask) -> dict:
    """The API's description. Its server address is relative to wherever the document was
    fetched from, never built from the request's Host header, which the client chooses."""
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        action = view.required_action
        if action == PUBLIC:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        operation = {
            "operationId": rule.endpoint.removeprefix("api."),
            "summary": view.api_summary,
            "description": _who(action),
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": STRING}
                for name in sorted(rule.arguments)
            ],
            "responses": {
                "200": {
                    "description": view.api_summary,
                    "content": {"application/json": {"schema": {"$ref": _ref(view.api_schema)}}},
                },
                "401": _error("No token, or a token that is unknown or revoked"),
            },
        }
        if action != SIGNED_IN:
            operation["responses"]["403"] = _error("The token owner's roles do not allow it")
            operation["responses"]["404"] = _error("No such project")
        paths[path] = {"get": operation}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CSE Tracker API",
            "version": API_VERSION,
            "description": (
                "Read-only figures of a Customer Service Excellence project, with the same "
                "permissions as the tracker's pages. Make a token on the API tokens page and "
                "send it as `Authorization: Bearer <token>`. Money is in whole pence; dates "
                "are ISO 8601; times are UTC."
            ),
        },
        "servers": [{"url": API_BASE}],
        "security": [{"bearerAuth": []}],
        "paths": {path.removeprefix("/api/v1"): item for path, item in paths.items()},
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
    }
