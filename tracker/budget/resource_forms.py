"""The form of a staff resource (Project Document 10.1): a role, how many people, and the work
days each gives."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from tracker.forms import MaxLength, Required, SubmitButton, TextInputField
from tracker.versioning import VersionedForm

MAX_PEOPLE = 999
MAX_DAYS_EACH = 366


class WholeNumber:
    """A whole number from 1 to `maximum`, with GOV.UK messages naming `what` ("the number of
    people"), and its capitalised name `name` ("Number of people")."""

    def __init__(self, what: str, name: str, maximum: int) -> None:
        self.what, self.name, self.maximum = what, name, maximum

    def __call__(self, form: Any, field: Any) -> None:
        text = (field.data or "").strip()
        if not text:
            raise ValidationError(f"Enter {self.what}")
        if not text.isdigit():
            raise ValidationError(f"{self.name} must be a whole number, like 2")
        if not 1 <= int(text) <= self.maximum:
            raise ValidationError(f"{self.name} must be between 1 and {self.maximum}")


class StaffResourceForm(VersionedForm, FlaskForm):
    role_name = TextInputField(
        "Role",
        description="For example, Work stream lead",
        validators=[Required(thing="the role"), MaxLength(200, "Role")],
    )
    quantity = TextInputField(
        "Number of people",
        validators=[WholeNumber("the number of people", "Number of people", MAX_PEOPLE)],
    )
    days_each = TextInputField(
        "Work days each",
        description="The days each person in the role gives the project",
        validators=[WholeNumber("the work days each", "Work days each", MAX_DAYS_EACH)],
    )
    submit = SubmitButton("Save staff resource")
