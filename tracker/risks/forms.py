"""Forms of the risk log: a risk, a review of a risk, and the log's filter (GOV.UK widgets)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from tracker.forms import (
    MAX_TEXT,
    CheckboxField,
    DateInputField,
    IdField,
    MaxLength,
    RadioField,
    Required,
    SelectField,
    SubmitButton,
    TextareaField,
)
from tracker.risks.models import Level, RiskStatus
from tracker.versioning import VersionedForm

LEVEL_CHOICES = [SelectChoice(level.value, f"{level.label} ({level.value})") for level in Level]
STATUS_CHOICES = RiskStatus.choices()


class ChoiceRadioField(RadioField):
    """Radios that answer a missing or unknown choice with one GOV.UK-style message
    ("Select high, medium or low for the probability") instead of "Not a valid choice".
    """

    def __init__(self, label: str | None = None, *, message: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.message = message

    def pre_validate(self, form: Any) -> None:
        values = {str(choice.value) for choice in self.choices}
        if not self.data or str(self.data) not in values:
            self.data = None  # so that no radio shows as checked
            raise StopValidation(self.message)


class RiskForm(VersionedForm, FlaskForm):
    description = TextareaField(
        "Risk description",
        validators=[
            Required(thing="a description of the risk"),
            MaxLength(MAX_TEXT, "Description"),
        ],
    )
    probability = ChoiceRadioField(
        "Probability",
        description="How likely the risk is to happen",
        choices=LEVEL_CHOICES,
        message="Select high, medium or low for the probability",
    )
    impact = ChoiceRadioField(
        "Impact",
        description="How much harm it would do to the project if it happened",
        choices=LEVEL_CHOICES,
        message="Select high, medium or low for the impact",
    )
    owner = IdField("Owner", default=0, choice_message="Select the owner, or no owner")
    countermeasures = TextareaField(
        "Countermeasures",
        description="What is being done to make the risk less likely or less harmful",
        validators=[MaxLength(MAX_TEXT, "Countermeasures")],
    )
    action_date = DateInputField(
        "Action date",
        description="For example, 31 3 2010. Leave blank if the action is ongoing.",
        what="action date",
    )
    action_ongoing = CheckboxField(
        "The action is ongoing (no single action date)",
    )
    status = ChoiceRadioField(
        "Status",
        choices=STATUS_CHOICES,
        message="Select whether the risk is open or closed",
    )
    review_by = DateInputField(
        "Review by",
        description="The date by which the risk should next be reviewed, for example 30 4 2010",
        what="review-by date",
    )
    submit = SubmitButton("Save risk")

    def validate_action_date(self, field: DateInputField) -> None:
        if field.data is not None and self.action_ongoing.data:
            raise StopValidation("Enter an action date or select ongoing, not both")


class ReviewForm(VersionedForm, FlaskForm):
    probability = ChoiceRadioField(
        "Probability",
        choices=LEVEL_CHOICES,
        message="Select high, medium or low for the probability",
    )
    impact = ChoiceRadioField(
        "Impact",
        choices=LEVEL_CHOICES,
        message="Select high, medium or low for the impact",
    )
    status = ChoiceRadioField(
        "Status",
        choices=STATUS_CHOICES,
        message="Select whether the risk is open or closed",
    )
    note = TextareaField(
        "Note",
        description="What was looked at and why the risk is judged as it is",
        validators=[MaxLength(MAX_TEXT, "Note")],
    )
    review_by = DateInputField(
        "Next review by",
        description="For example, 30 4 2010. Leave blank if no further review is planned.",
        what="next review date",
    )
    submit = SubmitButton("Record the review")


class RiskFilterForm(FlaskForm):
    """A GET form: which risks the log shows, and in which order."""

    class Meta:
        csrf = False

    status = SelectField("Status", validate_choice=False)
    owner = SelectField("Owner", validate_choice=False)
    probability = SelectField("Probability", validate_choice=False)
    impact = SelectField("Impact", validate_choice=False)
    sort = SelectField("Order", validate_choice=False)
    submit = SubmitButton("Show risks")
