"""Forms of setting a project up: its details, work streams, services, meetings, roles and
contacts (GOV.UK widgets). The views set the choices of people and work streams."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, StopValidation

from tracker.forms import (
    MAX_TEXT,
    CheckboxField,
    ChoiceField,
    ChoiceRadioField,
    DateInputField,
    IdField,
    IdsField,
    MaxLength,
    Required,
    SubmitButton,
    TextareaField,
    TextInputField,
    span_fields,
)
from tracker.projects.models import MeetingKind, Role
from tracker.versioning import VersionedForm


class PeopleField(IdsField):
    """GOV.UK checkboxes of the project's people, by id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, choice_message="Select people from the list", **kwargs)


class ProjectForm(VersionedForm, FlaskForm):
    name = TextInputField(
        "Project name",
        validators=[Required(thing="the project's name"), MaxLength(200, "Project name")],
    )
    council = TextInputField(
        "Council",
        description="Shown in the project's header, pages and reports",
        validators=[Required(thing="the council's name"), MaxLength(200, "Council")],
    )
    objective = TextareaField(
        "Objective", validators=[MaxLength(MAX_TEXT, "Objective", grouped=True)]
    )
    scope = TextareaField("Scope", validators=[MaxLength(MAX_TEXT, "Scope", grouped=True)])
    start_date, end_date = span_fields("4 1 2010", "31 3 2011")
    submit = SubmitButton("Save the project's details")


class WorkStreamForm(VersionedForm, FlaskForm):
    name = TextInputField(
        "Name", validators=[Required(thing="the work stream's name"), MaxLength(200, "Name")]
    )
    code = TextInputField(
        "Code",
        description="A short name used in the plan and the reports, for example CCS",
        validators=[Required(thing="the work stream's code"), MaxLength(20, "Code")],
    )
    leads = PeopleField("Leads", description="Who leads the stream and reports on it monthly")
    members = PeopleField("Members", description="Who contributes evidence to the stream")
    submit = SubmitButton("Save the work stream")


class ServiceForm(VersionedForm, FlaskForm):
    name = TextInputField(
        "Service", validators=[Required(thing="the service's name"), MaxLength(200, "Service")]
    )
    corporate_area = TextInputField(
        "Corporate area",
        description="The part of the council the service belongs to, for example Finance",
        validators=[
            Required(thing="the corporate area"),
            MaxLength(200, "Corporate area"),
        ],
    )
    work_stream = IdField(
        "Work stream",
        default=0,
        description="The work stream that evidences for the service, if any",
        choice_message="Select a work stream of this project, or none",
    )
    submit = SubmitButton("Save the service")


class MeetingForm(VersionedForm, FlaskForm):
    kind = ChoiceRadioField(
        "Kind of meeting",
        choices=MeetingKind.choices(),
        message="Select the kind of meeting",
    )
    held_on = DateInputField(
        "Date",
        description="For example, 26 2 2010",
        what="date of the meeting",
        required="Enter the date of the meeting",
    )
    month_only = CheckboxField("Only the month is known so far")
    notes = TextareaField(
        "Title and notes",
        description="What the meeting is for, and anything to remember about it",
        validators=[MaxLength(MAX_TEXT, "Notes", grouped=True)],
    )
    submit = SubmitButton("Save the meeting")


class NewOrKnownPerson:
    """Mix into a form that names a person: one the project knows (`person`, an id), or a new
    one typed in (name and email address) when `person` is the blank choice, 0."""

    person = IdField("Person", default=0, choice_message="Select a person, or a new person")
    name = TextInputField("New person's full name", validators=[MaxLength(120, "Full name")])
    email = TextInputField(
        "New person's email address", validators=[MaxLength(254, "Email address")]
    )

    def validate_name(self, field: TextInputField) -> None:
        if not self.person.data and not (field.data or "").strip():
            raise StopValidation("Enter the new person's full name, or select a person")

    def validate_email(self, field: TextInputField) -> None:
        if self.person.data:
            return
        if not (field.data or "").strip():
            raise StopValidation("Enter the new person's email address, or select a person")
        Email(message="Enter an email address in the correct format, like name@example.gov.uk")(
            self, field
        )


class RoleForm(NewOrKnownPerson, FlaskForm):
    role = ChoiceField(
        "Role",
        choices=[SelectChoice("", "Select a role"), *Role.choices()],
        choice_message="Select a role",
        required=True,
    )
    work_stream = IdField(
        "Work stream",
        default=0,
        description="For a work stream lead, member or policy and performance representative",
        choice_message="Select a work stream of this project, or none",
    )
    submit = SubmitButton("Give the role")


class ContactForm(NewOrKnownPerson, FlaskForm):
    responsibility = TextInputField(
        "Contact for",
        description="What they are the project's contact for, for example Communications",
        validators=[Required(thing="what they are the contact for"), MaxLength(200, "Contact for")],
    )
    submit = SubmitButton("Add the contact")
