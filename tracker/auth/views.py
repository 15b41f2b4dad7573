from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload
from werkzeug.wrappers import Response

from tracker.auth import bp
from tracker.auth.forms import MembershipForm, NewPersonForm, PasswordForm, PersonForm, SignInForm
from tracker.auth.models import Person
from tracker.auth.services import (
    authenticate,
    end_sessions,
    is_safe_next,
    normalise_email,
    person_for_session,
)
from tracker.auth.throttle import (
    DEVICE_COOKIE,
    DEVICE_COOKIE_DAYS,
    Throttle,
    client_source,
    device_cookie_value,
    is_known_device,
)
from tracker.database import utcnow
from tracker.extensions import db, login_manager
from tracker.permissions import PUBLIC, SIGNED_IN, requires
from tracker.projects.models import WORK_STREAM_ROLES, Membership, Project, Role, WorkStream
from tracker.projects.services import AUDIT_PAGE_SIZE, AuditFilter, audit_page
from tracker.transactions import commit_now
from tracker.versioning import record_data, refuse_stale

login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to see this page."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> Person | None:
    """The signed-in person; a session ended since (sign-out, new password, account made
    inactive) names no one, wherever its cookie has been copied to."""
    return person_for_session(user_id)


@bp.route("/sign-in", methods=["GET", "POST"])
@requires(PUBLIC)
def sign_in() -> str | Response:
    """A failed sign-in answers at once: a delay here would hold a worker, and the throttle
    (tracker/auth/throttle.py) is what slows guessing down."""
    if current_user.is_authenticated:
        return redirect(url_for("projects.index"))
    form = SignInForm()
    locked = False
    throttle = Throttle.from_config(current_app.config)
    if form.validate_on_submit():
        address = normalise_email(form.email.data)
        secret = current_app.config["SECRET_KEY"]
        person, locked = authenticate(
            address,
            form.password.data,
            utcnow(),
            source=client_source(request.remote_addr),
            throttle=throttle,
            known_device=is_known_device(secret, request.cookies.get(DEVICE_COOKIE), address),
        )
        commit_now()  # a failed attempt counts, whatever the page answers (429 when locked)
        if person is not None:
            login_user(person)
            target = request.args.get("next")
            response = redirect(target if is_safe_next(target) else url_for("projects.index"))
            _remember_device(response, device_cookie_value(secret, address))
            return response
        if locked:
            form.email.errors.append(
                "Too many failed attempts. "
                f"Wait {throttle.window_minutes} minutes before you try again."
            )
        else:
            form.email.errors.append("Enter a correct email address and password")
            form.password.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", form=form, title="Sign in"), (
        429 if locked else 200
    )


