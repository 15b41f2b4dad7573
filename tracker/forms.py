"""Form pieces shared by every area."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import wtforms
from flask_wtf.file import FileField, MultipleFileField
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from tracker.rules import RuleRefused
from tracker.transactions import roll_back

# The most characters any long text (a description, a note, comments) takes.
MAX_TEXT = 5000


class Required(DataRequired):
    """DataRequired without the HTML `required` attribute, whose message names its field.

    `Required(thing="the activity")` says "Enter the activity" and `Required(choice="the
    stage")` says "Select the stage", as GOV.UK Notify's `NotifyDataRequired(thing=...)` does;
    any other wording is passed as `message`.

    GOV.UK pages validate on the server and show the message beside the field; the browser's
    own pop-up would bypass the error summary.
    """

    field_flags: dict = {}

    def __init__(
        self, message: str | None = None, *, thing: str | None = None, choice: str | None = None
    ) -> None:
        if thing is not None:
            message = f"Enter {thing}"
        elif choice is not None:
            message = f"Select {choice}"
        super().__init__(message)
        # DataRequired.__init__ sets the flags on the instance; keep `required` off the input.
        self.field_flags = {}


class MaxLength(Length):
    """At most `limit` characters, with a message that names the field: `MaxLength(300,
    "Title")` says "Title must be 300 characters or fewer" (`grouped` writes 5000 as 5,000)."""

    def __init__(self, limit: int, what: str, *, grouped: bool = False) -> None:
        shown = f"{limit:,}" if grouped else str(limit)
        super().__init__(max=limit, message=f"{what} must be {shown} characters or fewer")


# Fields with their GOV.UK widget built in (as Notify's GovukTextInputField and the like): a
# form names the field class and never a widget.


class TextInputField(wtforms.StringField):
    """A one-line GOV.UK text input."""

    widget = GovTextInput()


class TextareaField(wtforms.StringField):
    """A GOV.UK textarea, for text of more than one line."""

    widget = GovTextArea()


class PasswordInputField(wtforms.PasswordField):
    """A GOV.UK password input (the typed password is never shown again)."""

    widget = GovPasswordInput()


class CheckboxField(wtforms.BooleanField):
    """A single GOV.UK checkbox; `data` is True or False."""

    widget = GovCheckboxInput()


class RadioField(wtforms.RadioField):
    """GOV.UK radios: one of a few choices, all in view."""

    widget = GovRadioInput()


class ChoiceRadioField(RadioField):
    """Radios that answer a missing or unknown choice with one GOV.UK-style message
    ("Select high, medium or low for the probability") instead of "Not a valid choice".
    """

    def __init__(self, label: str | None = None, *, message: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.message = message

    def pre_validate(self, form: Any) -> None:
        values = {str(choice.value) for choice in self.choices}
        if not self.data or str(self.data) not in values:
            self.data = None  # so that no radio shows as checked
            raise StopValidation(self.message)


class SelectField(wtforms.SelectField):
    """A GOV.UK select. Filter forms (GET) pass `validate_choice=False`; a form that changes
    something takes its choice through `ChoiceField` or `IdField`."""

    widget = GovSelect()


class FileInputField(FileField):
    """A GOV.UK file upload."""

    widget = GovFileInput()


class MultipleFileInputField(MultipleFileField):
    """A GOV.UK file upload that takes several files at once; `data` is a list of them."""

    widget = GovFileInput(multiple=True)


class SubmitButton(wtforms.SubmitField):
    """The GOV.UK button that sends the form."""

    widget = GovSubmitInput()


class ChoiceField(SelectField):
    """A select whose refusal of a value that is not one of its options (a stale or forged
    form) is worded for the person, like every other message: "Select a project".

    `required=True` refuses the blank option with the same message."""

    def __init__(
        self, *args: Any, choice_message: str, required: bool = False, **kwargs: Any
    ) -> None:
        if required:  # a blank choice is refused with the same words
            kwargs["validators"] = [Required(choice_message), *kwargs.get("validators", [])]
        super().__init__(*args, **kwargs)
        self.choice_message = choice_message

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.choice_message) from None

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:  # already refused, with the same message: say it once
            raise StopValidation()
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self.choice_message) from None


class IdField(ChoiceField):
    """A select of one of the project's own records (a work stream, person, stage, meeting,
    budget line ...) by its id: `data` is the id, or the blank option's 0.

    The view sets `choices` from the project's records, so an id of another project's record,
    of a deleted one or a made-up one (a forged or stale form) is refused here, with
    `choice_message` beside the field, and never reaches the database. Every form that takes
    an id takes it through this field; never pass `validate_choice=False`.
    """

    def __init__(self, *args: Any, choice_message: str, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", int)
        super().__init__(*args, choice_message=choice_message, **kwargs)


class IdsField(wtforms.SelectMultipleField):
    """GOV.UK checkboxes of some of the project's records, by id (`data`: the ids, sorted, as
    a saved record is compared). As with `IdField`, the view sets `choices`; an id not offered
    (a stale or forged form) is refused with `choice_message` beside the field."""

    widget = GovCheckboxesInput()

    def __init__(self, *args: Any, choice_message: str, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("choices", [])
        super().__init__(*args, **kwargs)
        self.choice_message = choice_message

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []
            raise ValueError(self.choice_message) from None
        self.data = sorted(set(self.data))

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:  # already refused, with the same message: say it once
            raise StopValidation()
        offered = {value for value, *_ in self.iter_choices()}
        if any(value not in offered for value in self.data or []):
            raise StopValidation(self.choice_message)


def show_refusal(form: Any, refusal: RuleRefused) -> None:
    """Undo what the refused rule had done and show its message beside `refusal.field`, or at
    the top of the error summary when it names no field of this form. The page is then shown
    again with a 400, and the request's transaction rolls back (see `tracker.transactions`)."""
    roll_back()
    field = form._fields.get(refusal.field) if refusal.field else None
    if field is None:
        form.form_errors.append(refusal.message)
    else:
        field.errors = [*field.errors, refusal.message]


