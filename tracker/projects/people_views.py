"""Managing who holds which role in the project, and its contacts who hold none (section 12)."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker.auth.models import Person
from tracker.extensions import db
from tracker.forms import show_refusal
from tracker.permissions import requires
from tracker.projects import bp
from tracker.projects.models import Contact, Membership, Role
from tracker.projects.people_services import (
    add_contact,
    find_or_add_person,
    give_role,
    project_contacts,
    project_people,
    remove_contact,
    remove_role,
)
from tracker.projects.services import project_memberships
from tracker.projects.setup_forms import ContactForm, NewOrKnownPerson, RoleForm
from tracker.projects.setup_views import own_record
from tracker.rules import RuleRefused


def _forms(
    role_form: RoleForm | None = None, contact_form: ContactForm | None = None
) -> tuple[RoleForm, ContactForm]:
    """The page's two forms (a blank one where none is given), with their choices."""
    role_form = role_form or RoleForm(formdata=None)
    contact_form = contact_form or ContactForm(formdata=None)
    people = [SelectChoice(0, "A new person (type their name and email address below)")] + [
        SelectChoice(p.id, p.label) for p in project_people(g.project)
    ]
    role_form.person.choices = contact_form.person.choices = people
    role_form.work_stream.choices = [SelectChoice(0, "None")] + [
        SelectChoice(s.id, f"{s.name} ({s.code})") for s in g.project.work_streams
    ]
    return role_form, contact_form


def _page(role_form: RoleForm, contact_form: ContactForm, status: int = 200) -> tuple[str, int]:
    form = role_form if role_form.errors else contact_form  # the one the error summary lists
    return render_template(
        "projects/setup/people.html",
        project=g.project,
        memberships=project_memberships(g.project),
        contacts=project_contacts(g.project),
        role_form=role_form,
        contact_form=contact_form,
        form=form,
        title="Manage people and roles",
    ), status


def _person(form: NewOrKnownPerson) -> Person:
    """The person the form names: one the project knows (the form offered only those, so the
    id is one of them), or the new person typed in."""
    if form.person.data:
        return db.session.get(Person, form.person.data)
    return find_or_add_person(form.name.data, form.email.data)


def _done(message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("projects.setup_people", slug=g.project.slug))


@bp.route("/projects/<slug>/set-up/people")
@requires("people.manage")
def setup_people(slug: str) -> tuple[str, int]:
    return _page(*_forms())


def _add(
    form: NewOrKnownPerson, act: Callable[[Person], str], forms: tuple[RoleForm, ContactForm]
) -> tuple[str, int] | Response:
    """Act on the person the form names (`act` gives the flash message): back to the page
    when done, or the page again with the form's errors and nothing saved."""
    if form.validate_on_submit():
        try:
            message = act(_person(form))
        except RuleRefused as refused:
            show_refusal(form, refused)
        else:
            return _done(message)
    return _page(*forms, 400)


@bp.route("/projects/<slug>/set-up/people/roles", methods=["POST"])
@requires("people.manage")
def setup_role_add(slug: str) -> tuple[str, int] | Response:
    forms = _forms(role_form=RoleForm())
    form = forms[0]

    def act(person: Person) -> str:
        stream = next((s for s in g.project.work_streams if s.id == form.work_stream.data), None)
        role = Role(form.role.data)
        give_role(g.project, person, role, stream)
        return f"{person.name} is now {role.label.lower()}."

    return _add(form, act, forms)


@bp.route("/projects/<slug>/set-up/people/roles/<int:membership_id>/remove", methods=["POST"])
@requires("people.manage")
def setup_role_remove(slug: str, membership_id: int) -> tuple[str, int] | Response:
    membership = own_record(Membership, membership_id)
    label = f"{membership.person.name}'s role as {membership.role.label.lower()}"
    try:
        remove_role(g.project, membership)
    except RuleRefused as refused:
        role_form, contact_form = _forms()
        show_refusal(role_form, refused)
        return _page(role_form, contact_form, 400)
    return _done(f"{label} removed.")


@bp.route("/projects/<slug>/set-up/people/contacts", methods=["POST"])
@requires("people.manage")
def setup_contact_add(slug: str) -> tuple[str, int] | Response:
    forms = _forms(contact_form=ContactForm())
    form = forms[1]

    def act(person: Person) -> str:
        add_contact(g.project, person, form.responsibility.data)
        return f"{person.name} added as a contact."

    return _add(form, act, forms)


@bp.route("/projects/<slug>/set-up/people/contacts/<int:contact_id>/remove", methods=["POST"])
@requires("people.manage")
def setup_contact_remove(slug: str, contact_id: int) -> Response:
    contact = own_record(Contact, contact_id)
    name = contact.person.name
    remove_contact(contact)
    return _done(f"{name} is no longer listed as a contact.")
