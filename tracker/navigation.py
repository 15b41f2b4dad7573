"""The service navigation: only areas that really work, and only those the user may open."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, request, url_for
from flask_login import current_user

from tracker.permissions import can


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    text: str
    action: str


# Project areas in the order they appear. An area is listed here once its pages exist.
PROJECT_AREAS: list[NavEntry] = [
    NavEntry("projects.home", "Project home", "project.view"),
    NavEntry("plan.work_plan", "Work plan", "plan.view"),
    NavEntry("plan.milestones", "Milestones", "plan.view"),
    NavEntry("plan.stage_reviews", "Stage reviews", "plan.view"),
    NavEntry("plan.timeline", "Timeline", "plan.view"),
    NavEntry("plan.baselines", "Baselines", "plan.view"),
    NavEntry("issues.log", "Issue log", "issue.view"),
    NavEntry("issues.changes", "Change requests", "issue.view"),
    NavEntry("risks.log", "Risks", "risk.view"),
    NavEntry("budget.overview", "Budget", "budget.view"),
    NavEntry("budget.staff", "Staff days", "staff.view"),
    NavEntry("projects.people", "People", "project.people"),
    NavEntry("projects.audit_trail", "Audit trail", "audit.project"),
]


def navigation_items() -> list[dict]:
    items: list[dict] = []
    project = g.get("project")
    roles = g.get("roles", frozenset())
    if project is not None:
        for entry in PROJECT_AREAS:
            if can(entry.action, roles):
                href = url_for(entry.endpoint, slug=project.slug)
                items.append(
                    {"href": href, "text": entry.text, "active": request.endpoint == entry.endpoint}
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
