"""The form that creates a project (GOV.UK widgets)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Optional

from tracker.forms import (
    MAX_TEXT,
    CheckboxField,
    IdField,
    MaxLength,
    Required,
    SubmitButton,
    TextareaField,
    TextInputField,
    capitalised,
    span_fields,
)
from tracker.risks.forms import ChoiceRadioField

NEW_PERSON = 0
FROM_TEMPLATE = "template"
FROM_COPY = "copy"
_EMAIL = Email(message="Enter an email address in the correct format, like name@example.gov.uk")


def _person_fields(role: str) -> tuple[IdField, TextInputField, TextInputField]:
    return (
        IdField(
            capitalised(role),
            description=f"Someone already in the tracker, or someone new as the {role}",
            choice_message=f"Select the {role}, or someone new",
        ),
        TextInputField(
            f"Full name of the new {role}",
            validators=[MaxLength(120, "Full name")],
        ),
        TextInputField(
            f"Email address of the new {role}",
            validators=[Optional(), _EMAIL, MaxLength(254, "Email address")],
        ),
    )


class NewProjectForm(FlaskForm):
    council = TextInputField(
        "Council",
        validators=[Required(thing="the council's name"), MaxLength(200, "Council")],
    )
    name = TextInputField(
        "Project name",
        description="For example, Customer Service Excellence 2027",
        validators=[Required(thing="the project's name"), MaxLength(200, "Project name")],
    )
    slug = TextInputField(
        "Web address",
        description=(
            "Lower-case letters, numbers and hyphens, like cse-2027. "
            "Leave blank to make one from the project's name."
        ),
        validators=[MaxLength(60, "Web address")],
    )
    objective = TextareaField("Objective", validators=[MaxLength(MAX_TEXT, "Objective")])
    scope = TextareaField("Scope", validators=[MaxLength(MAX_TEXT, "Scope")])
    sponsor, sponsor_name, sponsor_email = _person_fields("sponsor")
    manager, manager_name, manager_email = _person_fields("manager")
    start_date, end_date = span_fields("1 4 2026", "31 7 2027")
    start_from = ChoiceRadioField(
        "How to start",
        choices=[
            SelectChoice(
                FROM_TEMPLATE,
                "From the CSE template: five stages, a first work plan and milestones",
            ),
            SelectChoice(
                FROM_COPY, "As a copy of another project: its structure, without its progress"
            ),
        ],
        message="Select how to start the project",
    )
    copy_of = IdField(
        "Project to copy",
        default=0,
        choice_message="Select the project to copy",
    )
    copy_evidence = CheckboxField("Copy its evidence library too, for the next cycle")
    copy_people = CheckboxField("Copy its people and their roles too")
    submit = SubmitButton("Create the project")

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields that depend on others: a new person needs a name and an email address;
        a copy needs the project it copies."""
        valid = super().validate(extra_validators)
        for role in ("sponsor", "manager"):
            if self[role].data != NEW_PERSON:
                continue
            for part, thing in (("name", "full name"), ("email", "email address")):
                field = self[f"{role}_{part}"]
                if not (field.data or "").strip() and not field.errors:
                    field.errors.append(f"Enter the new {role}'s {thing}, or select someone")
                    valid = False
        if self.start_from.data == FROM_COPY and not self.copy_of.data:
            self.copy_of.errors.append("Select the project to copy")
            valid = False
        return valid
