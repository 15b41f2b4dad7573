"""Forms of the evidence library (GOV.UK widgets and messages)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from tracker.evidence.models import ActionStatus
from tracker.forms import (
    MAX_TEXT,
    CheckboxField,
    DateInputField,
    FileInputField,
    IdField,
    MaxLength,
    RadioField,
    Required,
    SubmitButton,
    TextareaField,
    TextInputField,
)
from tracker.projects.setup_forms import PeopleField
from tracker.versioning import VersionedForm


class EvidenceForm(VersionedForm, FlaskForm):
    title = TextInputField(
        "Title",
        validators=[
            Required(thing="a title for the evidence"),
            MaxLength(300, "Title"),
        ],
    )
    description = TextareaField(
        "Description",
        description="What the evidence shows, and where in the document to look",
        validators=[MaxLength(MAX_TEXT, "Description")],
    )
    work_stream = IdField(
        "Work stream",
        choice_message="Select a work stream you can add evidence for",
    )
    elements = TextInputField(
        "Elements it supports",
        description="The numbers of the elements of the standard, separated by commas, "
        "for example 1.1.1, 2.3.4",
    )
    evidence_date = DateInputField(
        "Date of the evidence",
        description="The date the document is from, not today's. For example, 26 2 2010",
        what="the date of the evidence",
    )
    review_by = DateInputField(
        "Review by (optional)",
        description="When the evidence should be checked to see it is still current",
        what="the review-by date",
    )
    file = FileInputField(
        "File",
        description="PDF, Word, Excel, PowerPoint, OpenDocument, image, CSV, text or e-mail",
    )
    link_url = TextInputField(
        "Or a link to the document",
        description="For a document on the council's intranet, for example https://intranet/page",
        validators=[MaxLength(2000, "Link")],
    )
    personal_data = CheckboxField(
        "The evidence holds residents' personal data (for example complaint letters)",
    )
    retain_until = DateInputField(
        "Keep the personal data until",
        description="After this date the manager is asked to remove or anonymise it",
        what="the date to keep the personal data until",
    )
    submit = SubmitButton("Add the evidence")


class VersionForm(FlaskForm):
    file = FileInputField("New version of the file")
    submit = SubmitButton("Upload the new version")


class SubmitForm(FlaskForm):
    submit = SubmitButton("Submit for review")


class ReviewForm(FlaskForm):
    outcome = RadioField(
        "Your review",
        choices=[
            SelectChoice("accept", "Accept the evidence"),
            SelectChoice("return", "Return it: it needs work"),
        ],
        validators=[Required(choice="whether to accept or return the evidence")],
    )
    comment = TextareaField(
        "Comments",
        description="Needed when you return the evidence: say what it needs",
        validators=[MaxLength(MAX_TEXT, "Comments")],
    )
    # The item as the reviewer saw it (services.review_basis): a review of a page read before
    # the item changed is refused.
    seen = HiddenField()
    submit = SubmitButton("Record the review")


class GapActionForm(VersionedForm, FlaskForm):
    description = TextareaField(
        "What will be done",
        validators=[
            Required(thing="what will be done about the gap"),
            MaxLength(MAX_TEXT, "Description"),
        ],
    )
    owner = IdField("Owner", choice_message="Select the owner from the list, or no one yet")
    due_on = DateInputField("Due", description="For example, 30 9 2010", what="the due date")
    status = RadioField(
        "Status",
        choices=ActionStatus.choices(),
        default="open",
        validators=[Required(choice="the status of the action")],
    )
    submit = SubmitButton("Save the action")


class RoundForm(VersionedForm, FlaskForm):
    name = TextInputField(
        "Name of the round",
        description="For example, Pre-assessment Oct 2010",
        validators=[
            Required(thing="a name for the round"),
            MaxLength(200, "Name"),
        ],
    )
    scale = RadioField(
        "Scale",
        choices=[
            SelectChoice("self", "The council's self-assessment: 100%, >50%, <50%, 0%"),
            SelectChoice(
                "assessor",
                "The assessor's: Compliance Plus, Compliance, Partial Compliance, Non-compliance",
            ),
        ],
        validators=[Required(choice="the scale of the round")],
    )
    scope = RadioField(
        "Rated for",
        choices=[
            SelectChoice("service", "Each service"),
            SelectChoice("work_stream", "Each work stream"),
            SelectChoice("council", "The whole council"),
        ],
        validators=[Required(choice="what the round rates")],
    )
    held_from = DateInputField("Held from", what="the date the round started")
    held_to = DateInputField("Held until", what="the date the round ended")
    submit = SubmitButton("Add the round")

    def validate_held_to(self, field: DateInputField) -> None:
        if field.data and self.held_from.data and field.data < self.held_from.data:
            raise ValidationError("The date the round ended must be on or after its start")


class ImportForm(FlaskForm):
    file = FileInputField(
        "Spreadsheet of ratings",
        description="An Excel workbook (.xlsx) or CSV file with the columns Element, Service "
        "(or Work stream) and Rating; a Note column is optional",
    )
    submit = SubmitButton("Import the ratings")


class ElementsField(PeopleField):
    """Checkboxes of the standard's elements, by id (the page lays them out by criterion)."""

    refusal = "Select elements of the standard from the list"


class StreamElementsForm(VersionedForm, FlaskForm):
    elements = ElementsField("Elements this work stream is expected to evidence")
    submit = SubmitButton("Save the elements")
