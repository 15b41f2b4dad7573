from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import Email, Optional, ValidationError

from tracker.auth.passwords import HINT, password_problem
from tracker.forms import (
    CheckboxField,
    ChoiceField,
    MaxLength,
    PasswordInputField,
    Required,
    SubmitButton,
    TextInputField,
)
from tracker.versioning import VersionedForm


def _refuse_weak_password(form: FlaskForm, field: PasswordField) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class SignInForm(FlaskForm):
    # No address is longer than 254 characters (the column's size), and a failed attempt
    # records the address typed: a longer one is refused before it reaches the database.
    email = TextInputField(
        "Email address",
        validators=[
            Required(thing="your email address"),
            MaxLength(254, "Email address"),
        ],
    )
    password = PasswordInputField("Password", validators=[Required(thing="your password")])
    submit = SubmitButton("Sign in")


class PersonForm(VersionedForm, FlaskForm):
    name = TextInputField(
        "Full name",
        validators=[
            Required(thing="the person's full name"),
            MaxLength(120, "Full name"),
        ],
    )
    initials = TextInputField(
        "Initials",
        description="As the project documents use them, for example PK",
        validators=[Optional(), MaxLength(10, "Initials")],
    )
    job_title = TextInputField(
        "Job title",
        validators=[MaxLength(200, "Job title")],
    )
    email = TextInputField(
        "Email address",
        validators=[
            Required(thing="an email address"),
            Email(message="Enter an email address in the correct format, like name@example.gov.uk"),
            MaxLength(254, "Email address"),
        ],
    )
    phone = TextInputField(
        "Telephone",
        validators=[MaxLength(40, "Telephone")],
    )
    is_admin = CheckboxField("Site administrator (manages users)")
    is_active_account = CheckboxField("Account is active (the person can sign in)", default=True)
    submit = SubmitButton("Save")


class NewPersonForm(PersonForm):
    password = PasswordInputField(
        "Password",
        description=HINT,
        validators=[Required(thing="a password"), _refuse_weak_password],
    )


class PasswordForm(FlaskForm):
    password = PasswordInputField(
        "New password",
        description=HINT,
        validators=[Required(thing="a new password"), _refuse_weak_password],
    )
    submit = SubmitButton("Set password")


class MembershipForm(FlaskForm):
    project = ChoiceField(
        "Project",
        coerce=int,
        choice_message="Select a project",
        required=True,
    )
    role = ChoiceField(
        "Role",
        choice_message="Select a role",
        required=True,
    )
    work_stream = ChoiceField(
        "Work stream",
        choice_message="Select a work stream of the chosen project, or none",
        description=(
            "Needed for work stream leads, members and policy and performance representatives"
        ),
        coerce=int,
    )
    submit = SubmitButton("Add role")
