"""Signing the test client in, shared by the test modules (the `login_as` fixture uses it too)."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import PersonFactory, member
from tracker.auth.models import Person
from tracker.extensions import db
from tracker.projects.models import Project, Role


def sign_in(client: FlaskClient, person: Person | int) -> None:
    """Sign the test client in as `person` (or the person with that id), as a fresh session."""
    person_id = person if isinstance(person, int) else person.id
    with client.session_transaction() as session:
        session["_user_id"] = str(person_id)
        session["_fresh"] = True


def sign_in_as(client: FlaskClient, project: Project, role: Role, **fields: object) -> Person:
    """Sign the test client in as a new person holding `role` in `project`."""
    person = PersonFactory(**fields)
    member(person, project, role)
    db.session.commit()
    sign_in(client, person)
    return person
