"""Creating a project: the one rule the form and `flask create-project` both call."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from tracker.auth.models import Person
from tracker.auth.services import normalise_email
from tracker.extensions import db
from tracker.projects.models import Membership, Project, Role
from tracker.rules import RuleRefused
from tracker.setup.copying import CopyOptions, copy_project
from tracker.setup.template import instantiate, load_template

SLUG_LENGTH = 60
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class PersonChoice:
    """An existing person (by id), or a new one by name and email address."""

    person_id: int | None = None
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class NewProject:
    council: str
    name: str
    slug: str
    start_date: dt.date
    end_date: dt.date
    sponsor: PersonChoice
    manager: PersonChoice
    objective: str = ""
    scope: str = ""
    copy_of: Project | None = None  # None: from the CSE template
    copy_options: CopyOptions = field(default_factory=CopyOptions)


def slug_for(name: str) -> str:
    """The address a project's name suggests: "Customer Service Excellence 2027" ->
    "customer-service-excellence-2027"."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))[:SLUG_LENGTH].strip("-")


def check_new_project(spec: NewProject) -> None:
    """Refuse, beside the field it concerns, a span that ends before it starts and an address
    that is malformed or taken."""
    if spec.end_date < spec.start_date:
        raise RuleRefused("The end date must be the same as or after the start date", "end_date")
    if not _SLUG.match(spec.slug) or len(spec.slug) > SLUG_LENGTH:
        raise RuleRefused(
            "Enter an address of lower-case letters, numbers and hyphens, like cse-2027", "slug"
        )
    taken = db.session.execute(select(Project.id).where(Project.slug == spec.slug)).first()
    if taken:
        raise RuleRefused(
            f"A project already has the address {spec.slug}: enter another address", "slug"
        )


def chosen_person(choice: PersonChoice, what: str) -> Person:
    """The person chosen, or a new one (who cannot sign in until given a password). `what` is
    the form's field prefix, "sponsor" or "manager"."""
    if choice.person_id:
        person = db.session.get(Person, choice.person_id)
        if person is None:
            raise RuleRefused(f"Select the {what}, or someone new", what)
        return person
    email = normalise_email(choice.email)
    found = db.session.execute(select(Person).where(Person.email == email)).scalar_one_or_none()
    if found is not None:
        if found.name.strip().lower() == choice.name.strip().lower():
            return found  # the same person written twice (as sponsor and manager, say)
        raise RuleRefused(
            f"{found.name} already has this email address: select them from the list",
            f"{what}_email",
        )
    person = Person(name=choice.name.strip(), email=email)
    db.session.add(person)
    db.session.flush()
    return person


def create_project(spec: NewProject) -> Project:
    """The new project with its sponsor and manager, from the CSE template or as a copy. It
    flushes; the request (or command) commits, so a refusal leaves nothing behind."""
    check_new_project(spec)
    sponsor = chosen_person(spec.sponsor, "sponsor")
    manager = chosen_person(spec.manager, "manager")
    project = Project(
        slug=spec.slug,
        name=spec.name.strip(),
        council=spec.council.strip(),
        objective=spec.objective.strip(),
        scope=spec.scope.strip(),
        start_date=spec.start_date,
        end_date=spec.end_date,
    )
    db.session.add(project)
    db.session.flush()
    if spec.copy_of is None:
        instantiate(project, load_template())
    else:
        copy_project(spec.copy_of, project, spec.copy_options)
    held = {
        (person_id, role)
        for person_id, role in db.session.execute(
            select(Membership.person_id, Membership.role).where(Membership.project_id == project.id)
        )
    }
    for person, role in ((sponsor, Role.SPONSOR), (manager, Role.MANAGER)):
        if (person.id, role) not in held:
            db.session.add(Membership(project_id=project.id, person_id=person.id, role=role))
    db.session.flush()
    return project
