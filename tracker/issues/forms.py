"""Forms of the issue log and of requests for change (appendix 7)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from tracker.forms import (
    MAX_TEXT,
    CheckboxField,
    ChoiceField,
    DateInputField,
    IdField,
    MaxLength,
    PoundsField,
    RadioField,
    Required,
    SubmitButton,
    TextareaField,
    TextInputField,
)
from tracker.issues.models import EntryStatus
from tracker.versioning import DecidedOnForm, VersionedForm

MAX_DAYS = 10_000
# The meeting select's last choice: a project group meeting not yet in the tracker.
OTHER_MEETING = "other"


class IssueForm(VersionedForm, FlaskForm):
    description = TextareaField(
        "Description",
        validators=[
            Required(thing="a description of the issue"),
            MaxLength(MAX_TEXT, "Description"),
        ],
    )
    identified_on = DateInputField(
        "Date identified",
        description="For example, 26 2 2010",
        what="the date identified",
        required="Enter the date the issue was identified",
    )
    author = IdField(
        "Author",
        choice_message="Select the author",
        required=True,
    )
    resolution = TextareaField(
        "Resolution",
        description="What has been or will be done about it. Leave blank until you know.",
        validators=[MaxLength(MAX_TEXT, "Resolution")],
    )
    status = RadioField(
        "Status",
        choices=EntryStatus.choices(),
        default="open",
        validators=[Required(choice="whether the issue is open or closed")],
    )
    submit = SubmitButton("Save")


class ChangeRequestForm(FlaskForm):
    """Part 1 – description of change, by the project member who suggests it."""

    description = TextareaField(
        "Description of change",
        validators=[
            Required(thing="a description of the change"),
            MaxLength(MAX_TEXT, "Description"),
        ],
    )
    expected_benefits = TextareaField(
        "Expected benefits",
        description="Why the change is worth making: the justification for it.",
        validators=[
            Required(thing="the expected benefits of the change"),
            MaxLength(MAX_TEXT, "Expected benefits"),
        ],
    )
    submit = SubmitButton("Raise the request for change")


class AssessmentForm(VersionedForm, FlaskForm):
    """Part 2 – impact analysis, by the project manager or the project support officer."""

    impact_days = TextInputField(
        "Number of days of work",
        description="Technical impact: the extra days of work the change needs. 0 if none.",
    )
    impact_products = TextareaField(
        "Other products affected",
        validators=[
            Optional(),
            MaxLength(MAX_TEXT, "Products affected"),
        ],
    )
    impact_cost = PoundsField(
        "Cost of the change",
        description="Financial impact, in pounds. 0 if none.",
        what="the cost of the change",
        required="Enter the cost of the change, or 0 if it costs nothing",
    )
    needs_more_resources = CheckboxField(
        "The change needs more resources (people or time) than the project has",
    )
    changes_requirements = CheckboxField(
        "The change alters the project's requirements",
    )
    raise_to_major = CheckboxField(
        "Treat this as a major change (decided by the project sponsor)",
        description="Only raises a change: a major change cannot be made minor.",
    )
    submit = SubmitButton("Save the impact analysis")

    def validate_impact_days(self, field: StringField) -> None:
        text = (field.data or "").strip()
        if not text:
            raise ValidationError("Enter the number of days of work, or 0 if none")
        if not text.lstrip("-").isdigit():
            raise ValidationError("Number of days of work must be a whole number, like 5")
        value = int(text)
        if value < 0:
            raise ValidationError("Number of days of work must be 0 or more")
        if value > MAX_DAYS:
            raise ValidationError(f"Number of days of work must be {MAX_DAYS:,} or fewer")

    @property
    def days(self) -> int:
        return int((self.impact_days.data or "0").strip())


class EffectForm(FlaskForm):
    """One proposed effect on the plan or the budget: what moves, and to what."""

    target = ChoiceField(
        "What the change moves",
        choice_message="Select the task, milestone, stage, project end or budget line",
        required=True,
    )
    new_date = DateInputField(
        "New date",
        description="For a task, milestone, stage or the project end. For example, 31 3 2010",
        what="the new date",
    )
    new_amount = PoundsField(
        "New provision",
        description="For a budget line: its whole provision after the change, in pounds.",
        what="the new provision",
    )
    submit = SubmitButton("Add to the proposed effects")

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        choice = self.target.data or ""
        if choice.startswith("budget_line:"):
            if self.new_amount.data is None:
                self.new_amount.errors.append("Enter the new provision of the budget line")
                return False
        elif self.new_date.data is None:
            self.new_date.errors.append("Enter the new date")
            return False
        return True


class DecisionForm(DecidedOnForm, FlaskForm):
    decision = RadioField(
        "Decision",
        choices=[
            SelectChoice("approve", "Approve the change"),
            SelectChoice("reject", "Reject the change"),
        ],
        validators=[Required(choice="whether to approve or reject the change")],
    )
    note = TextareaField(
        "Action required or reason for rejection",
        description="A reason is needed to reject a change.",
        validators=[MaxLength(MAX_TEXT, "The note")],
    )
    meeting = ChoiceField(
        "Project group meeting",
        description="A major change is decided by the sponsor at a project group meeting.",
        default="",  # a minor change is decided without one
        choice_message="Select the project group meeting at which the sponsor decided",
    )
    meeting_date = DateInputField(
        "Date of the meeting, if it is not listed",
        description="For example, 26 2 2010",
        what="the date of the meeting",
    )
    submit = SubmitButton("Record the decision")

    def validate_note(self, field: StringField) -> None:
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError("Enter the reason for rejecting the change")
