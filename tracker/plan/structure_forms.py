"""Forms of the plan's structure: a stage and a new milestone (moving either up or down is
`tracker.ordering.MoveForm`)."""

from __future__ import annotations

from flask_wtf import FlaskForm

from tracker.forms import (
    MAX_TEXT,
    DateInputField,
    IdField,
    MaxLength,
    Required,
    SubmitButton,
    TextareaField,
    TextInputField,
    span_fields,
)
from tracker.versioning import VersionedForm


class StageForm(VersionedForm, FlaskForm):
    name = TextInputField(
        "Name",
        validators=[Required(thing="the stage's name"), MaxLength(200, "Name")],
    )
    start_date, end_date = span_fields("1 12 2009", "31 3 2010")
    products = TextareaField(
        "Products",
        description="What the stage delivers: one product a line",
        validators=[MaxLength(MAX_TEXT, "Products", grouped=True)],
    )
    submit = SubmitButton("Save stage")


class NewMilestoneForm(FlaskForm):
    name = TextInputField(
        "Name",
        validators=[Required(thing="the milestone's name"), MaxLength(300, "Name")],
    )
    stage = IdField("Stage", choice_message="Select a stage of this project")
    scheduled_finish = DateInputField(
        "Scheduled finish",
        description="For example, 31 3 2010",
        what="scheduled finish date",
        required="Enter the scheduled finish date",
    )
    notes = TextareaField("Notes", validators=[MaxLength(MAX_TEXT, "Notes", grouped=True)])
    submit = SubmitButton("Add milestone")
