"""Forms of the work plan, milestones and stage reviews (GOV.UK widgets and messages)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from tracker.auth.models import Person
from tracker.forms import (
    MAX_TEXT,
    DateInputField,
    IdField,
    MaxLength,
    RadioField,
    Required,
    SelectField,
    SubmitButton,
    TextareaField,
    TextInputField,
)
from tracker.plan.models import Progress, ReviewDecision, Task
from tracker.versioning import DecidedOnForm, VersionedForm

LATE_HINT = "A task past its target completion date that is not complete shows as late anyway"


def progress_choices() -> list[SelectChoice]:
    """Progress in words, followed by the project's symbol where it has one ("Complete ✓")."""
    return [SelectChoice(p.value, f"{p.label} {p.symbol}".strip()) for p in Progress]


class TaskForm(VersionedForm, FlaskForm):
    code = TextInputField(
        "Code",
        description="As the work plan numbers it, for example 2.3",
        validators=[
            Required(thing="the task's code"),
            MaxLength(20, "Code"),
        ],
    )
    stage = IdField(
        "Stage",
        choice_message="Select the stage",
        required=True,
    )
    activity = TextInputField(
        "Activity",
        validators=[
            Required(thing="the activity"),
            MaxLength(300, "Activity"),
        ],
    )
    detail = TextareaField(
        "Audience or detail",
        description="For example, EMT / Service Managers (3 workshops x 12 places)",
        validators=[MaxLength(MAX_TEXT, "Detail")],
    )
    responsible = TextInputField(
        "Responsible people",
        description="Initials separated by /, for example PK/EG",
        validators=[MaxLength(200, "Responsible people")],
    )
    responsibility_note = TextInputField(
        "Responsibility, when it is not named people",
        description="For example, EMT/ Service Managers",
        validators=[MaxLength(200, "Responsibility")],
    )
    work_stream = IdField(
        "Work stream",
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
        choices=progress_choices(),
        default=Progress.NOT_STARTED.value,
        validators=[Required(choice="the task's progress")],
    )
    comments = TextareaField(
        "Comments",
        validators=[MaxLength(MAX_TEXT, "Comments")],
    )
    submit = SubmitButton("Save task")


class TaskProgressForm(VersionedForm, FlaskForm):
    progress = RadioField(
        "Progress",
        description=LATE_HINT,
        choices=progress_choices(),
        validators=[Required(choice="the task's progress")],
    )
    comments = TextareaField(
        "Comments",
        validators=[MaxLength(MAX_TEXT, "Comments")],
    )
    submit = SubmitButton("Save progress")


class WorkPlanFilterForm(FlaskForm):
    """A GET form: which tasks the work plan shows."""

    class Meta:
        csrf = False

    stage = SelectField("Stage", validate_choice=False)
    work_stream = SelectField("Work stream", validate_choice=False)
    person = SelectField("Person responsible", validate_choice=False)
    status = SelectField("Progress", validate_choice=False)
    submit = SubmitButton("Show tasks")


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
    notes = TextareaField(
        "Notes",
        validators=[MaxLength(MAX_TEXT, "Notes")],
    )
    submit = SubmitButton("Save milestone")


class ReviewRequestForm(FlaskForm):
    summary = TextareaField(
        "Summary for the sponsor",
        description=(
            "The products completed in this stage and what is outstanding, drafted from the "
            "work plan for you to edit. The stage's milestones and their variance are added "
            "to the review page automatically."
        ),
        validators=[
            Required(
                thing="a summary of the stage: the products completed and what is outstanding"
            ),
            MaxLength(MAX_TEXT, "Summary"),
        ],
    )
    meeting = IdField(
        "Project group meeting",
        description="The meeting where the sponsor will review the stage",
        choice_message="Select the project group meeting the review is for",
        required=True,
    )
    submit = SubmitButton("Ask for the review")


class ReviewDecisionForm(DecidedOnForm, FlaskForm):
    decision = RadioField(
        "Your decision",
        description="A decision cannot be changed afterwards",
        choices=ReviewDecision.choices(),
        validators=[Required(choice="your decision")],
    )
    conditions = TextareaField(
        "Conditions",
        description="One condition per line. Each is tracked until it is closed.",
        validators=[MaxLength(MAX_TEXT, "Conditions")],
    )
    reasons = TextareaField(
        "Reasons the stage is not approved",
        description="What must be done before you can approve the stage",
        validators=[MaxLength(MAX_TEXT, "Reasons")],
    )
    submit = SubmitButton("Record the decision")


class ConditionCloseForm(FlaskForm):
    note = TextareaField(
        "How the condition was met",
        validators=[
            Required(thing="a note saying how the condition was met"),
            MaxLength(MAX_TEXT, "Note"),
        ],
    )
    submit = SubmitButton("Close the condition")


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
