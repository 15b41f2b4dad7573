"""`flask create-project`: what the Create a project page does, for scripted installs."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from sqlalchemy import select

from tracker.audit import acting_as
from tracker.auth.models import Person
from tracker.auth.services import normalise_email
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.rules import RuleRefused
from tracker.setup.copying import CopyOptions
from tracker.setup.services import NewProject, PersonChoice, create_project, slug_for

ACTOR = "flask create-project"
DAY = click.DateTime(formats=["%Y-%m-%d"])


def _person(email: str, name: str | None, role: str) -> PersonChoice:
    """The person with this address, or a new one when a name is given."""
    address = normalise_email(email)
    found = db.session.execute(select(Person.id).where(Person.email == address)).scalar()
    if found is not None:
        return PersonChoice(person_id=found)
    if not (name or "").strip():
        raise click.BadParameter(
            f"Nobody has the address {address}: give --{role}-name to add them",
            param_hint=f"--{role}-email",
        )
    return PersonChoice(name=name or "", email=address)


@click.command("create-project")
@click.option("--council", help="The council's name (default: COUNCIL_NAME).")
@click.option("--name", required=True, help="The project's name.")
@click.option("--slug", help="Its web address (default: made from the name).")
@click.option("--objective", default="")
@click.option("--scope", default="")
@click.option("--start", type=DAY, required=True, help="Start date, like 2026-04-01.")
@click.option("--end", type=DAY, required=True, help="End date, like 2027-07-31.")
@click.option("--sponsor-email", required=True)
@click.option("--sponsor-name", help="Needed when nobody has the sponsor's address yet.")
@click.option("--manager-email", required=True)
@click.option("--manager-name", help="Needed when nobody has the manager's address yet.")
@click.option("--from-template", "from_template", is_flag=True, help="The default.")
@click.option("--copy-of", help="The address (slug) of the project to copy instead.")
@click.option("--with-evidence", is_flag=True, help="With --copy-of: its evidence library too.")
@click.option("--with-people", is_flag=True, help="With --copy-of: its people and roles too.")
def create_project_command(  # noqa: PLR0913 - one argument per option
    council: str | None,
    name: str,
    slug: str | None,
    objective: str,
    scope: str,
    start: dt.datetime,
    end: dt.datetime,
    sponsor_email: str,
    sponsor_name: str | None,
    manager_email: str,
    manager_name: str | None,
    from_template: bool,
    copy_of: str | None,
    with_evidence: bool,
    with_people: bool,
) -> None:
    """Create a project from the CSE template, or as a copy of another project."""
    if from_template and copy_of:
        raise click.UsageError("Give --from-template or --copy-of, not both")
    source = None
    if copy_of:
        source = db.session.execute(
            select(Project).where(Project.slug == copy_of)
        ).scalar_one_or_none()
        if source is None:
            raise click.BadParameter(
                f"No project has the address {copy_of}", param_hint="--copy-of"
            )
    spec = NewProject(
        council=council or current_app.config["COUNCIL_NAME"],
        name=name,
        slug=slug or slug_for(name),
        objective=objective,
        scope=scope,
        start_date=start.date(),
        end_date=end.date(),
        sponsor=_person(sponsor_email, sponsor_name, "sponsor"),
        manager=_person(manager_email, manager_name, "manager"),
        copy_of=source,
        copy_options=CopyOptions(evidence=with_evidence, people=with_people),
    )
    with acting_as(ACTOR):
        try:
            project = create_project(spec)
        except RuleRefused as refused:
            db.session.rollback()
            raise click.ClickException(refused.message) from None
        db.session.commit()
    click.echo(f"Created {project.name} for {project.council} at /projects/{project.slug}/")
