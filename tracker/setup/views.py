"""The site administrator's project pages: every project, and creating one."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from tracker.auth.models import Person
from tracker.extensions import db
from tracker.forms import show_refusal
from tracker.permissions import can, project_roles, requires
from tracker.projects.models import Membership, Project
from tracker.rules import RuleRefused
from tracker.setup import bp
from tracker.setup.copying import CopyOptions
from tracker.setup.forms import FROM_COPY, FROM_TEMPLATE, NEW_PERSON, NewProjectForm
from tracker.setup.services import NewProject, PersonChoice, create_project, slug_for


def all_projects() -> list[Project]:
    return list(
        db.session.execute(select(Project).order_by(Project.name, Project.council)).scalars()
    )


def project_label(project: Project) -> str:
    """A project named so that two councils' projects of the same name are told apart."""
    return f"{project.name} ({project.council})"


@bp.route("/admin/projects")
@requires("admin.projects")
def projects() -> str:
    mine = set(
        db.session.execute(
            select(Membership.project_id).where(Membership.person_id == current_user.id)
        ).scalars()
    )
    return render_template(
        "setup/projects.html", projects=all_projects(), mine=mine, title="Projects"
    )


def _new_project_form() -> NewProjectForm:
    form = NewProjectForm()
    people = db.session.execute(select(Person).order_by(Person.name)).scalars()
    people_choices = [(NEW_PERSON, "Someone new (enter their name and email address)")] + [
        (p.id, f"{p.name} ({p.email})" if p.email else p.name) for p in people
    ]
    form.sponsor.choices = form.manager.choices = people_choices
    form.copy_of.choices = [(0, "Select a project")] + [
        (p.id, project_label(p)) for p in all_projects()
    ]
    if not form.is_submitted():
        form.council.data = current_app.config["COUNCIL_NAME"]
        form.start_from.data = FROM_TEMPLATE
    return form


def _person(form: NewProjectForm, role: str) -> PersonChoice:
    return PersonChoice(
        person_id=form[role].data or None,
        name=form[f"{role}_name"].data or "",
        email=form[f"{role}_email"].data or "",
    )


def _spec(form: NewProjectForm) -> NewProject:
    copying = form.start_from.data == FROM_COPY
    return NewProject(
        council=form.council.data,
        name=form.name.data,
        slug=(form.slug.data or "").strip() or slug_for(form.name.data),
        objective=form.objective.data or "",
        scope=form.scope.data or "",
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        sponsor=_person(form, "sponsor"),
        manager=_person(form, "manager"),
        copy_of=db.session.get(Project, form.copy_of.data) if copying else None,
        copy_options=CopyOptions(
            evidence=copying and form.copy_evidence.data,
            people=copying and form.copy_people.data,
        ),
    )


@bp.route("/admin/projects/new", methods=["GET", "POST"])
@requires("admin.projects")
def new_project() -> tuple[str, int] | Response:
    form = _new_project_form()
    if form.validate_on_submit():
        try:
            project = create_project(_spec(form))
        except RuleRefused as refused:
            show_refusal(form, refused)
        else:
            flash(f"{project.name} created for {project.council}.", "success")
            return redirect(_landing(project))
    return render_template("setup/new_project.html", form=form, title="Create a project"), (
        400 if form.errors else 200
    )


def _landing(project: Project) -> str:
    """The new project's dashboard when its creator holds a role that opens it; otherwise the
    list of projects, as a site administrator holds no role in a project by being one."""
    if can("dashboard.view", project_roles(current_user.id, project.id)):
        return url_for("reports.dashboard", slug=project.slug)
    return url_for("setup.projects")
