"""The commands: demo sign-ins and creating users."""

from __future__ import annotations

from tracker.audit import AuditEvent
from tracker.auth.models import Person
from tracker.cli import demo_password
from tracker.projects.models import Role


def test_demo_logins_give_each_role_its_own_person(app, db, seeded):
    result = app.test_cli_runner().invoke(args=["demo-logins"])
    assert result.exit_code == 0, result.output
    assert "DEMO DATA" in result.output
    emails = [line.split()[-2] for line in result.output.splitlines()[1:]]
    assert len(emails) == len(set(emails)) == len(Role) + 1
    manager = db.session.execute(
        db.select(Person).filter_by(email="paul.knight@scambs.gov.uk")
    ).scalar_one()
    assert manager.check_password(demo_password("manager"))
    # Running it again changes nothing.
    again = app.test_cli_runner().invoke(args=["demo-logins"])
    assert again.output == result.output


def test_demo_logins_need_the_demo_project(app):
    result = app.test_cli_runner().invoke(args=["demo-logins"])
    assert result.exit_code != 0
    assert "flask seed" in result.output


def test_create_user(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "--name", "Ada Officer", "--email", "Ada@Example.gov.uk", "--admin"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    person = db.session.execute(
        db.select(Person).filter_by(email="ada@example.gov.uk")
    ).scalar_one()
    assert person.is_admin and person.check_password("a long enough password")
    (created,) = db.session.execute(
        db.select(AuditEvent).filter_by(table_name="person", record_id=person.id)
    ).scalars()
    assert (created.action, created.actor_label) == ("create", "flask create-user")
    assert created.changes["password_hash"] == [None, "(set)"]
    nameless = runner.invoke(
        args=["create-user", "--name", " ", "--email", "nameless@example.gov.uk"],
        input="a long enough password\na long enough password\n",
    )
    assert nameless.exit_code != 0
    assert "Enter the person's full name" in nameless.output
    duplicate = runner.invoke(
        args=["create-user", "--name", "Again", "--email", "ada@example.gov.uk"],
        input="a long enough password\na long enough password\n",
    )
    assert duplicate.exit_code != 0
    short = runner.invoke(
        args=["create-user", "--name", "Short", "--email", "short@example.gov.uk"],
        input="short\nshort\n",
    )
    assert short.exit_code != 0
    assert "12 characters" in short.output
