"""Forms of the work plan, milestones and stage reviews (GOV.UK widgets and messages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from tracker.forms import Required
from tracker.plan.models import Progress, ReviewDecision

MAX_TEXT = 5000

# Words first; the symbols the project's own reports use (✓ complete, ☺ on track) as well.
PROGRESS_LABELS = {
    Progress.NOT_STARTED: "Not started",
    Progress.ON_TRACK: "On track",
    Progress.AT_RISK: "At risk",
    Progress.LATE: "Late",
    Progress.COMPLETE: "Complete",
}
PROGRESS_SYMBOLS = {Progress.COMPLETE: "✓", Progress.ON_TRACK: "☺"}
PROGRESS_COLOURS = {
    Progress.NOT_STARTED: "grey",
    Progress.ON_TRACK: "blue",
    Progress.AT_RISK: "amber",
    Progress.LATE: "red",
    Progress.COMPLETE: "green",
}


LATE_HINT = "A task past its target completion date that is not complete shows as late anyway"


def progress_choices() -> list[SelectChoice]:
    """Progress in words, followed by the project's symbol where it has one ("Complete ✓")."""
    return [
        SelectChoice(p.value, f"{label} {PROGRESS_SYMBOLS[p]}" if p in PROGRESS_SYMBOLS else label)
        for p, label in PROGRESS_LABELS.items()
    ]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


