"""Forms of the evidence library (GOV.UK widgets and messages)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from tracker.forms import DateInputField, IdField, Required
from tracker.versioning import VersionedForm

MAX_TEXT = 5000


class EvidenceForm(VersionedForm, FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            Required("Enter a title for the evidence"),
            Length(max=300, message="Title must be 300 characters or fewer"),
        ],
    )
    description = StringField(
        "Description",
        description="What the evidence shows, and where in the document to look",
        widget=GovTextArea(),
        validators=[
            Length(max=MAX_TEXT, message=f"Description must be {MAX_TEXT} characters or fewer")
        ],
    )
    work_stream = IdField(
        "Work stream",
        widget=GovSelect(),
        choice_message="Select a work stream you can add evidence for",
    )
    elements = StringField(
        "Elements it supports",
        description="The numbers of the elements of the standard, separated by commas, "
        "for example 1.1.1, 2.3.4",
        widget=GovTextInput(),
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
    file = FileField(
        "File",
        description="PDF, Word, Excel, PowerPoint, OpenDocument, image, CSV, text or e-mail",
        widget=GovFileInput(),
    )
    link_url = StringField(
        "Or a link to the document",
        description="For a document on the council's intranet, for example https://intranet/page",
        widget=GovTextInput(),
        validators=[Length(max=2000, message="Link must be 2000 characters or fewer")],
    )
    personal_data = BooleanField(
        "The evidence holds residents' personal data (for example complaint letters)",
        widget=GovCheckboxInput(),
    )
    retain_until = DateInputField(
        "Keep the personal data until",
        description="After this date the manager is asked to remove or anonymise it",
        what="the date to keep the personal data until",
    )
    submit = SubmitField("Add the evidence", widget=GovSubmitInput())


class VersionForm(FlaskForm):
    file = FileField("New version of the file", widget=GovFileInput())
    submit = SubmitField("Upload the new version", widget=GovSubmitInput())


class SubmitForm(FlaskForm):
    submit = SubmitField("Submit for review", widget=GovSubmitInput())


class ReviewForm(FlaskForm):
    outcome = RadioField(
        "Your review",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("accept", "Accept the evidence"),
            SelectChoice("return", "Return it: it needs work"),
        ],
        validators=[Required("Select whether to accept or return the evidence")],
    )
    comment = StringField(
        "Comments",
        description="Needed when you return the evidence: say what it needs",
        widget=GovTextArea(),
        validators=[
            Length(max=MAX_TEXT, message=f"Comments must be {MAX_TEXT} characters or fewer")
        ],
    )
    # The item as the reviewer saw it (services.review_basis): a review of a page read before
    # the item changed is refused.
    seen = HiddenField()
    submit = SubmitField("Record the review", widget=GovSubmitInput())


class GapActionForm(VersionedForm, FlaskForm):
    description = StringField(
        "What will be done",
        widget=GovTextArea(),
        validators=[
            Required("Enter what will be done about the gap"),
            Length(max=MAX_TEXT, message=f"Description must be {MAX_TEXT} characters or fewer"),
        ],
    )
    owner = IdField(
        "Owner", widget=GovSelect(), choice_message="Select the owner from the list, or no one yet"
    )
    due_on = DateInputField("Due", description="For example, 30 9 2010", what="the due date")
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("open", "Open"),
            SelectChoice("in_progress", "In progress"),
            SelectChoice("done", "Done"),
        ],
        default="open",
        validators=[Required("Select the status of the action")],
    )
    submit = SubmitField("Save the action", widget=GovSubmitInput())


class RoundForm(VersionedForm, FlaskForm):
    name = StringField(
        "Name of the round",
        description="For example, Pre-assessment Oct 2010",
        widget=GovTextInput(),
        validators=[
            Required("Enter a name for the round"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    scale = RadioField(
        "Scale",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("self", "The council's self-assessment: 100%, >50%, <50%, 0%"),
            SelectChoice(
                "assessor",
                "The assessor's: Compliance Plus, Compliance, Partial Compliance, Non-compliance",
            ),
        ],
        validators=[Required("Select the scale of the round")],
    )
    scope = RadioField(
        "Rated for",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("service", "Each service"),
            SelectChoice("work_stream", "Each work stream"),
            SelectChoice("council", "The whole council"),
        ],
        validators=[Required("Select what the round rates")],
    )
    held_from = DateInputField("Held from", what="the date the round started")
    held_to = DateInputField("Held until", what="the date the round ended")
    submit = SubmitField("Add the round", widget=GovSubmitInput())

    def validate_held_to(self, field: DateInputField) -> None:
        if field.data and self.held_from.data and field.data < self.held_from.data:
            raise ValidationError("The date the round ended must be on or after its start")


class ImportForm(FlaskForm):
    file = FileField(
        "Spreadsheet of ratings",
        description="An Excel workbook (.xlsx) or CSV file with the columns Element, Service "
        "(or Work stream) and Rating; a Note column is optional",
        widget=GovFileInput(),
    )
    submit = SubmitField("Import the ratings", widget=GovSubmitInput())
