"""Managing the project's people: giving and removing roles (to people the project knows, or a
new person by name and email address), its contacts who hold no role, the People page showing
them, and the people and meetings pages' queries."""

from __future__ import annotations

import pytest

from tests.factories import MeetingFactory, PersonFactory, member
from tests.helpers import sign_in_as
from tests.html import error_summary, field_error, text_of
from tracker.audit import AuditEvent
from tracker.auth.models import Person
from tracker.extensions import db
from tracker.projects.models import Contact, MeetingKind, Membership, Role


def url(project, path: str = "") -> str:
    return f"/projects/{project.slug}{path}"


@pytest.fixture
def manager(client, project):
    return sign_in_as(client, project, Role.MANAGER, name="Paula Manager")


def roles_of(person: Person, project) -> set[Role]:
    rows = db.session.execute(
        db.select(Membership.role).filter_by(person_id=person.id, project_id=project.id)
    ).scalars()
    return set(rows)


def test_a_role_is_given_to_someone_the_project_knows(client, project, manager):
    known = PersonFactory(name="Ann Assurance")
    member(known, project, Role.ASSURANCE)
    db.session.commit()
    page = client.get(url(project, "/set-up/people"))
    assert page.status_code == 200
    sent = {"person": str(known.id), "role": "support", "work_stream": "0"}
    assert client.post(url(project, "/set-up/people/roles"), data=sent).status_code == 302
    assert roles_of(known, project) == {Role.ASSURANCE, Role.SUPPORT}


def test_a_role_is_given_to_a_new_person_or_one_known_by_email(client, project, manager):
    stream = project.work_streams[1]
    sent = {
        "person": "0",
        "name": "Nina New",
        "email": "Nina.New@example.gov.uk",
        "role": "ws_lead",
        "work_stream": str(stream.id),
    }
    assert client.post(url(project, "/set-up/people/roles"), data=sent).status_code == 302
    nina = db.session.execute(db.select(Person).filter_by(name="Nina New")).scalar_one()
    assert nina.email == "nina.new@example.gov.uk" and nina.password_hash is None
    membership = db.session.execute(db.select(Membership).filter_by(person_id=nina.id)).scalar_one()
    assert (membership.role, membership.work_stream_id) == (Role.WS_LEAD, stream.id)
    # The same address again names the same person, who gets a second role.
    again = sent | {"name": "N. New", "role": "ws_member"}
    assert client.post(url(project, "/set-up/people/roles"), data=again).status_code == 302
    assert db.session.execute(db.select(db.func.count(Person.id))).scalar() == 2
    assert roles_of(nina, project) == {Role.WS_LEAD, Role.WS_MEMBER}


def test_bad_roles_are_refused_beside_their_fields_with_nothing_saved(client, project, manager):
    add = url(project, "/set-up/people/roles")
    response = client.post(add, data={"person": "0", "role": "", "work_stream": "0"})
    assert response.status_code == 400
    assert field_error(response, "name") == "Enter the new person's full name, or select a person"
    assert field_error(response, "email") == (
        "Enter the new person's email address, or select a person"
    )
    assert field_error(response, "role") == "Select a role"
    sent = {"person": "0", "name": "Wes", "email": "wes@example.gov.uk", "role": "ws_member"}
    response = client.post(add, data=sent | {"work_stream": "0"})
    assert field_error(response, "work_stream") == "Select the work stream for a work stream member"
    assert (
        db.session.execute(db.select(Person).filter_by(name="Wes")).first() is None
    )  # not half-saved
    response = client.post(add, data={"person": str(manager.id), "role": "manager"})
    assert field_error(response, "role") == "Paula Manager already holds this role"
    stranger = PersonFactory()
    db.session.commit()
    response = client.post(add, data={"person": str(stranger.id), "role": "support"})
    assert field_error(response, "person") == "Select a person, or a new person"
    assert roles_of(stranger, project) == set()


def test_roles_are_removed_but_not_the_last_managers(client, project, manager):
    helper = PersonFactory(name="Sam Support")
    support = member(helper, project, Role.SUPPORT)
    db.session.commit()
    remove = url(project, f"/set-up/people/roles/{support.id}/remove")
    assert client.post(remove).status_code == 302
    assert roles_of(helper, project) == set()
    own = db.session.execute(db.select(Membership).filter_by(person_id=manager.id)).scalar_one()
    refused = client.post(url(project, f"/set-up/people/roles/{own.id}/remove"))
    assert refused.status_code == 400
    assert error_summary(refused) == [
        "Give someone else the project manager's role before removing it"
    ]
    assert roles_of(manager, project) == {Role.MANAGER}


def test_contacts_are_added_shown_on_the_people_page_and_removed(client, project, manager):
    add = url(project, "/set-up/people/contacts")
    sent = {
        "person": "0",
        "name": "Georgina Hayward",
        "email": "georgina.hayward@example.gov.uk",
        "responsibility": "Communications",
    }
    assert client.post(add, data=sent).status_code == 302
    audited = db.select(AuditEvent).filter_by(table_name="contact", project_id=project.id)
    assert db.session.execute(audited).first() is not None
    people = client.get(url(project, "/people"))
    assert "Georgina Hayward Communications georgina.hayward@example.gov.uk" in text_of(people)
    again = client.post(add, data=sent)
    assert field_error(again, "person") == "Georgina Hayward is already a contact of the project"
    response = client.post(add, data=sent | {"responsibility": ""})
    assert field_error(response, "responsibility") == "Enter what they are the contact for"
    contact = db.session.execute(db.select(Contact)).scalar_one()
    remove = url(project, f"/set-up/people/contacts/{contact.id}/remove")
    assert client.post(remove).status_code == 302
    assert db.session.execute(db.select(Contact)).first() is None
    assert "No contacts besides the people above." in text_of(client.get(url(project, "/people")))


def test_the_seeded_people_page_shows_the_contacts_who_hold_no_role(client, seeded):
    sign_in_as(client, seeded, Role.ASSURANCE)
    page = text_of(client.get(url(seeded, "/people")))
    assert "1 contacts who hold no role" in page
    assert "Georgina Hayward Communications Communications georgina.hayward@scambs.gov.uk" in page


@pytest.mark.parametrize("role", [r for r in Role if r != Role.MANAGER])
def test_only_the_manager_manages_people(client, project, role):
    sign_in_as(client, project, role)
    assert client.get(url(project, "/set-up/people")).status_code == 403
    sent = {"person": "0", "name": "X", "email": "x@example.gov.uk", "role": "support"}
    assert client.post(url(project, "/set-up/people/roles"), data=sent).status_code == 403
    assert db.session.execute(db.select(Person).filter_by(name="X")).first() is None


def _grow(project, n: int) -> None:
    """n more people with roles, contacts and meetings of each kind."""
    for i in range(n):
        person = PersonFactory()
        member(person, project, Role.WS_MEMBER)
        db.session.add(Contact(project_id=project.id, person_id=PersonFactory().id, position=i))
        for kind in MeetingKind:
            MeetingFactory(project=project, kind=kind)
    db.session.commit()


def test_the_people_and_meetings_pages_run_a_fixed_number_of_queries(
    client, project, manager, count_queries
):
    pages = [
        url(project, "/people"),
        url(project, "/set-up/people"),
        url(project, "/set-up/work-streams"),
        url(project, "/meetings"),
    ]
    _grow(project, 1)
    few = {}
    for page in pages:
        with count_queries as counted:
            assert client.get(page).status_code == 200
        few[page] = counted.count
    _grow(project, 6)
    for page in pages:
        with count_queries as counted:
            assert client.get(page).status_code == 200
        assert counted.count == few[page], page
