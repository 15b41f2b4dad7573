from __future__ import annotations

import dataclasses
import datetime as dt

from flask import abort, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from tracker.extensions import db
from tracker.permissions import SIGNED_IN, project_roles, requires
from tracker.projects import bp
from tracker.projects.areas import Asker, home_parts, waiting_lists
from tracker.projects.history import Reader, hidden_fields, may_read_history, shown
from tracker.projects.models import Membership, Project
from tracker.projects.people_services import project_contacts
from tracker.projects.services import (
    AUDIT_ACTIONS,
    AUDIT_PAGE_SIZE,
    AuditFilter,
    area_counts,
    audit_page,
    project_memberships,
)
from tracker.projects.status import status_date


@bp.route("/")
@requires(SIGNED_IN)
def index() -> str | Response:
    projects = (
        db.session.execute(
            select(Project)
            .join(Membership)
            .where(Membership.person_id == current_user.id)
            .distinct()
            .order_by(Project.name)
        )
        .scalars()
        .all()
    )
    if len(projects) == 1 and not current_user.is_admin:
        return redirect(url_for("projects.home", slug=projects[0].slug))
    # The site administrator sees every council's projects, and can create one.
    every = (
        db.session.execute(select(Project).order_by(Project.name, Project.council)).scalars().all()
        if current_user.is_admin
        else []
    )
    # What waits for the person in each of their projects (a fixed number of queries each).
    waiting = {
        p.id: waiting_lists(
            Asker(p, current_user, project_roles(current_user.id, p.id), status_date(p))
        )
        for p in projects
    }
    return render_template(
        "projects/index.html",
        projects=projects,
        all_projects=every,
        waiting=waiting,
        title="Your projects",
    )


@bp.route("/projects/<slug>/")
@requires("project.view")
def home(slug: str) -> str:
    """What each area asks of this person and shows them (tracker/projects/areas.py): the
    template finds each area's names as they are and, for the lists of what is waiting for
    the person, under `work` too."""
    asker = Asker(g.project, current_user, g.roles, status_date(g.project))
    parts = home_parts(asker)
    return render_template(
        "projects/home.html",
        **parts,
        project=g.project,
        work=parts,
        counts=area_counts(asker),
        title=g.project.name,
    )


@bp.route("/projects/<slug>/people")
@requires("project.people")
def people(slug: str) -> str:
    return render_template(
        "projects/people.html",
        project=g.project,
        memberships=project_memberships(g.project),
        contacts=project_contacts(g.project),
        title="People and roles",
    )


def _day(name: str, errors: dict[str, str]) -> dt.date | None:
    """A date from the query string (`2010-02-26`, as a date field sends it), or None."""
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = "Enter a real date, for example 2010-02-26"
        return None


AUDIT_FILTERS = ("table", "actor", "action", "since", "until")


@bp.route("/projects/<slug>/audit")
@requires("audit.project")
def audit_trail(slug: str) -> str:
    errors: dict[str, str] = {}
    wanted = AuditFilter(
        table=request.args.get("table", ""),
        actor=request.args.get("actor", ""),
        action=request.args.get("action", ""),
        since=_day("since", errors),
        until=_day("until", errors),
    )
    if wanted.since and wanted.until and wanted.until < wanted.since:
        errors["until"] = "The end date must be the same as or after the start date"
    page = request.args.get("page", 1, type=int) or 1
    found = audit_page(g.project, wanted, page, AUDIT_PAGE_SIZE)
    # Links to other pages keep the filters (empty ones left out of the address), and nothing
    # else from the query string: an argument named like one of url_for's own would break them.
    keep = {k: v for k, v in request.args.items() if k in AUDIT_FILTERS and v}
    return render_template(
        "projects/audit.html",
        project=g.project,
        found=found,
        wanted=wanted,
        keep=keep,
        errors=errors,
        actions=AUDIT_ACTIONS,
        title="Audit trail",
    )


@bp.route("/projects/<slug>/history/<table>/<int:record_id>")
@requires("audit.record")
def record_history(slug: str, table: str, record_id: int) -> str:
    page = request.args.get("page", 1, type=int) or 1
    wanted = AuditFilter(table=table, record_id=record_id)
    found = audit_page(g.project, wanted, page, AUDIT_PAGE_SIZE, with_choices=False)
    if not found.events:
        abort(404)
    reader = Reader(g.project, current_user.id, g.roles)
    if not may_read_history(reader, table, record_id):
        abort(403)
    hidden = hidden_fields(reader, table, record_id)
    label = found.events[0].record_label
    return render_template(
        "projects/history.html",
        project=g.project,
        found=dataclasses.replace(found, events=[shown(e, hidden) for e in found.events]),
        caption=g.project.name,
        pages_args={"slug": slug, "table": table, "record_id": record_id},
        title=f"History of {label or table}",
    )