class DateInputField(Field):
    """A GOV.UK date input (day, month and year boxes); `data` is a `datetime.date` or None.

    `what` names the date in messages ("start date"); `required` is the message for a blank
    date, or None when it may be left blank. Messages follow the GOV.UK date input pattern.
    """

    widget = GovDateInput()

    def __init__(
        self,
        label: str | None = None,
        validators: list | None = None,
        *,
        what: str = "date",
        required: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.what = what
        self.required_message = required

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [(v or "").strip() for v in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts  # the widget shows what was typed
        self.data = None
        if not any(parts):
            if self.required_message:
                raise ValueError(self.required_message)
            return
        missing = [n for n, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        if missing:
            raise ValueError(f"{_capitalised(self.what)} must include a {' and a '.join(missing)}")
        if not all(part.isdigit() for part in parts):
            raise ValueError(f"Enter a real date for the {self.what}, like 26 2 2010")
        if len(parts[2]) != 4:
            raise ValueError("Year must include 4 numbers")
        day, month, year = (int(part) for part in parts)
        try:
            self.data = dt.date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"Enter a real date for the {self.what}, like 26 2 2010") from exc

    def _value(self) -> str:
        return ""


class TaskForm(FlaskForm):
    code = StringField(
        "Code",
        description="As the work plan numbers it, for example 2.3",
        widget=GovTextInput(),
        validators=[
            Required("Enter the task's code"),
            Length(max=20, message="Code must be 20 characters or fewer"),
        ],
    )
    stage = SelectField(
        "Stage", widget=GovSelect(), coerce=int, validators=[Required("Select the stage")]
    )
    activity = StringField(
        "Activity",
        widget=GovTextInput(),
        validators=[
            Required("Enter the activity"),
            Length(max=300, message="Activity must be 300 characters or fewer"),
        ],
    )
    detail = StringField(
        "Audience or detail",
        description="For example, EMT / Service Managers (3 workshops x 12 places)",
        widget=GovTextArea(),
        validators=[Length(max=MAX_TEXT, message=f"Detail must be {MAX_TEXT} characters or fewer")],
    )
    responsible = StringField(
        "Responsible people",
        description="Initials separated by /, for example PK/EG",
        widget=GovTextInput(),
        validators=[Length(max=200, message="Responsible people must be 200 characters or fewer")],
    )
    responsibility_note = StringField(
        "Responsibility, when it is not named people",
        description="For example, EMT/ Service Managers",
        widget=GovTextInput(),
        validators=[Length(max=200, message="Responsibility must be 200 characters or fewer")],
    )
    work_stream = SelectField("Work stream", widget=GovSelect(), coerce=int, default=0)
    start_date = DateInputField(
        "Start",
        description="For example, 1 4 2010",
        what="start date",
        required="Enter the start date",
    )
    target_finish = DateInputField(
        "Target completion",
        description="For example, 24 9 2010",
        what="target completion date",
        required="Enter the target completion date",
    )
    actual_finish = DateInputField(
        "Actual finish",
        description="Leave blank until the task is complete",
        what="actual finish date",
    )
    progress = RadioField(
        "Progress",
        description=LATE_HINT,
        widget=GovRadioInput(),
        choices=progress_choices(),
        default=Progress.NOT_STARTED.value,
        validators=[Required("Select the task's progress")],
    )
    comments = StringField(
        "Comments",
        widget=GovTextArea(),
        validators=[
            Length(max=MAX_TEXT, message=f"Comments must be {MAX_TEXT} characters or fewer")
        ],
    )
    submit = SubmitField("Save task", widget=GovSubmitInput())


class TaskProgressForm(FlaskForm):
    progress = RadioField(
        "Progress",
        description=LATE_HINT,
        widget=GovRadioInput(),
        choices=progress_choices(),
        validators=[Required("Select the task's progress")],
    )
    comments = StringField(
        "Comments",
        widget=GovTextArea(),
        validators=[
            Length(max=MAX_TEXT, message=f"Comments must be {MAX_TEXT} characters or fewer")
        ],
    )
    submit = SubmitField("Save progress", widget=GovSubmitInput())


class WorkPlanFilterForm(FlaskForm):
    """A GET form: which tasks the work plan shows."""

    class Meta:
        csrf = False

    stage = SelectField("Stage", widget=GovSelect(), validate_choice=False)
    work_stream = SelectField("Work stream", widget=GovSelect(), validate_choice=False)
    person = SelectField("Person responsible", widget=GovSelect(), validate_choice=False)
    status = SelectField("Progress", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Show tasks", widget=GovSubmitInput())


class MilestoneForm(FlaskForm):
    scheduled_finish = DateInputField(
        "Scheduled finish",
        description="For example, 31 3 2010",
        what="scheduled finish date",
        required="Enter the scheduled finish date",
    )
    actual_finish = DateInputField(
        "Actual finish",
        description="Leave blank until the milestone is reached",
        what="actual finish date",
    )
    notes = StringField(
        "Notes",
        widget=GovTextArea(),
        validators=[Length(max=MAX_TEXT, message=f"Notes must be {MAX_TEXT} characters or fewer")],
    )
    submit = SubmitField("Save milestone", widget=GovSubmitInput())


class ReviewRequestForm(FlaskForm):
    summary = StringField(
        "Summary for the sponsor",
        description=(
            "The products completed in this stage and what is outstanding. The stage's "
            "milestones and their variance are added to the review page automatically."
        ),
        widget=GovTextArea(),
        validators=[
            Required(
                "Enter a summary of the stage: the products completed and what is outstanding"
            ),
            Length(max=MAX_TEXT, message=f"Summary must be {MAX_TEXT} characters or fewer"),
        ],
    )
    meeting = SelectField(
        "Project group meeting",
        description="The meeting where the sponsor will review the stage",
        widget=GovSelect(),
        coerce=int,
        validators=[Required("Select the project group meeting the review is for")],
    )
    submit = SubmitField("Ask for the review", widget=GovSubmitInput())


DECISION_CHOICES = [
    SelectChoice(ReviewDecision.APPROVED.value, "Approved"),
    SelectChoice(ReviewDecision.APPROVED_WITH_CONDITIONS.value, "Approved with conditions"),
    SelectChoice(ReviewDecision.NOT_APPROVED.value, "Not approved"),
]


class ReviewDecisionForm(FlaskForm):
    decision = RadioField(
        "Your decision",
        description="A decision cannot be changed afterwards",
        widget=GovRadioInput(),
        choices=DECISION_CHOICES,
        validators=[Required("Select your decision")],
    )
    conditions = StringField(
        "Conditions",
        description="One condition per line. Each is tracked until it is closed.",
        widget=GovTextArea(),
        validators=[
            Length(max=MAX_TEXT, message=f"Conditions must be {MAX_TEXT} characters or fewer")
        ],
    )
    reasons = StringField(
        "Reasons the stage is not approved",
        description="What must be done before you can approve the stage",
        widget=GovTextArea(),
        validators=[
            Length(max=MAX_TEXT, message=f"Reasons must be {MAX_TEXT} characters or fewer")
        ],
    )
    submit = SubmitField("Record the decision", widget=GovSubmitInput())


class ConditionCloseForm(FlaskForm):
    note = StringField(
        "How the condition was met",
        widget=GovTextArea(),
        validators=[
            Required("Enter a note saying how the condition was met"),
            Length(max=MAX_TEXT, message=f"Note must be {MAX_TEXT} characters or fewer"),
        ],
    )
    submit = SubmitField("Close the condition", widget=GovSubmitInput())
