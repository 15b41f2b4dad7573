"""Forms of the issue log and of requests for change (appendix 7)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from tracker.forms import ChoiceField, DateInputField, IdField, PoundsField, Required
from tracker.versioning import DecidedOnForm, VersionedForm

MAX_TEXT = 5000
MAX_DAYS = 10_000
# The meeting select's last choice: a project group meeting not yet in the tracker.
OTHER_MEETING = "other"


class IssueForm(VersionedForm, FlaskForm):
    description = StringField(
        "Description",
        widget=GovTextArea(),
        validators=[
            Required("Enter a description of the issue"),
            Length(max=MAX_TEXT, message=f"Description must be {MAX_TEXT} characters or fewer"),
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
        widget=GovSelect(),
        validators=[Required("Select the author")],
        choice_message="Select the author",
    )
    resolution = StringField(
        "Resolution",
        description="What has been or will be done about it. Leave blank until you know.",
        widget=GovTextArea(),
        validators=[
            Length(max=MAX_TEXT, message=f"Resolution must be {MAX_TEXT} characters or fewer")
        ],
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[SelectChoice("open", "Open"), SelectChoice("closed", "Closed")],
        default="open",
        validators=[Required("Select whether the issue is open or closed")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class ChangeRequestForm(FlaskForm):
    """Part 1 – description of change, by the project member who suggests it."""

    description = StringField(
        "Description of change",
        widget=GovTextArea(),
        validators=[
            Required("Enter a description of the change"),
            Length(max=MAX_TEXT, message=f"Description must be {MAX_TEXT} characters or fewer"),
        ],
    )
    expected_benefits = StringField(
        "Expected benefits",
        description="Why the change is worth making: the justification for it.",
        widget=GovTextArea(),
        validators=[
            Required("Enter the expected benefits of the change"),
            Length(
                max=MAX_TEXT, message=f"Expected benefits must be {MAX_TEXT} characters or fewer"
            ),
        ],
    )
    submit = SubmitField("Raise the request for change", widget=GovSubmitInput())


class AssessmentForm(VersionedForm, FlaskForm):
    """Part 2 – impact analysis, by the project manager or the project support officer."""

    impact_days = StringField(
        "Number of days of work",
        description="Technical impact: the extra days of work the change needs. 0 if none.",
        widget=GovTextInput(),
    )
    impact_products = StringField(
        "Other products affected",
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(
                max=MAX_TEXT, message=f"Products affected must be {MAX_TEXT} characters or fewer"
            ),
        ],
    )
    impact_cost = PoundsField(
        "Cost of the change",
        description="Financial impact, in pounds. 0 if none.",
        what="the cost of the change",
        required="Enter the cost of the change, or 0 if it costs nothing",
    )
    needs_more_resources = BooleanField(
        "The change needs more resources (people or time) than the project has",
        widget=GovCheckboxInput(),
    )
    changes_requirements = BooleanField(
        "The change alters the project's requirements", widget=GovCheckboxInput()
    )
    raise_to_major = BooleanField(
        "Treat this as a major change (decided by the project sponsor)",
        description="Only raises a change: a major change cannot be made minor.",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save the impact analysis", widget=GovSubmitInput())

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
        widget=GovSelect(),
        validators=[Required("Select the task, milestone, stage, project end or budget line")],
        choice_message="Select the task, milestone, stage, project end or budget line",
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
    submit = SubmitField("Add to the proposed effects", widget=GovSubmitInput())

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
        widget=GovRadioInput(),
        choices=[
            SelectChoice("approve", "Approve the change"),
            SelectChoice("reject", "Reject the change"),
        ],
        validators=[Required("Select whether to approve or reject the change")],
    )
    note = StringField(
        "Action required or reason for rejection",
        description="A reason is needed to reject a change.",
        widget=GovTextArea(),
        validators=[
            Length(max=MAX_TEXT, message=f"The note must be {MAX_TEXT} characters or fewer")
        ],
    )
    meeting = ChoiceField(
        "Project group meeting",
        description="A major change is decided by the sponsor at a project group meeting.",
        widget=GovSelect(),
        default="",  # a minor change is decided without one
        choice_message="Select the project group meeting at which the sponsor decided",
    )
    meeting_date = DateInputField(
        "Date of the meeting, if it is not listed",
        description="For example, 26 2 2010",
        what="the date of the meeting",
    )
    submit = SubmitField("Record the decision", widget=GovSubmitInput())

    def validate_note(self, field: StringField) -> None:
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError("Enter the reason for rejecting the change")
