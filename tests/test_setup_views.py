"""Creating a project: the site administrator's pages and `flask create-project`."""

from __future__ import annotations

import datetime as dt
import html

from flask import url_for
from sqlalchemy import func, select

from tests.factories import PersonFactory, ProjectFactory, member
from tests.helpers import sign_in
from tracker.auth.models import Person
from tracker.navigation import PROJECT_AREAS
from tracker.plan.models import Stage, Task
from tracker.projects.models import Membership, Project, Role, WorkStream
from tracker.risks.models import Risk
from tracker.setup.services import slug_for

COUNCIL = "Testshire District Council"
NAME = "Customer Service Excellence 2027"


def _admin(client):
    admin = PersonFactory(is_admin=True)
    sign_in(client, admin)
    return admin


def _form(**changes):
    data = {
        "council": COUNCIL,
        "name": NAME,
        "slug": "",
        "objective": "Accreditation by July 2027",
        "scope": "All services",
        "sponsor": "0",
        "sponsor_name": "Sam Sponsor",
        "sponsor_email": "sam@testshire.gov.uk",
        "manager": "0",
        "manager_name": "Morgan Manager",
        "manager_email": "morgan@testshire.gov.uk",
        "start_date": ["1", "4", "2026"],
        "end_date": ["31", "7", "2027"],
        "start_from": "template",
        "copy_of": "0",
    }
    data.update(changes)
    return data


def _projects(db):
    return db.session.execute(select(func.count(Project.id))).scalar_one()


def test_an_administrator_with_no_role_is_offered_to_create_a_project(client, db):
    _admin(client)
    page = client.get("/")
    assert "Create a project" in page.text
    assert "You have no role in any project yet" not in page.text


def test_someone_else_with_no_role_is_not(client, db):
    sign_in(client, PersonFactory())
    page = client.get("/")
    assert "You have no role in any project yet" in page.text
    assert "Create a project" not in page.text


def test_the_administrator_sees_every_council_s_projects(client, db):
    ProjectFactory(name="Alpha", council="Northshire Council")
    ProjectFactory(name="Beta", council=COUNCIL)
    _admin(client)
    for url in ("/", "/admin/projects"):
        page = client.get(url).text
        assert "Northshire Council" in page and COUNCIL in page


def test_create_from_the_template(client, db):
    _admin(client)
    response = client.post("/admin/projects/new", data=_form())
    assert response.status_code == 302
    project = db.session.execute(select(Project)).scalar_one()
    assert (project.name, project.council, project.slug) == (
        NAME,
        COUNCIL,
        "customer-service-excellence-2027",
    )
    assert (project.start_date, project.end_date) == (dt.date(2026, 4, 1), dt.date(2027, 7, 31))
    assert len(project.stages) == 5
    roles = {(m.person.email, m.role) for m in db.session.execute(select(Membership)).scalars()}
    assert roles == {
        ("sam@testshire.gov.uk", Role.SPONSOR),
        ("morgan@testshire.gov.uk", Role.MANAGER),
    }


def test_the_creator_who_manages_it_lands_on_its_dashboard(client, db):
    admin = _admin(client)
    response = client.post("/admin/projects/new", data=_form(manager=str(admin.id)))
    assert response.headers["Location"].endswith(
        "/projects/customer-service-excellence-2027/dashboard"
    )


def test_an_end_before_the_start_is_refused_and_nothing_saved(client, db):
    _admin(client)
    response = client.post("/admin/projects/new", data=_form(end_date=["31", "3", "2026"]))
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date" in response.text
    assert _projects(db) == 0
    assert db.session.execute(select(func.count(Person.id))).scalar_one() == 1


def test_an_address_already_taken_is_refused_beside_its_field(client, db):
    ProjectFactory(slug="cse-2027")
    _admin(client)
    response = client.post("/admin/projects/new", data=_form(slug="cse-2027"))
    assert response.status_code == 400
    assert "A project already has the address cse-2027" in response.text
    assert 'id="slug-error"' in response.text
    assert _projects(db) == 1
    assert db.session.execute(select(func.count(Stage.id))).scalar_one() == 0


