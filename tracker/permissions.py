"""The one permission table, and the decorator every view carries.

A view names the action it needs: `@requires("project.view")`. Actions on a project are
granted to project roles (a person's memberships in that project); `admin.*` actions to site
administrators; `SIGNED_IN` to anyone signed in; `PUBLIC` to everybody (the sign-in page).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g
from flask_login import current_user
from sqlalchemy import select

from tracker.extensions import db, login_manager
from tracker.projects.models import Membership, Project, Role

PUBLIC = "public"
SIGNED_IN = "signed_in"

ALL_ROLES = frozenset(Role)
MANAGERS = frozenset({Role.SPONSOR, Role.MANAGER})
# The manager and the support officer, who does everything the manager does except approvals.
PLANNERS = frozenset({Role.MANAGER, Role.SUPPORT})
# Everyone who works on or oversees the project. The external assessor reads the evidence put
# forward (the standard, submitted and accepted evidence, ratings, readiness and the pack), not
# the project's internals: plan, risks, issues, changes, money, people or the dashboard.
INSIDERS = ALL_ROLES - {Role.ASSESSOR}

# action -> the project roles that hold it. The only place where access is decided.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "project.view": ALL_ROLES,
    "project.people": INSIDERS,
    "audit.project": MANAGERS,
    "audit.record": ALL_ROLES - {Role.EMT, Role.LEAD_MEMBER},
    # The plan (issue 3)
    "plan.view": INSIDERS,
    "plan.edit": PLANNERS,
    # A work stream lead updates progress and comments on tasks of their own stream.
    "task.update_progress": PLANNERS | {Role.WS_LEAD},
    "plan.import": PLANNERS,
    "baseline.save": PLANNERS,
    "stage_review.request": PLANNERS,
    "stage_review.decide": frozenset({Role.SPONSOR}),
    "review_condition.close": PLANNERS | {Role.SPONSOR},
    # Control logs and money (issue 4)
    "risk.view": INSIDERS,
    "risk.edit": PLANNERS,
    "issue.view": INSIDERS,
    "issue.edit": PLANNERS,
    # Part 1 of a request for change: any project member who works on the project.
    "change.raise": INSIDERS - {Role.EMT, Role.LEAD_MEMBER},
    "change.assess": PLANNERS,
    # Deciding: the manager decides minor changes, the sponsor major ones (the service routes it).
    "change.decide": MANAGERS,
    "budget.view": INSIDERS,
    "budget.edit": PLANNERS,
    "staff.view": INSIDERS,
    "staff.record": PLANNERS,
    # Evidence (issue 5). Personal-data items, and drafts and returned items (not for the
    # assessor), are further limited by tracker/evidence/access.py.
    "standard.view": ALL_ROLES,
    "evidence.view": ALL_ROLES,
    # Leads and members add evidence for their own work stream only (the service checks which).
    "evidence.add": PLANNERS | {Role.WS_LEAD, Role.WS_MEMBER, Role.PP_REP},
    "evidence.review": PLANNERS | {Role.PP_REP, Role.ASSURANCE},
    "evidence.retention": PLANNERS,
    "evidence.pack": PLANNERS | {Role.SPONSOR, Role.ASSURANCE, Role.ASSESSOR},
    "rating.view": ALL_ROLES,
    "round.manage": PLANNERS,
    # Leads rate their own stream in a self-assessment round; planners enter any rating.
    "rating.enter": PLANNERS | {Role.WS_LEAD},
    "readiness.view": ALL_ROLES,
    "gap_action.edit": PLANNERS | {Role.WS_LEAD},
    # Reporting (issue 6): the dashboard, whole-project export, the read-only API
    "dashboard.view": INSIDERS,
    "project.export": MANAGERS,
    # Highlight reports: everyone but the assessor reads issued ones (they state the budget,
    # which the assessor does not see); drafts are for those who write or approve.
    "report.view": INSIDERS,
    "report.view_drafts": PLANNERS | {Role.SPONSOR},
    "report.write": PLANNERS,
    # A work stream lead writes and issues their own stream's report (the view checks which).
    "report.write_stream": PLANNERS | {Role.WS_LEAD},
    # Setting up and running the project (issue 13)
    "project.edit": frozenset({Role.MANAGER}),  # the project's details and its status date
    "people.manage": frozenset({Role.MANAGER}),  # who holds which role, and the contacts
    "work_stream.edit": PLANNERS,
    "service.edit": PLANNERS,
    "meeting.edit": PLANNERS,
    "staff.plan": PLANNERS,  # staff resources: role, number, days each
    # Withdrawn records are listed for, and restored by, the manager.
    "record.restore": frozenset({Role.MANAGER}),
}

# Site-wide actions held by administrators only.
ADMIN_ACTIONS = frozenset({"admin.users", "admin.projects", "admin.jobs"})

F = TypeVar("F", bound=Callable[..., Any])


def roles_allowed(action: str) -> frozenset[Role]:
    return PERMISSIONS[action]


def project_roles(person_id: int, project_id: int) -> frozenset[Role]:
    rows = db.session.execute(
        select(Membership.role).where(
            Membership.person_id == person_id, Membership.project_id == project_id
        )
    ).scalars()
    return frozenset(rows)


def can(action: str, roles: frozenset[Role]) -> bool:
    """Whether any of these roles holds the action."""
    return bool(PERMISSIONS[action] & roles)


def authorise_project(action: str, person_id: int, slug: str | None) -> None:
    """Put the project named by `slug` in g.project and the person's roles in it in g.roles;
    404 if there is no such project, 403 if none of the roles holds the action. Shared by the
    pages (the signed-in user) and the API (the owner of the token)."""
    project = db.session.execute(select(Project).where(Project.slug == slug)).scalar_one_or_none()
    if project is None:
        abort(404)
    roles = project_roles(person_id, project.id)
    if not can(action, roles):
        abort(403)
    g.project = project
    g.roles = roles


def requires(action: str) -> Callable[[F], F]:
    """Declare the action a view needs. Project views take `slug`; a missing project is a 404."""
    if action not in PERMISSIONS and action not in ADMIN_ACTIONS | {PUBLIC, SIGNED_IN}:
        raise ValueError(f"Unknown action {action!r}: add it to the permission table")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if action == PUBLIC:
                return view(*args, **kwargs)
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if action == SIGNED_IN:
                return view(*args, **kwargs)
            if action in ADMIN_ACTIONS:
                if not current_user.is_admin:
                    abort(403)
                return view(*args, **kwargs)
            authorise_project(action, current_user.id, kwargs.get("slug"))
            return view(*args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator
