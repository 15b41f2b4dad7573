"""Forms of the highlight reports (GOV.UK widgets and messages)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from tracker.forms import DateInputField, IdField, RadioField, Required, SelectField, SubmitButton
from tracker.versioning import VersionedForm


class PeriodForm(FlaskForm):
    period_start = DateInputField(
        "Start of the period",
        description="For example, 29 1 2010",
        what="the start of the period",
        required="Enter the start of the period",
    )
    period_end = DateInputField(
        "End of the period",
        description="For example, 26 2 2010",
        what="the end of the period",
        required="Enter the end of the period",
    )
    submit = SubmitButton("Draft the report")

    def validate_period_end(self, field: DateInputField) -> None:
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError("The end of the period must be on or after its start")


class ActionForm(VersionedForm, FlaskForm):
    """A button that carries the CSRF token and the version of the report it acts on (issue,
    correct), or the form of a draft's sections (whose fields the page writes itself)."""

    submit = SubmitButton("Issue the report")


class StreamReportForm(PeriodForm):
    work_stream = IdField("Work stream", choice_message="Select one of your work streams")


class QuarterForm(FlaskForm):
    year = SelectField("Year", coerce=int, validate_choice=False)
    quarter = RadioField(
        "Quarter",
        choices=[
            SelectChoice("1", "January to March"),
            SelectChoice("2", "April to June"),
            SelectChoice("3", "July to September"),
            SelectChoice("4", "October to December"),
        ],
        validators=[Required(choice="the quarter")],
    )
    submit = SubmitButton("Draft the report")
