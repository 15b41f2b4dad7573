"""The dashboard page (attached to the reports blueprint)."""

from __future__ import annotations

from flask import g, render_template
from flask_login import current_user

from tracker.budget.charts import spend_figure, spend_summary
from tracker.charts import figure_json
from tracker.evidence.charts import readiness_figure, readiness_summary
from tracker.permissions import requires
from tracker.plan.structure import uncovered_project_days
from tracker.projects.status import status_date
from tracker.reports import bp
from tracker.reports.dashboard import gather_dashboard
from tracker.reports.dashboard_charts import stage_figure, stage_summary
from tracker.risks.services import risk_score


@bp.route("/projects/<slug>/dashboard")
@requires("dashboard.view")
def dashboard(slug: str) -> str:
    on = status_date(g.project)
    board = gather_dashboard(g.project, g.roles, on, current_user.id)
    return render_template(
        "reports/dashboard.html",
        title="Dashboard",
        project=g.project,
        board=board,
        gaps=uncovered_project_days(g.project, board.stages),
        risk_score=risk_score,
        readiness=board.readiness,
        stage_chart=figure_json(stage_figure(board.stages, board.statuses, board.milestones, on)),
        stage_chart_summary=stage_summary(board.stages, board.statuses, board.milestones, on),
        readiness_chart=figure_json(readiness_figure(board.readiness)) if board.readiness else None,
        readiness_chart_summary=readiness_summary(board.readiness) if board.readiness else None,
        spend_chart=figure_json(spend_figure(board.months)) if board.budget else None,
        spend_chart_summary=spend_summary(board.months) if board.budget else None,
    )
