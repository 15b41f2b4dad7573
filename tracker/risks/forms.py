"""Forms of the risk log: a risk, a review of a risk, and the log's filter (GOV.UK widgets)."""

from __future__ import annotations

from collections.abc import Collection

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from tracker.forms import (
    MAX_TEXT,
    CheckboxField,
    ChoiceRadioField,
    DateInputField,
    IdField,
    MaxLength,
    Required,
    SelectField,
    SubmitButton,
    TextareaField,
)
from tracker.risks.models import Level, RiskStatus
from tracker.risks.services import NO_OWNER, STATUS_FILTERS, RiskFilter
from tracker.versioning import VersionedForm

LEVEL_CHOICES = [SelectChoice(level.value, f"{level.label} ({level.value})") for level in Level]
STATUS_CHOICES = RiskStatus.choices()


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


SORTS = {"score": "Highest score first", "number": "Risk number"}


class RiskFilterForm(FlaskForm):
    """A GET form on the query string, `RiskFilterForm(request.args)`: which risks the log
    shows, and in which order. A value it does not know (an old or hand-made address) is not
    refused: `risk_filter` drops it, and the log shows "any" for it (the score order for sort).
    The view sets the choices, the owners from the risks already loaded."""

    class Meta:
        csrf = False

    status = SelectField("Status", validate_choice=False)
    owner = SelectField("Owner", validate_choice=False)
    probability = SelectField("Probability", validate_choice=False)
    impact = SelectField("Impact", validate_choice=False)
    sort = SelectField("Order", validate_choice=False)
    submit = SubmitButton("Show risks")

    def validate_status(self, field: SelectField) -> None:
        _known(field, STATUS_FILTERS)

    def validate_owner(self, field: SelectField) -> None:
        if field.data != NO_OWNER and not str(field.data or "").isdigit():
            _known(field, ())

    def validate_probability(self, field: SelectField) -> None:
        _known(field, {level.value for level in Level})

    def validate_impact(self, field: SelectField) -> None:
        _known(field, {level.value for level in Level})

    def validate_sort(self, field: SelectField) -> None:
        _known(field, SORTS)

    def risk_filter(self) -> RiskFilter:
        """The filter the query string asks for, each value the form does not know dropped."""
        self.validate()
        for field in (self.status, self.owner, self.probability, self.impact, self.sort):
            if field.errors or not field.data:
                field.data = "score" if field is self.sort else ""
                field.errors = []
        return RiskFilter(
            status=self.status.data or None,
            owner=self.owner.data or None,
            probability=Level(self.probability.data) if self.probability.data else None,
            impact=Level(self.impact.data) if self.impact.data else None,
        )


def _known(field: SelectField, values: Collection[str]) -> None:
    if field.data and field.data not in values:
        raise StopValidation("Not a choice of the risk log's filter")