def _remember_device(response: Response, value: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_COOKIE_DAYS * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


@bp.route("/sign-out", methods=["POST"])
@requires(SIGNED_IN)
def sign_out() -> Response:
    """Ends every session of the person, not only this one: a copied cookie dies with it."""
    end_sessions(current_user._get_current_object())
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/admin/users")
@requires("admin.users")
def users() -> str:
    people = (
        db.session.execute(
            select(Person)
            .options(
                selectinload(Person.memberships).joinedload(Membership.project),
                selectinload(Person.memberships).joinedload(Membership.work_stream),
            )
            .order_by(Person.name)
        )
        .scalars()
        .all()
    )
    return render_template("admin/users.html", people=people, title="Users")


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires("admin.users")
def user_new() -> str | Response:
    form = NewPersonForm()
    if form.validate_on_submit():
        if _email_taken(form.email.data):
            form.email.errors.append("Someone already has this email address")
        else:
            person = Person()
            _fill_person(person, form)
            person.set_password(form.password.data)
            db.session.add(person)
            db.session.flush()  # its id, for the address of its page
            flash(f"{person.name} can now sign in.", "success")
            return redirect(url_for("auth.user_edit", person_id=person.id))
    return render_template("admin/user_form.html", form=form, title="Add a user")


@bp.route("/admin/users/<int:person_id>", methods=["GET", "POST"])
@requires("admin.users")
def user_edit(person_id: int) -> str | Response:
    person = db.session.get(Person, person_id) or abort(404)
    form = PersonForm(obj=person)
    if form.validate_on_submit() and not refuse_stale(
        form, person, lambda: record_data(form, person)
    ):
        if _email_taken(form.email.data, except_id=person.id):
            form.email.errors.append("Someone already has this email address")
        elif person.id == current_user.id and not (
            form.is_admin.data and form.is_active_account.data
        ):
            form.is_admin.errors.append("You cannot remove your own administrator access")
        else:
            _fill_person(person, form)
            flash("Changes saved.", "success")
            return redirect(url_for("auth.user_edit", person_id=person.id))
    membership_form = _membership_form(formdata=None)
    return render_template(
        "admin/user_edit.html",
        form=form,
        person=person,
        membership_form=membership_form,
        password_form=PasswordForm(formdata=None),
        title=f"Edit {person.name}",
    ), (409 if form.version_conflict else 200)


@bp.route("/admin/users/<int:person_id>/history")
@requires("admin.users")
def user_history(person_id: int) -> str:
    """Every change to a person's details and sign-in rights (their project roles are in each
    project's audit trail)."""
    person = db.session.get(Person, person_id) or abort(404)
    page = request.args.get("page", 1, type=int) or 1
    found = audit_page(
        None,
        AuditFilter(table="person", record_id=person.id),
        page,
        AUDIT_PAGE_SIZE,
        with_choices=False,
    )
    return render_template(
        "projects/history.html",
        found=found,
        caption="Users",
        pages_args={"person_id": person.id},
        title=f"History of {person.name}",
    )


@bp.route("/admin/users/<int:person_id>/password", methods=["POST"])
@requires("admin.users")
def user_password(person_id: int) -> str | Response:
    person = db.session.get(Person, person_id) or abort(404)
    form = PasswordForm()
    if form.validate_on_submit():
        person.set_password(form.password.data)
        end_sessions(person)
        if person.id == current_user.id:
            login_user(person)  # the administrator's own session, made anew; the others end
        flash(f"New password set for {person.name}.", "success")
        return redirect(url_for("auth.user_edit", person_id=person.id))
    return render_template(
        "admin/user_edit.html",
        form=PersonForm(obj=person, formdata=None),
        person=person,
        membership_form=_membership_form(formdata=None),
        password_form=form,
        title=f"Edit {person.name}",
    ), 400


@bp.route("/admin/users/<int:person_id>/memberships", methods=["POST"])
@requires("admin.users")
def membership_add(person_id: int) -> str | Response:
    person = db.session.get(Person, person_id) or abort(404)
    form = _membership_form()
    if form.validate_on_submit():
        role = Role(form.role.data)
        stream = (
            db.session.get(WorkStream, form.work_stream.data) if form.work_stream.data else None
        )
        if role in WORK_STREAM_ROLES and stream is None:
            form.work_stream.errors.append(f"Select the work stream for a {role.label.lower()}")
        elif stream is not None and stream.project_id != form.project.data:
            form.work_stream.errors.append("Select a work stream of the chosen project")
        elif _has_membership(person.id, form.project.data, role, stream):
            form.role.errors.append(f"{person.name} already has this role")
        else:
            db.session.add(
                Membership(
                    person_id=person.id,
                    project_id=form.project.data,
                    role=role,
                    work_stream_id=stream.id if stream and role in WORK_STREAM_ROLES else None,
                )
            )
            flash(f"{person.name} is now {role.label.lower()}.", "success")
            return redirect(url_for("auth.user_edit", person_id=person.id))
    return render_template(
        "admin/user_edit.html",
        form=PersonForm(obj=person, formdata=None),
        person=person,
        membership_form=form,
        password_form=PasswordForm(formdata=None),
        title=f"Edit {person.name}",
    ), 400


@bp.route("/admin/users/<int:person_id>/memberships/<int:membership_id>/remove", methods=["POST"])
@requires("admin.users")
def membership_remove(person_id: int, membership_id: int) -> Response:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.person_id != person_id:
        abort(404)
    db.session.delete(membership)
    flash("Role removed.", "success")
    return redirect(url_for("auth.user_edit", person_id=person_id))


def _email_taken(email: str, except_id: int | None = None) -> bool:
    query = select(Person.id).where(Person.email == normalise_email(email))
    if except_id is not None:
        query = query.where(Person.id != except_id)
    return db.session.execute(query).first() is not None


def _has_membership(person_id: int, project_id: int, role: Role, stream: WorkStream | None) -> bool:
    query = select(Membership.id).where(
        Membership.person_id == person_id,
        Membership.project_id == project_id,
        Membership.role == role,
    )
    if role in WORK_STREAM_ROLES and stream is not None:
        query = query.where(Membership.work_stream_id == stream.id)
    return db.session.execute(query).first() is not None


def _fill_person(person: Person, form: PersonForm) -> None:
    person.name = form.name.data.strip()
    person.initials = (form.initials.data or "").strip().upper() or None
    person.job_title = (form.job_title.data or "").strip() or None
    person.email = normalise_email(form.email.data)
    person.phone = (form.phone.data or "").strip() or None
    person.is_admin = bool(form.is_admin.data)
    if person.is_active_account and not form.is_active_account.data and person.id is not None:
        end_sessions(person)  # so that making the account active again revives no old session
    person.is_active_account = bool(form.is_active_account.data)


def _membership_form(**kwargs: object) -> MembershipForm:
    form = MembershipForm(**kwargs)
    projects = (
        db.session.execute(select(Project).order_by(Project.name, Project.council)).scalars().all()
    )
    streams = db.session.execute(
        select(WorkStream)
        .join(Project)
        .options(contains_eager(WorkStream.project))
        .order_by(Project.name, Project.council, WorkStream.position)
    ).scalars()
    # Labelled with the council, as two councils may each run a project of the same name.
    form.project.choices = [(p.id, f"{p.name} ({p.council})") for p in projects]
    form.role.choices = [("", "Select a role")] + [(r.value, r.label) for r in Role]
    form.work_stream.choices = [(0, "None")] + [
        (s.id, f"{s.project.name} ({s.project.council}) — Work stream: {s.name} ({s.code})")
        for s in streams
    ]
    return form
