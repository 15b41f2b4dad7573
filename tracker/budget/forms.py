"""Forms of the budget (funding sources, budget lines, spend) and of staff time.

Money is typed in pounds and read to whole pence by the one shared parser
(`tracker.forms.PoundsField`); days are read to a Decimal by `staff.parse_days`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from tracker.budget.staff import parse_days
from tracker.forms import (
    MAX_TEXT,
    CheckboxField,
    DateInputField,
    IdField,
    MaxLength,
    PoundsField,
    Required,
    SubmitButton,
    TextareaField,
    TextInputField,
    capitalised,
)
from tracker.versioning import VersionedForm, VersionField

MAX_QUANTITY = 100_000


class GovMonthInput(GovDateInput):
    """The GOV.UK date input with only its month and year boxes."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict:
        params = GovFormBase.map_gov_params(self, field, **kwargs)
        month, year = None, None
        if field.raw_data:
            month, year = (list(field.raw_data) + ["", ""])[:2]
        elif field.data:
            month, year = str(field.data.month), str(field.data.year)
        error = "govuk-input--error" if field.errors else ""
        params.setdefault("fieldset", {"legend": {"text": field.label.text}})
        params.setdefault(
            "items",
            [
                {
                    "label": "Month",
                    "id": f"{field.name}-month",
                    "name": field.name,
                    "classes": f"govuk-input--width-2 {error}".strip(),
                    "value": month,
                },
                {
                    "label": "Year",
                    "id": f"{field.name}-year",
                    "name": field.name,
                    "classes": f"govuk-input--width-4 {error}".strip(),
                    "value": year,
                },
            ],
        )
        return params


class MonthField(Field):
    """A month typed as month and year boxes; `data` is the first day of the month, or None."""

    widget = GovMonthInput()

    def __init__(
        self,
        label: str | None = None,
        validators: list | None = None,
        *,
        what: str = "the month",
        required: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.what = what
        self.required_message = required

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [(v or "").strip() for v in valuelist[:2]]
        parts += [""] * (2 - len(parts))
        self.raw_data = parts
        self.data = None
        if not any(parts):
            if self.required_message:
                raise ValueError(self.required_message)
            return
        missing = [name for name, part in zip(("month", "year"), parts, strict=True) if not part]
        if missing:
            raise ValueError(f"{capitalised(self.what)} must include a {' and '.join(missing)}")
        month, year = parts
        if not (month.isdigit() and year.isdigit()):
            raise ValueError(f"{capitalised(self.what)} must be a real month, like 2 2010")
        if len(year) != 4:
            raise ValueError("Year must include 4 numbers")
        if not 1 <= int(month) <= 12:
            raise ValueError(f"{capitalised(self.what)} must be a real month, like 2 2010")
        self.data = dt.date(int(year), int(month), 1)

    def _value(self) -> str:
        return ""


def _text(
    label: str,
    *,
    required: str | None = None,
    max_length: int,
    what: str,
    field: type[StringField] = TextInputField,
    **kw: Any,
) -> StringField:
    """A text field of the budget's forms, whose length limit is written as 5,000."""
    validators: list = [Required(required)] if required else []
    validators.append(MaxLength(max_length, what, grouped=True))
    return field(label, validators=validators, **kw)


class FundingSourceForm(VersionedForm, FlaskForm):
    code = _text(
        "Code",
        description="A short code, as the budget tables use it, for example SF",
        required="Enter a code for the funding source",
        max_length=20,
        what="The code",
    )
    name = _text(
        "Name",
        required="Enter the name of the funding source",
        max_length=200,
        what="The name",
    )
    allocation = PoundsField(
        "Allocation",
        description="What this source gives the project, in pounds, excluding VAT",
        what="the allocation",
        required="Enter the allocation, or 0",
    )
    in_project_budget = CheckboxField(
        "Part of the project budget",
        description=(
            "Untick for money beside the project budget, such as a corporate training "
            "allocation: the dashboard then shows it on its own line, not in the headline"
        ),
        default=True,
    )
    submit = SubmitButton("Save the funding source")


class BudgetLineForm(VersionedForm, FlaskForm):
    source = IdField(
        "Funding source",
        choice_message="Select the funding source",
        required=True,
    )
    product = _text(
        "Product",
        description="What the money buys, for example Getting Started Workshop",
        required="Enter the product",
        max_length=200,
        what="The product",
    )
    quantity = TextInputField("Quantity")
    unit_cost = PoundsField(
        "Unit cost",
        description="In pounds, excluding VAT",
        what="the unit cost",
        required="Enter the unit cost, or 0",
    )
    provision = PoundsField(
        "Provision",
        description=(
            "The money set aside for the line, in pounds, excluding VAT. Leave blank for "
            "quantity × unit cost."
        ),
        what="the provision",
    )
    notes = _text(
        "Notes",
        description="For example where a figure comes from, or why it differs from another",
        field=TextareaField,
        max_length=MAX_TEXT,
        what="The notes",
    )
    submit = SubmitButton("Save the budget line")

    def validate_quantity(self, field: StringField) -> None:
        text = (field.data or "").strip()
        if not text:
            raise ValidationError("Enter the quantity")
        if not text.lstrip("-").isdigit():
            raise ValidationError("Quantity must be a whole number, like 3")
        if int(text) < 1:
            raise ValidationError("Quantity must be 1 or more")
        if int(text) > MAX_QUANTITY:
            raise ValidationError(f"Quantity must be {MAX_QUANTITY:,} or fewer")

    @property
    def quantity_number(self) -> int:
        return int((self.quantity.data or "0").strip())


class SpendForm(FlaskForm):
    line = IdField(
        "Budget line",
        choice_message="Select the budget line the money was spent against",
        required=True,
    )
    spent_on = DateInputField(
        "Date spent",
        description="For example, 26 2 2010",
        what="the date spent",
        required="Enter the date the money was spent",
    )
    amount = PoundsField(
        "Amount",
        description="In pounds, excluding VAT, for example 1200 or 1200.50",
        what="the amount",
        required="Enter the amount spent",
    )
    supplier = _text("Supplier (optional)", max_length=200, what="Supplier")
    reference = _text(
        "Reference (optional)",
        description="An order or invoice number, for example",
        max_length=100,
        what="The reference",
    )
    description = _text(
        "Description (optional)", field=TextareaField, max_length=MAX_TEXT, what="Description"
    )
    submit = SubmitButton("Record the spend")

    def validate_amount(self, field: PoundsField) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError("The amount must be more than £0")


class StaffTimeForm(VersionedForm, FlaskForm):
    # The record the form was read for (tracker/budget/staff_edit.py): 0 for none.
    entry = VersionField()
    person = IdField(
        "Person",
        choice_message="Select the person",
        required=True,
    )
    resource = IdField(
        "Role",
        description="The planned staff resource (section 10.1) the time counts against",
        choice_message="Select the role",
        required=True,
    )
    month = MonthField(
        "Month",
        description="For example, 2 2010",
        what="the month",
        required="Enter the month and year",
    )
    days = TextInputField(
        "Days",
        description=(
            "Days given to the project in that month; halves and tenths are fine, like 1.5. "
            "Recording the same person, role and month again replaces the days."
        ),
    )
    submit = SubmitButton("Record the days")

    def validate_days(self, field: StringField) -> None:
        try:
            self.days_value = parse_days(field.data or "", self.month.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
