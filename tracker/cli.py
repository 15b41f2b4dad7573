"""Commands: flask seed, flask demo-logins, flask create-user."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from tracker.audit import acting_as
from tracker.auth.models import Person
from tracker.auth.passwords import password_problem
from tracker.auth.services import normalise_email
from tracker.config import PROJECT_ROOT
from tracker.extensions import db
from tracker.projects.models import Membership, Project, Role

DEMO_PROJECT = "south-cambs-cse"
DEMO_ADMIN_EMAIL = "admin@demo.invalid"


def demo_password(role: str) -> str:
    return f"demo-{role.replace('_', '-')}-2010"


@click.command("seed")
@click.option(
    "--path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=PROJECT_ROOT / "seed",
    show_default=True,
)
def seed_command(path: Path) -> None:
    """Load the South Cambridgeshire CSE project. Running it again adds nothing."""
    from tracker.seeding import load_seed

    result = load_seed(path)
    click.echo(result.summary())


@click.command("demo-logins")
def demo_logins_command() -> None:
    """Give one demo person per role a known password and print the sign-ins (demo data only)."""
    if current_app.config["SESSION_COOKIE_SECURE"] and not current_app.testing:
        raise click.ClickException("Demo sign-ins are for development only.")
    project = db.session.execute(
        select(Project).where(Project.slug == DEMO_PROJECT)
    ).scalar_one_or_none()
    if project is None:
        raise click.ClickException("The demo project is not loaded: run `flask seed` first.")
    lines: list[tuple[str, str, str]] = []
    with acting_as("flask demo-logins"):
        for role, person in _one_person_per_role(project).items():
            password = demo_password(role.value)
            if not person.check_password(password):
                person.set_password(password)
            lines.append((role.label, person.email or "", password))
        admin = db.session.execute(
            select(Person).where(Person.email == DEMO_ADMIN_EMAIL)
        ).scalar_one_or_none()
        if admin is None:
            admin = Person(name="Site administrator (demo)", email=DEMO_ADMIN_EMAIL, is_demo=True)
            db.session.add(admin)
        admin.is_admin = True
        if not admin.check_password(demo_password("admin")):
            admin.set_password(demo_password("admin"))
        lines.append(("Site administrator", DEMO_ADMIN_EMAIL, demo_password("admin")))
        db.session.commit()
    click.echo("DEMO DATA – demo sign-ins for the South Cambridgeshire project (not for real use):")
    width = max(len(label) for label, _, _ in lines)
    for label, email, password in lines:
        click.echo(f"  {label:<{width}}  {email:<40}  {password}")


def _one_person_per_role(project: Project) -> dict[Role, Person]:
    """A different person for each role, so that each demo sign-in shows one role's view.

    People holding fewer roles are preferred (Paul Knight is manager, lead and representative).
    """
    memberships = (
        db.session.execute(
            select(Membership)
            .join(Person)
            .where(Membership.project_id == project.id, Person.email.is_not(None))
        )
        .scalars()
        .all()
    )
    roles_held: dict[int, int] = {}
    for m in memberships:
        roles_held[m.person_id] = roles_held.get(m.person_id, 0) + 1
    chosen: dict[Role, Person] = {}
    used: set[int] = set()
    for role in Role:
        candidates = sorted(
            (m.person for m in memberships if m.role == role and m.person_id not in used),
            key=lambda p: (roles_held[p.id], p.id),
        )
        if candidates:
            chosen[role] = candidates[0]
            used.add(candidates[0].id)
    return chosen


@click.command("create-user")
@click.option("--name", prompt=True)
@click.option("--email", prompt=True)
@click.option("--initials", default="")
@click.option("--admin/--no-admin", default=False, help="A site administrator manages users.")
@click.password_option()
def create_user_command(name: str, email: str, initials: str, admin: bool, password: str) -> None:
    """Create a person who can sign in (use the Users page to give them project roles)."""
    address = normalise_email(email)
    if not name.strip():
        raise click.BadParameter("Enter the person's full name", param_hint="--name")
    if "@" not in address:
        raise click.BadParameter("Enter an email address", param_hint="--email")
    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    if db.session.execute(select(Person.id).where(Person.email == address)).first():
        raise click.ClickException(f"Someone already has the address {address}")
    with acting_as("flask create-user"):
        person = Person(name=name.strip(), email=address, initials=initials.strip() or None)
        person.is_admin = admin
        person.set_password(password)
        db.session.add(person)
        db.session.commit()
    click.echo(f"Created {person.name} <{address}>{' (site administrator)' if admin else ''}.")


@click.command("send-reminders")
def send_reminders_command() -> None:
    """E-mail each person their daily digest: what is due or late, and what waits for them."""
    from tracker.mail.digest import queue_digests

    queued = queue_digests()
    db.session.commit()  # the messages go (or are queued on Redis) once this commits
    who = "person" if queued == 1 else "people"
    click.echo(f"Digests queued for {queued} {who}; anyone with nothing waiting is sent none.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_logins_command)
    app.cli.add_command(create_user_command)
    from tracker.setup.commands import create_project_command

    app.cli.add_command(create_project_command)
    from tracker.transfer.commands import export_project_command, import_project_command

    app.cli.add_command(export_project_command)
    app.cli.add_command(import_project_command)
    from tracker.evidence.orphans import storage_orphans_command

    app.cli.add_command(storage_orphans_command)
    app.cli.add_command(send_reminders_command)
    from tracker.jobs.worker import worker_command

    app.cli.add_command(worker_command)
