"""The service navigation: only areas that really work, and only those the user may open."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, request, url_for
from flask_login import current_user

from tracker.permissions import can
from tracker.projects.status import status_date


@dataclass(frozen=True)
class NavEntry:
    """An area in the service navigation: its first page, and the endpoints that belong to it.

    `area` is a blueprint name ("plan"), or an endpoint or the start of endpoint names
    ("projects.people", "reports.report"), or a tuple of them; the entry is shown as current on
    every page of that area.
    """

    endpoint: str
    text: str
    action: str
    area: str | tuple[str, ...]

    def is_current(self, endpoint: str | None) -> bool:
        return self.closeness(endpoint) > 0

    def closeness(self, endpoint: str | None) -> int:
        """How closely the endpoint matches this entry's area: the length of the longest area
        it starts with, 0 for none. Where two entries match ("evidence" and
        "evidence.readiness"), only the closer one is shown as current."""
        if not endpoint:
            return 0
        areas = (self.area,) if isinstance(self.area, str) else self.area
        return max(
            (
                len(area)
                for area in areas
                if endpoint.startswith(area if "." in area else area + ".")  # or a blueprint
            ),
            default=0,
        )


# Project areas in the order they appear. An area is listed here once its pages exist.
PROJECT_AREAS: list[NavEntry] = [
    NavEntry("projects.home", "Project home", "project.view", "projects.home"),
    NavEntry("reports.dashboard", "Dashboard", "dashboard.view", "reports.dashboard"),
    NavEntry("plan.work_plan", "Plan", "plan.view", "plan"),
    NavEntry("risks.log", "Risks", "risk.view", "risks"),
    NavEntry("issues.log", "Issues and changes", "issue.view", "issues"),
    NavEntry("budget.overview", "Budget", "budget.view", "budget"),
    NavEntry("evidence.library_page", "Evidence", "evidence.view", "evidence"),
    NavEntry("evidence.readiness", "Readiness", "readiness.view", "evidence.readiness"),
    NavEntry("reports.reports", "Reports", "report.view", ("reports.report", "reports.meeting")),
    NavEntry("projects.meetings", "Meetings", "report.view_drafts", "projects.meeting"),
    NavEntry("projects.people", "People", "project.people", "projects.people"),
    NavEntry("projects.setup", "Set-up", "project.edit", "projects.setup"),
    NavEntry("projects.audit_trail", "Audit trail", "audit.project", "projects.audit_trail"),
    NavEntry("withdrawal.withdrawn", "Withdrawn", "record.restore", "withdrawal.withdrawn"),
]


def navigation_items() -> list[dict]:
    items: list[dict] = []
    project = g.get("project")
    roles = g.get("roles", frozenset())
    if project is not None:
        closest = max(entry.closeness(request.endpoint) for entry in PROJECT_AREAS)
        for entry in PROJECT_AREAS:
            if can(entry.action, roles):
                href = url_for(entry.endpoint, slug=project.slug)
                items.append(
                    {
                        "href": href,
                        "text": entry.text,
                        "active": 0 < closest == entry.closeness(request.endpoint),
                    }
                )
    else:
        items.append(
            {
                "href": url_for("projects.index"),
                "text": "Your projects",
                "active": request.endpoint == "projects.index",
            }
        )
    if current_user.is_authenticated and current_user.is_admin:
        items.append(
            {
                "href": url_for("setup.projects"),
                "text": "Projects",
                "active": (request.endpoint or "").startswith("setup."),
            }
        )
        items.append(
            {
                "href": url_for("auth.users"),
                "text": "Users",
                "active": (request.endpoint or "").startswith("auth.user"),
            }
        )
    return items


def can_here(action: str) -> bool:
    """In a template: whether the signed-in user's roles in this project hold the action."""
    return can(action, g.get("roles", frozenset()))


def register_navigation(app: Flask) -> None:
    app.add_template_global(navigation_items)
    app.add_template_global(can_here, "can")
    app.add_template_global(status_date)
