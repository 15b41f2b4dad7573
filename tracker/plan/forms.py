"""Forms of the work plan, milestones and stage reviews (GOV.UK widgets and messages)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from tracker.auth.models import Person
from tracker.forms import DateInputField, IdField, Required
from tracker.plan.models import Progress, ReviewDecision, Task
from tracker.versioning import DecidedOnForm, VersionedForm

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


class TaskForm(VersionedForm, FlaskForm):
    code = StringField(
        "Code",
        description="As the work plan numbers it, for example 2.3",
        widget=GovTextInput(),
        validators=[
            Required("Enter the task's code"),
            Length(max=20, message="Code must be 20 characters or fewer"),
        ],
    )
    stage = IdField(
        "Stage",
        widget=GovSelect(),
        validators=[Required("Select the stage")],
        choice_message="Select the stage",
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
    work_stream = IdField(
        "Work stream",
        widget=GovSelect(),
        default=0,
        choice_message="Select a work stream of this project, or none",
    )
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


class TaskProgressForm(VersionedForm, FlaskForm):
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


class MilestoneForm(VersionedForm, FlaskForm):
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
            "The products completed in this stage and what is outstanding, drafted from the "
            "work plan for you to edit. The stage's milestones and their variance are added "
            "to the review page automatically."
        ),
        widget=GovTextArea(),
        validators=[
            Required(
                "Enter a summary of the stage: the products completed and what is outstanding"
            ),
            Length(max=MAX_TEXT, message=f"Summary must be {MAX_TEXT} characters or fewer"),
        ],
    )
    meeting = IdField(
        "Project group meeting",
        description="The meeting where the sponsor will review the stage",
        widget=GovSelect(),
        validators=[Required("Select the project group meeting the review is for")],
        choice_message="Select the project group meeting the review is for",
    )
    submit = SubmitField("Ask for the review", widget=GovSubmitInput())


DECISION_CHOICES = [
    SelectChoice(ReviewDecision.APPROVED.value, "Approved"),
    SelectChoice(ReviewDecision.APPROVED_WITH_CONDITIONS.value, "Approved with conditions"),
    SelectChoice(ReviewDecision.NOT_APPROVED.value, "Not approved"),
]


class ReviewDecisionForm(DecidedOnForm, FlaskForm):
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


def people_initials(people: Iterable[Person]) -> str:
    """People as the work plan writes them: "PK/EG"."""
    return "/".join(p.initials or p.name for p in people)


def task_data(task: Task) -> dict[str, Any]:
    """The task as its form holds it."""
    return {
        "code": task.code,
        "stage": task.stage_id,
        "activity": task.activity,
        "detail": task.detail,
        "responsible": people_initials(task.responsible),
        "responsibility_note": task.responsibility_note,
        "work_stream": task.work_stream_id or 0,
        "start_date": task.start_date,
        "target_finish": task.target_finish,
        "actual_finish": task.actual_finish,
        "progress": task.progress.value,
        "comments": task.comments,
    }
