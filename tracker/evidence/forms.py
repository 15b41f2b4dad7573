"""Forms of the evidence library (GOV.UK widgets and messages)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import HiddenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from tracker.evidence.models import ActionStatus
from tracker.evidence.picker import ElementsField
from tracker.forms import (
    MAX_TEXT,
    CheckboxField,
    DateInputField,
    FileInputField,
    IdField,
    IdsField,
    MaxLength,
    MultipleFileInputField,
    RadioField,
    Required,
    SubmitButton,
    TextareaField,
    TextInputField,
)
from tracker.versioning import VersionedForm

TITLE_NEEDED = "Enter a title for the evidence"


def chosen_files(field: MultipleFileInputField) -> list[FileStorage]:
    """The files chosen in a file input (a browser sends one nameless part when none is)."""
    return [f for f in field.data or [] if getattr(f, "filename", "")]


def title_from_file(title: str, file_name: str) -> str:
    """The title of one of several files added as an item each: its name without the type,
    after the title entered, if any ("Survey: Results 2009")."""
    stem = file_name.rsplit(".", 1)[0].replace("_", " ")
    return (f"{title.strip()}: {stem}" if title.strip() else stem)[:300]


class EvidenceForm(VersionedForm, FlaskForm):
    title = TextInputField(
        "Title",
        description="Needed unless you choose several files as separate items: each is then "
        "named after its file, following what you enter here",
        validators=[MaxLength(300, "Title")],
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
    element_search = TextInputField(
        "Search the standard",
        description="An element's number, like 1.1.1 or 2.3, or words from its title, like "
        "complaints",
        validators=[MaxLength(200, "Search")],
    )
    search = SubmitButton("Search the standard")
    elements = ElementsField(
        "Elements it supports",
        description="Tick every element of the standard the evidence shows",
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
    file = MultipleFileInputField(
        "File",
        description="PDF, Word, Excel, PowerPoint, OpenDocument, image, CSV, text or e-mail. "
        "You can choose several files at once",  # the view adds the size limit
    )
    files_as = RadioField(
        "If you choose several files",
        choices=[
            SelectChoice(
                "items",
                "Each file is a separate item, named after its file",
            ),
            SelectChoice("versions", "They are versions of one item, the last file the latest"),
        ],
        default="items",
        validators=[Required(choice="whether the files are separate items or versions of one")],
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

    def several_items(self) -> bool:
        """Whether the files chosen become an item each (so each takes its name as title)."""
        return len(chosen_files(self.file)) > 1 and self.files_as.data == "items"

    def validate_title(self, field: TextInputField) -> None:
        if not (field.data or "").strip() and not self.several_items():
            raise ValidationError(TITLE_NEEDED)


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


class StreamElementsForm(VersionedForm, FlaskForm):
    elements = IdsField(
        "Elements this work stream is expected to evidence",
        choice_message="Select elements of the standard from the list",
    )
    submit = SubmitButton("Save the elements")
