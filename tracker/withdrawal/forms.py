"""The withdrawal confirmation, restoring, and the withdrawn list's filter."""

from __future__ import annotations

from flask_wtf import FlaskForm

from tracker.forms import MaxLength, Required, SelectField, SubmitButton, TextareaField
from tracker.versioning import VersionedForm
from tracker.withdrawal.services import REASON_MAX


class WithdrawForm(VersionedForm, FlaskForm):
    reason = TextareaField(
        "Why is it being withdrawn?",
        description="For example, entered twice, or added to the wrong project",
        validators=[
            Required(thing="why it is being withdrawn"),
            MaxLength(REASON_MAX, "The reason", grouped=True),
        ],
    )
    submit = SubmitButton("Withdraw it")


class RestoreForm(FlaskForm):
    submit = SubmitButton("Restore")


class KindFilterForm(FlaskForm):
    """Read from the address (GET): no CSRF token."""

    class Meta:
        csrf = False

    kind = SelectField("Kind of record")
