from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, Length, Optional, ValidationError

from tracker.auth.passwords import HINT, password_problem
from tracker.forms import ChoiceField, Required
from tracker.versioning import VersionedForm


def _refuse_weak_password(form: FlaskForm, field: PasswordField) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class SignInForm(FlaskForm):
    # No address is longer than 254 characters (the column's size), and a failed attempt
    # records the address typed: a longer one is refused before it reaches the database.
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            Required("Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    password = PasswordField(
        "Password", widget=GovPasswordInput(), validators=[Required("Enter your password")]
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class PersonForm(VersionedForm, FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            Required("Enter the person's full name"),
            Length(max=120, message="Full name must be 120 characters or fewer"),
        ],
    )
    initials = StringField(
        "Initials",
        description="As the project documents use them, for example PK",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=10, message="Initials must be 10 characters or fewer")],
    )
    job_title = StringField(
        "Job title",
        widget=GovTextInput(),
        validators=[Length(max=200, message="Job title must be 200 characters or fewer")],
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            Required("Enter an email address"),
            Email(message="Enter an email address in the correct format, like name@example.gov.uk"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    phone = StringField(
        "Telephone",
        widget=GovTextInput(),
        validators=[Length(max=40, message="Telephone must be 40 characters or fewer")],
    )
    is_admin = BooleanField("Site administrator (manages users)", widget=GovCheckboxInput())
    is_active_account = BooleanField(
        "Account is active (the person can sign in)", widget=GovCheckboxInput(), default=True
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class NewPersonForm(PersonForm):
    password = PasswordField(
        "Password",
        description=HINT,
        widget=GovPasswordInput(),
        validators=[Required("Enter a password"), _refuse_weak_password],
    )


class PasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description=HINT,
        widget=GovPasswordInput(),
        validators=[Required("Enter a new password"), _refuse_weak_password],
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())


class MembershipForm(FlaskForm):
    project = ChoiceField(
        "Project",
        widget=GovSelect(),
        validators=[Required("Select a project")],
        coerce=int,
        choice_message="Select a project",
    )
    role = ChoiceField(
        "Role",
        widget=GovSelect(),
        validators=[Required("Select a role")],
        choice_message="Select a role",
    )
    work_stream = ChoiceField(
        "Work stream",
        choice_message="Select a work stream of the chosen project, or none",
        description=(
            "Needed for work stream leads, members and policy and performance representatives"
        ),
        widget=GovSelect(),
        coerce=int,
    )
    submit = SubmitField("Add role", widget=GovSubmitInput())
