from __future__ import annotations

from flask_wtf import FlaskForm

from tracker.auth.models import MailPreference
from tracker.forms import ChoiceRadioField, SubmitButton


class PreferenceForm(FlaskForm):
    """The person's own choice; the last one saved stands (nothing else on the person is
    edited here, so an older page cannot undo someone else's change)."""

    preference = ChoiceRadioField(
        "Which e-mail do you want?",
        choices=MailPreference.choices(),
        message="Select immediate messages, a daily digest only or no e-mail",
    )
    submit = SubmitButton("Save your e-mail settings")