def test_a_new_person_needs_a_name_and_email(client, db):
    _admin(client)
    response = client.post("/admin/projects/new", data=_form(manager_name="", manager_email=""))
    assert response.status_code == 400
    assert "Enter the new manager&#39;s full name, or select someone" in response.text
    assert _projects(db) == 0


def test_copy_needs_a_project_and_copies_it(client, db, seeded):
    _admin(client)
    missing = client.post("/admin/projects/new", data=_form(start_from="copy"))
    assert missing.status_code == 400 and "Select the project to copy" in missing.text
    response = client.post(
        "/admin/projects/new",
        data=_form(start_from="copy", copy_of=str(seeded.id), slug="cse-2027"),
    )
    assert response.status_code == 302
    copy = db.session.execute(select(Project).where(Project.slug == "cse-2027")).scalar_one()
    assert copy.council == COUNCIL
    tasks = select(func.count(Task.id)).where(Task.project_id == copy.id)
    assert db.session.execute(tasks).scalar_one() == 25
    risks = select(func.count(Risk.id)).where(Risk.project_id == copy.id)
    assert db.session.execute(risks).scalar_one() > 0


def test_each_project_shows_its_own_council_not_the_installation_s(app, client, db, project):
    other = ProjectFactory(name="Customer Service Excellence", council=COUNCIL)
    person = PersonFactory()
    member(person, project, Role.MANAGER)
    member(person, other, Role.SPONSOR)
    db.session.commit()
    sign_in(client, person)
    default = app.config["COUNCIL_NAME"]
    for shown in (project, other):
        page = client.get(f"/projects/{shown.slug}/").text
        title = page.split("<title>")[1].split("</title>")[0]
        assert shown.council in title and default not in title
        assert f"© {shown.council}" in page
        assert "Switch project" in page
    # The projects list tells the two apart by their councils.
    listed = client.get("/").text
    assert project.council in listed and COUNCIL in listed


def test_role_forms_name_the_project_and_council_of_each_work_stream(client, db, project):
    admin = _admin(client)
    stream = db.session.execute(select(WorkStream)).scalars().first()
    page = html.unescape(client.get(f"/admin/users/{admin.id}").text)
    assert f"{project.name} ({project.council}) — Work stream: {stream.name}" in page


def _invoke(app, *args):
    return app.test_cli_runner().invoke(
        args=[
            "create-project",
            "--council",
            COUNCIL,
            "--name",
            NAME,
            "--start",
            "2026-04-01",
            "--end",
            "2027-07-31",
            "--sponsor-email",
            "sam@testshire.gov.uk",
            "--sponsor-name",
            "Sam Sponsor",
            "--manager-email",
            "morgan@testshire.gov.uk",
            "--manager-name",
            "Morgan Manager",
            *args,
        ]
    )


def test_cli_creates_from_the_template(app, db):
    result = _invoke(app, "--from-template")
    assert result.exit_code == 0, result.output
    project = db.session.execute(select(Project)).scalar_one()
    assert project.slug == "customer-service-excellence-2027"
    assert len(project.stages) == 5
    again = _invoke(app)
    assert again.exit_code != 0
    assert "already has the address" in again.output
    assert _projects(db) == 1


def test_cli_copies_a_project(app, db, seeded):
    result = _invoke(app, "--copy-of", seeded.slug, "--slug", "cse-2027", "--with-people")
    assert result.exit_code == 0, result.output
    copy = db.session.execute(select(Project).where(Project.slug == "cse-2027")).scalar_one()
    memberships = select(func.count(Membership.id)).where(Membership.project_id == copy.id)
    assert db.session.execute(memberships).scalar_one() > 2


