"""Forms of the timeline pages: dependencies, baselines, plan import and the chart's filters."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired
from wtforms import StringField
from wtforms.validators import ValidationError

from tracker.forms import (
    CheckboxField,
    ChoiceField,
    FileInputField,
    MaxLength,
    Required,
    SelectField,
    SubmitButton,
    TextInputField,
)

MAX_LAG_DAYS = 365


class DependencyForm(FlaskForm):
    predecessor = ChoiceField(
        "Task or milestone that must finish first",
        description="A milestone finishes on the day it is reached, such as a stage review.",
        choice_message="Select the task or milestone that must finish first",
        required=True,
    )
    successor = ChoiceField(
        "Task or milestone that waits for it",
        choice_message="Select the task or milestone that waits for it",
        required=True,
    )
    lag_days = TextInputField(
        "Lag in days (optional)",
        description="Days to wait after the first one finishes, for example 5. Blank for none.",
    )
    submit = SubmitButton("Add dependency")

    def validate_lag_days(self, field: StringField) -> None:
        text = (field.data or "").strip()
        if not text:
            return
        try:
            value = int(text)
        except ValueError as exc:
            raise ValidationError("Lag must be a whole number of days, like 5") from exc
        if abs(value) > MAX_LAG_DAYS:
            raise ValidationError(f"Lag must be between -{MAX_LAG_DAYS} and {MAX_LAG_DAYS} days")

    @property
    def lag(self) -> int:
        text = (self.lag_days.data or "").strip()
        return int(text) if text else 0


class BaselineForm(FlaskForm):
    name = TextInputField(
        "Name of the baseline",
        description="Name it after the plan's version and date, for example V1.3 31 Mar 2010",
        validators=[
            Required(thing="a name for the baseline"),
            MaxLength(200, "Baseline name"),
        ],
    )
    milestone_baselines = CheckboxField(
        "Also make each milestone's scheduled finish its baseline finish",
        description=(
            "The milestone table then measures each finish variance from today's plan. "
            "Leave this unticked to keep the baseline finishes the milestone table has now."
        ),
    )
    submit = SubmitButton("Save baseline")


class ImportForm(FlaskForm):
    file = FileInputField(
        "Plan file",
        description=(
            "An Excel workbook (.xlsx) or a CSV file saved as UTF-8, as Microsoft Project "
            "exports it: columns ID, Name, Start, Finish, Predecessors and Resource Names."
        ),
        validators=[FileRequired("Select a file to import")],
    )
    submit = SubmitButton("Check and import")


class TimelineFilterForm(FlaskForm):
    """A GET form: which stage, work stream and baseline the Gantt chart shows."""

    class Meta:
        csrf = False

    stage = SelectField("Stage", validate_choice=False)
    work_stream = SelectField("Work stream", validate_choice=False)
    baseline = SelectField("Compare with baseline", validate_choice=False)
    submit = SubmitButton("Show")
