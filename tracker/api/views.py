"""The read-only JSON API, /api/v1: the project's figures for the council's own reporting.

Every view declares its action with `api_requires`, the same action as the page that shows the
same data, so a token reads exactly what its owner's pages show. Errors are JSON too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, current_app, g, jsonify
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from tracker.api import bp
from tracker.api import serialise as out
from tracker.api.auth import api_requires
from tracker.api.openapi import document, openapi_document
from tracker.budget.figures import budget_summary
from tracker.errors import is_conflict
from tracker.evidence.access import viewer_for
from tracker.extensions import csrf, db
from tracker.issues.changes import project_changes
from tracker.issues.log import issue_log
from tracker.permissions import PUBLIC, SIGNED_IN
from tracker.plan.milestones import latest_task_finishes, milestone_warnings, project_milestones
from tracker.plan.stages import plan_stages, stage_statuses
from tracker.plan.work_plan import TaskFilter, work_plan_tasks
from tracker.projects.models import Membership, Project
from tracker.projects.status import status_date
from tracker.risks.services import project_risks
from tracker.transactions import roll_back

F = TypeVar("F", bound=Callable[..., Any])

# Read-only: only GET, so there is no form to forge; a token, not a cookie, says who asks.
csrf.exempt(bp)

ERROR_MESSAGES = {
    401: "Send a valid API token: Authorization: Bearer <token>",
    403: "Your roles in this project do not allow this",
    404: "Not found",
    405: "Only GET is allowed: the API is read-only",
    409: "Someone else changed this at the same moment: send the request again",
    500: "Sorry, there is a problem with the service",
}


def api_error(code: int) -> tuple[Response, int]:
    roll_back()
    response = jsonify(
        {"error": {"status": code, "message": ERROR_MESSAGES.get(code, "Request failed")}}
    )
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response, code


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[Response, int]:
    # An error at a commit after the view reaches Flask as a 500 that wraps it.
    original = getattr(error, "original_exception", None)
    if error.code == 500 and original is not None:
        return unexpected_error(original)
    return api_error(error.code or 500)


@bp.errorhandler(Exception)
def unexpected_error(error: BaseException) -> tuple[Response, int]:
    """A race lost to someone else's write is a 409, as on the pages (tracker.errors decides
    which errors are races); anything else is a 500 that says nothing of the inside."""
    if is_conflict(error):
        current_app.logger.warning("Concurrent change refused: %s", error)
        return api_error(409)
    current_app.logger.exception("Unhandled API error", exc_info=error)
    return api_error(500)


def _items(items: list[dict]) -> Response:
    return jsonify({"project": g.project.slug, "count": len(items), "items": items})


@bp.route("/openapi.json")
@api_requires(PUBLIC)
def openapi() -> Response:
    return jsonify(openapi_document(current_app))


@bp.route("/projects")
@api_requires(SIGNED_IN)
@document("The projects the token's owner belongs to", "ProjectList")
def projects() -> Response:
    rows = db.session.execute(
        select(Project)
        .where(Project.id.in_(select(Membership.project_id).filter_by(person_id=g.api_person.id)))
        .order_by(Project.name)
    ).scalars()
    return jsonify({"items": [{"slug": p.slug, "name": p.name} for p in rows]})


@bp.route("/projects/<slug>")
@api_requires("project.view")
@document("The project with its stages, stage statuses and stage reviews", "Project")
def project(slug: str) -> Response:
    stages = plan_stages(g.project)
    return jsonify(out.project(g.project, stages, stage_statuses(stages), status_date(g.project)))


@bp.route("/projects/<slug>/stages")
@api_requires("plan.view")
@document("The five stages, each with its status and reviews", "StageList")
def stages(slug: str) -> Response:
    stages = plan_stages(g.project)
    statuses = stage_statuses(stages)
    return _items([out.stage(s, statuses[s.number]) for s in stages])


@bp.route("/projects/<slug>/milestones")
@api_requires("plan.view")
@document("Milestones with their finish variance (days later than baseline)", "MilestoneList")
def milestones(slug: str) -> Response:
    milestones = project_milestones(g.project)
    stages = plan_stages(g.project)
    warnings = milestone_warnings(g.project, milestones, stages, latest_task_finishes(g.project))
    return _items([out.milestone(m, warnings[m.id]) for m in milestones])


@bp.route("/projects/<slug>/tasks")
@api_requires("plan.view")
@document("The work plan's tasks with their effective progress (late is derived)", "TaskList")
def tasks(slug: str) -> Response:
    on = status_date(g.project)
    stage_numbers = {s.id: s.number for s in g.project.stages}
    tasks = work_plan_tasks(g.project, TaskFilter(), today=on)
    return _items([out.task(t, stage_numbers, on) for t in tasks])


@bp.route("/projects/<slug>/risks")
@api_requires("risk.view")
@document("The risk log, highest score first, with scores and bands", "RiskList")
def risks(slug: str) -> Response:
    on = status_date(g.project)
    return _items([out.risk(r, on) for r in project_risks(g.project)])


@bp.route("/projects/<slug>/issues")
@api_requires("issue.view")
@document("The issue log (issues, requests for change, off-specifications)", "IssueList")
def issues(slug: str) -> Response:
    return _items([out.issue(e) for e in issue_log(g.project)])


@bp.route("/projects/<slug>/changes")
@api_requires("issue.view")
@document("Change requests with their class (major or minor), decider and effects", "ChangeList")
def changes(slug: str) -> Response:
    return _items([out.change(v) for v in project_changes(g.project)])


@bp.route("/projects/<slug>/budget")
@api_requires("budget.view")
@document("Funding sources and budget lines with actual to date and remaining", "Budget")
def budget(slug: str) -> Response:
    return jsonify({"project": g.project.slug} | out.budget(budget_summary(g.project)))


@bp.route("/projects/<slug>/readiness")
@api_requires("readiness.view")
@document("Evidence readiness against the accreditation rule (46/11/0)", "Readiness")
def readiness(slug: str) -> Response | tuple[Response, int]:
    from tracker.reports.sources import readiness_json

    viewer = viewer_for(g.api_person.id, g.project, g.roles)
    figures = readiness_json(g.project, status_date(g.project), viewer.visible_clause())
    if figures is None:
        message = "This project has no standard to assess its readiness against"
        return jsonify({"error": {"status": 404, "message": message}}), 404
    return jsonify({"project": g.project.slug} | figures)
