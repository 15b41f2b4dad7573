"""Who holds which role in a project, and its contacts (Project Document section 12): the rules
of giving and removing roles and contacts, and the queries the people pages show, each in a
fixed number of queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.models import Person
from tracker.auth.services import normalise_email
from tracker.extensions import db
from tracker.projects.models import (
    WORK_STREAM_ROLES,
    Contact,
    Membership,
    Project,
    Role,
    WorkStream,
)
from tracker.projects.setup_services import next_position
from tracker.rules import RuleRefused


def project_contacts(project: Project) -> list[Contact]:
    """The project's contacts, in the order of the contact list, with their people."""
    return list(
        db.session.execute(
            select(Contact)
            .join(Person, Contact.person_id == Person.id)
            .where(Contact.project_id == project.id)
            .options(selectinload(Contact.person))
            .order_by(Contact.position, Person.name)
        ).scalars()
    )


def project_people(project: Project) -> list[Person]:
    """Everyone the project knows, holding a role or listed as a contact, by name: whom a role,
    a contact or a work stream can be given to without typing a new person."""
    members = select(Membership.person_id).where(Membership.project_id == project.id)
    contacts = select(Contact.person_id).where(Contact.project_id == project.id)
    return list(
        db.session.execute(
            select(Person)
            .where(Person.id.in_(members.union(contacts).scalar_subquery()))
            .order_by(Person.name)
        ).scalars()
    )


def find_or_add_person(name: str, email: str) -> Person:
    """The person with this email address (someone known on another project keeps their
    record), or a new person, who has no password and so cannot sign in until a site
    administrator gives them one."""
    address = normalise_email(email)
    person = db.session.execute(select(Person).where(Person.email == address)).scalar_one_or_none()
    if person is None:
        person = Person(name=name.strip(), email=address)
        db.session.add(person)
        db.session.flush()
    return person


def give_role(
    project: Project, person: Person, role: Role, stream: WorkStream | None
) -> Membership:
    """Give the person a role in the project. A work stream role names its stream; other roles
    name none. Refused when the person already holds it."""
    if role in WORK_STREAM_ROLES and stream is None:
        raise RuleRefused(f"Select the work stream for a {role.label.lower()}", "work_stream")
    if role not in WORK_STREAM_ROLES:
        stream = None
    held = select(Membership.id).where(
        Membership.project_id == project.id,
        Membership.person_id == person.id,
        Membership.role == role,
        Membership.work_stream_id.is_(None)
        if stream is None
        else Membership.work_stream_id == stream.id,
    )
    if db.session.execute(held).first() is not None:
        raise RuleRefused(f"{person.name} already holds this role", "role")
    membership = Membership(
        project_id=project.id,
        person_id=person.id,
        role=role,
        work_stream_id=stream.id if stream else None,
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def remove_role(project: Project, membership: Membership) -> None:
    """Take a role away. The last project manager's role is kept: without a manager nobody
    could give roles in the project any more."""
    if membership.role == Role.MANAGER:
        managers = db.session.execute(
            select(Membership.id).where(
                Membership.project_id == project.id, Membership.role == Role.MANAGER
            )
        ).all()
        if len(managers) <= 1:
            raise RuleRefused("Give someone else the project manager's role before removing it")
    db.session.delete(membership)
    db.session.flush()


def add_contact(project: Project, person: Person, responsibility: str) -> Contact:
    """List the person as a contact of the project, for what they are the contact for."""
    listed = select(Contact.id).where(
        Contact.project_id == project.id, Contact.person_id == person.id
    )
    if db.session.execute(listed).first() is not None:
        raise RuleRefused(f"{person.name} is already a contact of the project", "person")
    contact = Contact(
        project_id=project.id,
        person_id=person.id,
        responsibility=responsibility.strip(),
        position=next_position(Contact, project),
    )
    db.session.add(contact)
    db.session.flush()
    return contact


def remove_contact(contact: Contact) -> None:
    """Take the person off the project's contact list; their record and any roles stay."""
    db.session.delete(contact)
    db.session.flush()