def error_summary(form: Any) -> dict[str, Any]:
    """The GOV.UK error summary of a form: a refusal of the whole form (no field of its own)
    is listed as text, since there is no field to link to."""
    params = wtforms_errors(form)
    params["errorList"] = [
        item if item["href"] != "#" else {"text": item["text"]} for item in params["errorList"]
    ]
    return params


def capitalised(text: str) -> str:
    """The text with its first letter in capitals, for messages that start with a field's name."""
    return text[:1].upper() + text[1:]


class DateInputField(Field):
    """A GOV.UK date input (day, month and year boxes); `data` is a `datetime.date` or None.

    `what` names the date in messages ("the date identified", "start date"); `required` is the
    message for a blank date, or None when it may be left blank. Messages follow the GOV.UK
    date input pattern: "Start date must include a month", "Start date must be a real date".
    """

    widget = GovDateInput()

    def __init__(
        self,
        label: str | None = None,
        validators: list | None = None,
        *,
        what: str = "the date",
        required: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.what = what
        self.required_message = required

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [(v or "").strip() for v in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts  # the widget shows day, month and year as typed
        self.data = None
        if not any(parts):
            if self.required_message:
                raise ValueError(self.required_message)
            return
        what = capitalised(self.what)
        missing = [n for n, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        if missing:
            raise ValueError(f"{what} must include a {' and '.join(missing)}")
        if not all(part.isdigit() for part in parts):
            raise ValueError(f"{what} must be a real date, like 26 2 2010")
        if len(parts[2]) != 4:
            raise ValueError("Year must include 4 numbers")
        day, month, year = (int(part) for part in parts)
        try:
            self.data = dt.date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"{what} must be a real date, like 26 2 2010") from exc

    def _value(self) -> str:
        return ""


# Money -----------------------------------------------------------------------------------

# The largest amount any money field takes: far above a council project's budget, well inside
# a 32-bit integer column of pence.
MAX_PENCE = 1_000_000_000  # £10,000,000.00

_POUNDS = re.compile(
    r"^(?P<minus>[-\u2212])?\s*£?\s*(?P<minus2>[-\u2212])?\s*"
    r"(?P<whole>\d{1,3}(?:,\d{3})+|\d*)(?:\.(?P<fraction>\d*))?$"
)


def parse_pounds(text: str, *, what: str = "the amount", maximum: int = MAX_PENCE) -> int:
    """Pounds as typed ("£1,200.50", "600", "0.5") to whole pence (120050, 60000, 50).

    Raises ValueError with a GOV.UK-style message naming `what` ("the cost of the change") when
    the text is blank, not an amount, negative, has more than 2 decimal places or is too large.
    """
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValueError(f"Enter {what}")
    match = _POUNDS.match(cleaned)
    whole = match["whole"].replace(",", "") if match else ""
    fraction = (match["fraction"] or "") if match else ""
    if not match or not (whole or fraction):
        raise ValueError(f"Enter {what} as a number of pounds, like 600 or 600.50")
    if match["minus"] or match["minus2"]:
        raise ValueError(f"{capitalised(what)} must be £0 or more")
    if len(fraction) > 2:
        raise ValueError(f"{capitalised(what)} must have 2 decimal places or fewer, like 600.50")
    pence = int(whole or "0") * 100 + int(fraction.ljust(2, "0"))
    if pence > maximum:
        pounds, rest = divmod(maximum, 100)
        limit = f"£{pounds:,}" + (f".{rest:02d}" if rest else "")
        raise ValueError(f"{capitalised(what)} must be {limit} or less")
    return pence


def pounds_text(pence: int) -> str:
    """Whole pence as the pounds a person would type back: 120050 -> "1200.50"."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}{pounds}.{rest:02d}"


class PoundsField(Field):
    """An amount of money typed in pounds; `data` is whole pence (int), or None when left blank.

    `what` names the amount in error messages ("the cost of the change"). Pass `required` (the
    message, "Enter the cost of the change") to refuse a blank; otherwise blank is None.
    Zero is a real amount, so do not use Required/DataRequired with this field. Render it with
    `params={"prefix": {"text": "£"}, "classes": "govuk-input--width-10", "spellcheck": False}`.
    """

    widget = GovTextInput()

    def __init__(
        self,
        label: str | None = None,
        validators: list | None = None,
        *,
        what: str = "the amount",
        required: str | None = None,
        maximum: int = MAX_PENCE,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.what = what
        self.required_message = required
        self.maximum = maximum

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        text = valuelist[0] if valuelist else ""
        if not text.strip():
            if self.required_message:
                raise ValueError(self.required_message)
            return
        self.data = parse_pounds(text, what=self.what, maximum=self.maximum)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else pounds_text(self.data)


def span_fields(start_example: str, end_example: str) -> tuple[DateInputField, DateInputField]:
    """A start and an end date, both required (a project's, a stage's): `start_date, end_date =
    span_fields("1 4 2026", "31 7 2027")` in a form's class body."""
    return (
        DateInputField(
            "Start date",
            description=f"For example, {start_example}",
            what="start date",
            required="Enter the start date",
        ),
        DateInputField(
            "End date",
            description=f"For example, {end_example}",
            what="end date",
            required="Enter the end date",
        ),
    )