def test_cli_refuses_bad_input(app, db):
    backwards = _invoke(app, "--end", "2026-03-01")
    assert backwards.exit_code != 0
    assert "end date must be the same as or after" in backwards.output
    unknown = _invoke(app, "--copy-of", "nowhere")
    assert unknown.exit_code != 0 and "No project has the address nowhere" in unknown.output
    assert _projects(db) == 0


def test_forged_or_odd_values_are_refused_beside_their_fields(client, db):
    _admin(client)
    response = client.post(
        "/admin/projects/new",
        data=_form(
            sponsor="99999999999999999999",
            manager="x",
            copy_of="-1",
            start_from="elsewhere",
            start_date=["31", "2", "2026"],
            slug="Not A Slug!",
        ),
    )
    assert response.status_code == 400
    text = html.unescape(response.text)
    for message in (
        "Select the sponsor, or someone new",
        "Select the manager, or someone new",
        "Select the project to copy",
        "Select how to start the project",
        "Start date must be a real date",
    ):
        assert message in text
    assert _projects(db) == 0


def test_a_malformed_address_is_refused(client, db):
    _admin(client)
    response = client.post("/admin/projects/new", data=_form(slug="Not A Slug!"))
    assert response.status_code == 400
    assert "Enter an address of lower-case letters, numbers and hyphens" in response.text
    assert _projects(db) == 0


def test_the_administrator_opens_only_the_projects_they_hold_a_role_in(client, db):
    admin = _admin(client)
    theirs = ProjectFactory(name="Theirs")
    ProjectFactory(name="Not theirs")
    member(admin, theirs, Role.MANAGER)
    db.session.commit()
    page = client.get("/admin/projects").text
    assert f'href="/projects/{theirs.slug}/"' in page
    assert "Not theirs" in page
    assert page.count('href="/projects/') == 1


def test_slug_for_a_name():
    assert slug_for("Customer Service Excellence 2027") == "customer-service-excellence-2027"
    assert slug_for("  CSE: Testshire & Co. ") == "cse-testshire-co"
    assert len(slug_for("x" * 100)) == 60


def test_one_new_person_named_as_sponsor_and_manager_is_added_once(client, db):
    _admin(client)
    same = {"manager_name": "Sam Sponsor", "manager_email": "SAM@testshire.gov.uk"}
    assert client.post("/admin/projects/new", data=_form(**same)).status_code == 302
    people = select(func.count(Person.id)).where(Person.email == "sam@testshire.gov.uk")
    assert db.session.execute(people).scalar_one() == 1
    assert db.session.execute(select(func.count(Membership.id))).scalar_one() == 2


def test_an_address_someone_else_has_is_refused(client, db):
    PersonFactory(name="Someone Else", email="morgan@testshire.gov.uk")
    _admin(client)
    response = client.post("/admin/projects/new", data=_form())
    assert response.status_code == 400
    assert "Someone Else already has this email address: select them from the list" in (
        response.text
    )
    assert 'id="manager_email-error"' in response.text
    assert _projects(db) == 0
    assert db.session.execute(select(func.count(Person.id))).scalar_one() == 2


def test_the_manager_of_a_new_project_finds_every_area_working(app, client, db):
    admin = _admin(client)
    client.post("/admin/projects/new", data=_form(manager=str(admin.id)))
    slug = "customer-service-excellence-2027"
    with app.test_request_context():
        urls = [url_for(entry.endpoint, slug=slug) for entry in PROJECT_AREAS]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_the_users_list_names_the_project_and_council_of_each_role(client, db, project):
    other = ProjectFactory(council="Testshire District Council")
    person = PersonFactory()
    member(person, project, Role.MANAGER)
    member(person, other, Role.SPONSOR)
    db.session.commit()
    _admin(client)
    page = html.unescape(client.get("/admin/users").text)
    assert f"Project manager, {project.name} ({project.council})" in page
    assert f"Project sponsor, {other.name} (Testshire District Council)" in page
